# The version both binaries print for --version: the project VERSION plus
# `git describe` of the checkout at configure time (so a build says which
# commit it came from; re-run cmake to refresh it).
find_package(Git QUIET)
set(HOLDFAST_GIT_DESCRIBE "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --tags --dirty
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE _hf_describe OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _hf_rc)
  if(_hf_rc EQUAL 0 AND _hf_describe)
    set(HOLDFAST_GIT_DESCRIBE "${_hf_describe}")
  endif()
endif()
set(HOLDFAST_VERSION_STRING "${PROJECT_VERSION} (${HOLDFAST_GIT_DESCRIBE})")
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in ${PROJECT_BINARY_DIR}/gen_version/holdfast_version.h @ONLY)
add_library(hf_version INTERFACE)
target_include_directories(hf_version INTERFACE ${PROJECT_BINARY_DIR}/gen_version)
