# Small helpers in the spirit of abseil's absl_cc_library: one call per target,
# sources listed explicitly, warnings from one interface target.

add_library(holdfast_warnings INTERFACE)
target_compile_options(holdfast_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)

# hf_cc_library(NAME name SRCS ... HDRS ... DEPS ...)
function(hf_cc_library)
  cmake_parse_arguments(HF "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(HF_SRCS)
    add_library(${HF_NAME} STATIC ${HF_SRCS} ${HF_HDRS})
    target_include_directories(${HF_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${HF_NAME} PUBLIC ${HF_DEPS} PRIVATE holdfast_warnings)
  else()
    add_library(${HF_NAME} INTERFACE)
    target_include_directories(${HF_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${HF_NAME} INTERFACE ${HF_DEPS})
  endif()
endfunction()

# hf_cc_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT seconds] [FIXTURES fixture])
# Registers each test binary with ctest via gtest_discover_tests so ctest
# reports every TEST() on its own line and in its totals. FIXTURES names a
# ctest fixture (FIXTURES_SETUP of another test) every TEST() requires.
include(GoogleTest)
function(hf_cc_test)
  cmake_parse_arguments(HF "" "NAME;TIMEOUT;FIXTURES" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${HF_NAME} ${HF_SRCS})
  target_link_libraries(${HF_NAME} PRIVATE ${HF_DEPS} GTest::gtest GTest::gmock GTest::gtest_main holdfast_warnings)
  if(NOT HF_TIMEOUT)
    set(HF_TIMEOUT 300)
  endif()
  set(_hf_fixtures "")
  if(HF_FIXTURES)
    set(_hf_fixtures FIXTURES_REQUIRED ${HF_FIXTURES})
  endif()
  gtest_discover_tests(${HF_NAME}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT ${HF_TIMEOUT} LABELS "${HF_LABELS}" ${_hf_fixtures}
    DISCOVERY_TIMEOUT 60)
endfunction()

# hf_cc_benchmark(NAME name SRCS ... DEPS ...)
function(hf_cc_benchmark)
  cmake_parse_arguments(HF "" "NAME" "SRCS;DEPS" ${ARGN})
  if(HOLDFAST_BUILD_BENCHMARKS)
    add_executable(${HF_NAME} ${HF_SRCS})
    target_link_libraries(${HF_NAME} PRIVATE ${HF_DEPS} benchmark::benchmark holdfast_warnings)
  endif()
endfunction()
