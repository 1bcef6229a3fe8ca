# Warnings as an INTERFACE target every project target links; -Werror in dev and CI.
add_library(tosguard_warnings INTERFACE)
target_compile_options(tosguard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
# g++ 12's flow-based warnings misfire inside libstdc++ once the optimiser inlines it
# (GCC bug 105329 and its kin); the dev preset builds without optimisation
# and keeps them, optimised g++ builds drop them so real warnings are not drowned.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(tosguard_warnings INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict -Wno-maybe-uninitialized>)
endif()
if(TOSGUARD_WERROR)
  target_compile_options(tosguard_warnings INTERFACE -Werror)
endif()

# Every module target: the project's include root and the shared warnings.
function(tosguard_module name)
  target_link_libraries(${name} PRIVATE tosguard_warnings)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
