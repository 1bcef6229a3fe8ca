# Fails when a module includes a header of a module it may not depend on.
# Run with: cmake -DSOURCE_DIR=<repo> -P cmake/CheckLayering.cmake
#
# Allowed dependencies (DESIGN: one module a folder, arrows are dependencies):
#   base   -> (nothing)
#   dsl    -> base
#   engine -> base, dsl
#   audit  -> base, engine
#   cli    -> everything
set(allowed_base "base")
set(allowed_dsl "base;dsl")
set(allowed_engine "base;dsl;engine")
set(allowed_audit "base;engine;audit")
set(modules base dsl engine audit cli bench tests)
set(failures "")
foreach(module base dsl engine audit)
  file(GLOB_RECURSE files "${SOURCE_DIR}/${module}/*.h" "${SOURCE_DIR}/${module}/*.cc")
  foreach(file ${files})
    file(STRINGS "${file}" includes REGEX "^#include \"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*$" "\\1" target "${line}")
      list(FIND modules "${target}" is_module)
      if(is_module EQUAL -1)
        continue()
      endif()
      list(FIND allowed_${module} "${target}" ok)
      if(ok EQUAL -1)
        file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
        string(APPEND failures "  ${rel}: ${line} (${module} may use: ${allowed_${module}})\n")
      endif()
    endforeach()
  endforeach()
endforeach()
# Boost (Spirit X3 and Fusion) stays inside dsl/parser/: the parser's tree is lowered to
# the project's own before anything else sees it.
file(GLOB_RECURSE all_files "${SOURCE_DIR}/base/*.h" "${SOURCE_DIR}/base/*.cc"
     "${SOURCE_DIR}/dsl/*.h" "${SOURCE_DIR}/dsl/*.cc" "${SOURCE_DIR}/engine/*.h"
     "${SOURCE_DIR}/engine/*.cc" "${SOURCE_DIR}/audit/*.h" "${SOURCE_DIR}/audit/*.cc"
     "${SOURCE_DIR}/cli/*.h" "${SOURCE_DIR}/cli/*.cc")
foreach(file ${all_files})
  file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
  if(rel MATCHES "^dsl/parser/")
    continue()
  endif()
  file(STRINGS "${file}" boost_includes REGEX "^#include <boost/")
  foreach(line ${boost_includes})
    string(APPEND failures "  ${rel}: ${line} (Boost is used only in dsl/parser/)\n")
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "module layering violated:\n${failures}")
endif()
