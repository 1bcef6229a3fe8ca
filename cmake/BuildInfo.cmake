# The build's git revision, embedded so `tosguard --version` names what it runs.
execute_process(
  COMMAND git -C ${PROJECT_SOURCE_DIR} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE TOSGUARD_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE _rev_rc)
if(NOT _rev_rc EQUAL 0 OR TOSGUARD_GIT_REV STREQUAL "")
  set(TOSGUARD_GIT_REV "unknown")
endif()
execute_process(
  COMMAND git -C ${PROJECT_SOURCE_DIR} status --porcelain --untracked-files=no
  OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT _dirty STREQUAL "")
  string(APPEND TOSGUARD_GIT_REV "-dirty")
endif()
configure_file(${PROJECT_SOURCE_DIR}/base/build_info.h.in
               ${PROJECT_BINARY_DIR}/generated/base/build_info.h @ONLY)
