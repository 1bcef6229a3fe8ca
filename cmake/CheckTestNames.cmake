# Fails when a test case name would break ctest's test discovery. CMake does not split a
# list at ';' inside square brackets, so one name holding '[' or ']' merges the names
# after it into a single ctest entry whose filter matches nothing: those tests would
# then pass without running. Usage: cmake -DTEST_BINARY=path -P CheckTestNames.cmake
execute_process(COMMAND ${TEST_BINARY} --list-test-names-only
                OUTPUT_VARIABLE names ERROR_VARIABLE errors)
if(names STREQUAL "")
  message(FATAL_ERROR "${TEST_BINARY} listed no test names: ${errors}")
endif()
string(REPLACE "\n" ";" lines "${names}")
foreach(line IN LISTS lines)
  if(line MATCHES "[][]")
    message(SEND_ERROR "test name with a square bracket (ctest would not run it and those after it): ${line}")
  endif()
endforeach()
