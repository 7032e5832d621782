# vouch_module(<name> SOURCES ... [DEPS ...] [EXTERNAL ...])
#
# Declares the static library `vouch_<name>`. DEPS lists other Vouch modules this one may use
# (without the vouch_ prefix); EXTERNAL lists third-party targets. The allowed edges are the ones
# in ARCHITECTURE.md; scripts/check-layering also checks #include lines against the same rules.
function(vouch_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;EXTERNAL" ${ARGN})
  set(target vouch_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${target} PRIVATE ${VOUCH_WARNINGS})
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(${target} PUBLIC vouch_${dep})
  endforeach()
  if(ARG_EXTERNAL)
    target_link_libraries(${target} PUBLIC ${ARG_EXTERNAL})
  endif()
endfunction()

# vouch_executable(<target> SOURCES ... DEPS ...): an executable with the project warnings.
function(vouch_executable target)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME" "SOURCES;DEPS;EXTERNAL" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_compile_options(${target} PRIVATE ${VOUCH_WARNINGS})
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(${target} PRIVATE vouch_${dep})
  endforeach()
  if(ARG_EXTERNAL)
    target_link_libraries(${target} PRIVATE ${ARG_EXTERNAL})
  endif()
  if(ARG_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
endfunction()
