# riskradar_stage(): one static library per stage folder, and the table the layering check enforces.
#
#   riskradar_stage(<stage> [EXECUTABLE <name>] [PUBLIC <stage>...] [PRIVATE <stage>...] [LIBS <target>...]
#                   [PUBLIC_LIBS <target>...])
#
# Sources are src/<stage>/**/*.cc (recursive, so a stage may have sub-folders such as src/store/sqlite/);
# a stage without sources yet gets no target. PUBLIC stages are those its public headers include; external
# libraries are LIBS (private) unless a public header includes them (PUBLIC_LIBS). A dependency on a stage that
# has no target (yet) is skipped, but still counts as allowed for the layering check.
set_property(GLOBAL PROPERTY RISKRADAR_LAYERS "")

function(riskradar_stage stage)
  cmake_parse_arguments(ARG "" "EXECUTABLE" "PUBLIC;PRIVATE;LIBS;PUBLIC_LIBS" ${ARGN})
  set(deps ${ARG_PUBLIC} ${ARG_PRIVATE})
  list(JOIN deps " " deps)
  set_property(GLOBAL APPEND PROPERTY RISKRADAR_LAYERS "${stage}: ${deps}")
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${stage}/*.cc)
  if(NOT sources)
    return()
  endif()
  if(ARG_EXECUTABLE)
    set(target ${ARG_EXECUTABLE})
    add_executable(${target} ${sources})
  else()
    set(target riskradar_${stage})
    add_library(${target} STATIC ${sources})
    add_library(riskradar::${stage} ALIAS ${target})
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
  endif()
  foreach(scope PUBLIC PRIVATE)
    foreach(dep IN LISTS ARG_${scope})
      if(TARGET riskradar_${dep})
        target_link_libraries(${target} ${scope} riskradar_${dep})
      endif()
    endforeach()
  endforeach()
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_LIBS})
endfunction()

# Writes the layer table and adds the check that every build runs first (a stamp keeps it incremental).
function(riskradar_layering_check)
  get_property(layers GLOBAL PROPERTY RISKRADAR_LAYERS)
  list(JOIN layers "\n" text)
  file(WRITE ${PROJECT_BINARY_DIR}/layers.txt.in "${text}\n")
  configure_file(${PROJECT_BINARY_DIR}/layers.txt.in ${PROJECT_BINARY_DIR}/layers.txt COPYONLY)
  file(GLOB_RECURSE checked CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/src/*.cc ${PROJECT_SOURCE_DIR}/src/*.h ${PROJECT_SOURCE_DIR}/include/*.h)
  set(stamp ${PROJECT_BINARY_DIR}/layering.stamp)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-layering.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/layers.txt
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${checked} ${PROJECT_BINARY_DIR}/layers.txt ${PROJECT_SOURCE_DIR}/scripts/check-layering.sh
    COMMENT "Checking includes against the stage layering"
    VERBATIM)
  add_custom_target(riskradar_check_layering ALL DEPENDS ${stamp})
  get_property(targets DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    if(NOT target STREQUAL riskradar_check_layering)
      get_target_property(type ${target} TYPE)
      if(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "EXECUTABLE")
        add_dependencies(${target} riskradar_check_layering)
      endif()
    endif()
  endforeach()
endfunction()
