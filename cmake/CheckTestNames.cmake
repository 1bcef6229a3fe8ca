# Fails when a test case name would break ctest's test discovery, which keeps the names
# as a CMake list:
# - a ';' splits the name in two entries, and neither matches a test;
# - CMake does not split a list at ';' inside square brackets, so one name holding '['
#   or ']' merges the names after it into a single entry that matches nothing.
# The test main makes an entry that runs no test fail, and this check names the cause.
# Usage: cmake -DTEST_BINARY=path -P CheckTestNames.cmake
execute_process(COMMAND ${TEST_BINARY} --list-test-names-only
                OUTPUT_VARIABLE names ERROR_VARIABLE errors)
if(names STREQUAL "")
  message(FATAL_ERROR "${TEST_BINARY} listed no test names: ${errors}")
endif()
# Each ';' is replaced first, so that splitting at new lines keeps one name per item.
string(REPLACE ";" "<semicolon>" names "${names}")
string(REPLACE "\n" ";" lines "${names}")
foreach(line IN LISTS lines)
  if(line MATCHES "[][]")
    message(SEND_ERROR "test name with a square bracket (ctest would not run it and those after it): ${line}")
  endif()
  if(line MATCHES "<semicolon>")
    string(REPLACE "<semicolon>" ";" line "${line}")
    message(SEND_ERROR "test name with a ';' (ctest would split it and run neither half): ${line}")
  endif()
endforeach()
