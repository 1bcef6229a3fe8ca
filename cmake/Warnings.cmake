# Warnings as an INTERFACE target every project target links; -Werror in dev and CI.
add_library(tosguard_warnings INTERFACE)
target_compile_options(tosguard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wnull-dereference -Wimplicit-fallthrough)
if(TOSGUARD_WERROR)
  target_compile_options(tosguard_warnings INTERFACE -Werror)
endif()

# Third-party headers are included as system headers so their warnings stay theirs.
function(tosguard_module name)
  target_link_libraries(${name} PRIVATE tosguard_warnings)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
