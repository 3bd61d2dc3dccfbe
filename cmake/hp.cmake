# hp_library(NAME SOURCES... DEPS ...): a core library `hp_NAME` with src/ as include root.
function(hp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(hp_${name} STATIC ${ARG_SOURCES})
  target_include_directories(hp_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(hp_${name} PUBLIC ${ARG_DEPS})
endfunction()

# hp_test(NAME SOURCES... DEPS ... [LABELS ...] [LOCKS ...] [LOCKED FILTER]): a GoogleTest binary
# registered with CTest. LOCKS: host state its tests change that others must not change at the
# same time under `ctest -j` (e.g. host-accounts: useradd/groupadd/userdel on /etc/passwd and
# /etc/group). LOCKED: only the tests that match this --gtest_filter pattern take the LOCKS (the
# others run alongside anything); without it every test of the binary does.
# Every test runs with HOSTPROCESS_EPHEMERAL_UID_RECORD in the build tree (user/accounts.h): the
# ephemeral users its binaries make count there, not in the node's record.
set(HP_TEST_ENVIRONMENT
    "HOSTPROCESS_EPHEMERAL_UID_RECORD=${CMAKE_BINARY_DIR}/test-accounts/last-ephemeral-uid")
function(hp_test name)
  cmake_parse_arguments(ARG "" "LOCKED" "SOURCES;DEPS;LABELS;LOCKS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE HP_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             HP_BINARY_DIR="${CMAKE_BINARY_DIR}")
  # GoogleTest's EXPECT_*/ASSERT_* are an if/else of their own: GCC 12 takes one after an `if`
  # without braces for a dangling else (a false alarm), which -Werror made the release build's
  # error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE -Wno-dangling-else)
  endif()
  if(ARG_LOCKS AND ARG_LOCKED)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "${ARG_LOCKED}"
                         PROPERTIES LABELS "${ARG_LABELS}" RESOURCE_LOCK "${ARG_LOCKS}"
                                    ENVIRONMENT "${HP_TEST_ENVIRONMENT}")
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "-${ARG_LOCKED}"
                         PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "${HP_TEST_ENVIRONMENT}")
  elseif(ARG_LOCKS)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS "${ARG_LABELS}" RESOURCE_LOCK "${ARG_LOCKS}"
                                    ENVIRONMENT "${HP_TEST_ENVIRONMENT}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}"
                                                                ENVIRONMENT "${HP_TEST_ENVIRONMENT}")
  endif()
endfunction()

# The generated "hp_build_info.h" (HP_VERSION, HP_GIT_COMMIT), rewritten at every build by
# cmake/build_info.cmake when the commit changed; hp_use_build_info(TARGET) gives a target it.
add_custom_target(hp_build_info_header
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${CMAKE_BINARY_DIR}/generated/hp_build_info.h
          -DVERSION=${PROJECT_VERSION} -DCOMMIT=${HP_GIT_COMMIT}
          -P ${CMAKE_SOURCE_DIR}/cmake/build_info.cmake
  BYPRODUCTS ${CMAKE_BINARY_DIR}/generated/hp_build_info.h
  COMMENT "" VERBATIM)
function(hp_use_build_info target)
  target_include_directories(${target} PRIVATE ${CMAKE_BINARY_DIR}/generated)
  add_dependencies(${target} hp_build_info_header)
endfunction()
