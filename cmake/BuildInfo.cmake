# The build's git revision, embedded so `tosguard --version` names what it runs.
# Regenerated on every build (the header is only rewritten when the revision changes,
# so an unchanged revision triggers no recompilation).
set(TOSGUARD_BUILD_INFO_HEADER ${PROJECT_BINARY_DIR}/generated/base/build_info.h)
add_custom_target(tosguard_build_info
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${TOSGUARD_BUILD_INFO_HEADER}
          -DVERSION=${PROJECT_VERSION}
          -P ${PROJECT_SOURCE_DIR}/cmake/GenerateBuildInfo.cmake
  BYPRODUCTS ${TOSGUARD_BUILD_INFO_HEADER}
  COMMENT "Reading the git revision")
# Also at configure time, so the header exists before the first build.
execute_process(COMMAND ${CMAKE_COMMAND}
  -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${TOSGUARD_BUILD_INFO_HEADER}
  -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/GenerateBuildInfo.cmake)
