# ctest fixture of package_e2e_test: builds the .deb with CPack from the
# already-built tree into OUT_DIR (CPack runs the install rules only; nothing
# is compiled), as tools/package.sh does after building.
#   cmake -DCPACK=... -DBINARY_DIR=... -DOUT_DIR=... -P build_package.cmake
file(REMOVE_RECURSE "${OUT_DIR}")
execute_process(COMMAND "${CPACK}" --config "${BINARY_DIR}/CPackConfig.cmake" -G DEB -B "${OUT_DIR}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed (exit ${rc})")
endif()
