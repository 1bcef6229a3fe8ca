# Writes base/build_info.h with the version and the git revision (-dirty when the
# work tree has uncommitted changes to tracked files; "unknown" outside a checkout).
execute_process(
  COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE TOSGUARD_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE rev_rc)
if(NOT rev_rc EQUAL 0 OR TOSGUARD_GIT_REV STREQUAL "")
  set(TOSGUARD_GIT_REV "unknown")
else()
  execute_process(
    COMMAND git -C ${SOURCE_DIR} status --porcelain --untracked-files=no
    OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    string(APPEND TOSGUARD_GIT_REV "-dirty")
  endif()
endif()
set(PROJECT_VERSION ${VERSION})
configure_file(${SOURCE_DIR}/base/build_info.h.in ${OUTPUT} @ONLY)
