# hp_library(NAME SOURCES... DEPS ...): a core library `hp_NAME` with src/ as include root.
function(hp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(hp_${name} STATIC ${ARG_SOURCES})
  target_include_directories(hp_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(hp_${name} PUBLIC ${ARG_DEPS})
endfunction()

# hp_test(NAME SOURCES... DEPS ... [LABELS ...]): a GoogleTest binary registered with CTest.
function(hp_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE HP_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             HP_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
