# The libraries of a Windows build. Debian ships no MinGW builds of fmt, nlohmann-json,
# tl-expected or CLI11, but all four can be used as headers: their Debian headers are staged
# into the build tree (only those directories, never all of /usr/include) and exposed under the
# same target names as the Linux packages' CMake configs, so the core's CMakeLists need no
# platform branches. fmt runs in header-only mode. libyaml, libarchive, curl, OpenSSL, libcap
# and zstd have no Windows build here: the modules that need them are not built for Windows
# (docs/windows.md).
set(_staged ${CMAKE_BINARY_DIR}/hp-headers)
foreach(dir fmt nlohmann CLI tl)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "Windows build: /usr/include/${dir} is missing (bash scripts/setup.sh)")
  endif()
  file(MAKE_DIRECTORY ${_staged})
  file(CREATE_LINK /usr/include/${dir} ${_staged}/${dir} SYMBOLIC)
endforeach()

add_library(hp_staged_headers INTERFACE)
target_include_directories(hp_staged_headers SYSTEM INTERFACE ${_staged})
add_library(fmt::fmt INTERFACE IMPORTED)
target_link_libraries(fmt::fmt INTERFACE hp_staged_headers)
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY)
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_link_libraries(nlohmann_json::nlohmann_json INTERFACE hp_staged_headers)
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_link_libraries(CLI11::CLI11 INTERFACE hp_staged_headers)
find_package(Threads REQUIRED)

# Windows 10 APIs (PROC_THREAD_ATTRIBUTE_JOB_LIST); no min/max macros from <windows.h>.
add_compile_definitions(_WIN32_WINNT=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN UNICODE _UNICODE)
