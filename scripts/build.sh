#!/usr/bin/env bash
# Configures and builds one flavour: scripts/build.sh [release|asan|ship|windows] [TARGET...]
#   release  RelWithDebInfo (g++): everything, tests and benchmarks included (build/release);
#   asan     clang, ASan+UBSan (-O1, linked with lld), libFuzzer coverage instrumentation on the
#            fuzz targets and the libraries they test: every test, fuzz target and benchmark
#            (build/asan); `fuzz` is another name for it;
#   ship     a stock Release (-O3) of only what is shipped, no tests (build/ship): what CI
#            packages;
#   windows  hostprocess.exe cross-compiled with MinGW-w64 (cmake/mingw-w64-x86_64.cmake,
#            docs/windows.md), static, Release (build/windows).
# Only the TARGETs when given (e.g. hostprocess), else everything of the flavour. The trees CI
# builds from scratch (asan, ship, windows) are unity builds (CMAKE_UNITY_BUILD: each target's
# sources compiled as a few translation units); release stays one unit per file for quick
# rebuilds.
# ccache is used when present; HP_JOBS sets the parallel compile jobs (default: nproc). Warnings are errors here (HP_WERROR), as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
args=()
compiler=()  # given only when the tree is configured from scratch (below)
case "$flavour" in
  release) args+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=OFF) ;;
  asan | fuzz)
    flavour=asan
    args+=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only"
           "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only" -DHP_SANITIZE=ON -DHP_FUZZ=ON
           -DCMAKE_UNITY_BUILD=ON "-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld")
    compiler=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  ship) args+=(-DCMAKE_BUILD_TYPE=Release -DHP_TESTS=OFF -DHP_BENCH=OFF -DCMAKE_UNITY_BUILD=ON) ;;
  windows) args+=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
                 -DCMAKE_UNITY_BUILD=ON) ;;
  *) echo "usage: $0 [release|asan|ship|windows] [TARGET...]" >&2; exit 2 ;;
esac
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# A tree configured with another compiler is made again from scratch: CMake would otherwise
# drop its cache on the compiler change and with it every option given here. A tree with the
# right compiler is configured without naming it again (CMake stores the full path, and a
# differently spelled name on the command line would make it drop the cache itself).
cache="build/$flavour/CMakeCache.txt"
if [ -f "$cache" ] && [ "$flavour" != windows ]; then  # windows: the toolchain file decides
  want=c++
  [ ${#compiler[@]} -eq 0 ] || want=clang++
  have=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")
  [[ "$have" == /* ]] || have=$(command -v "$have" || echo "$have")
  if [ "$(realpath "$(command -v "$want")")" != "$(realpath -m "$have")" ]; then
    echo "build: build/$flavour was configured with $have: configuring it again" >&2
    rm -rf "build/$flavour"
  else
    compiler=()
  fi
fi
cmake -S . -B "build/$flavour" -G Ninja -DHP_WERROR=ON "${args[@]}" "${compiler[@]}" >/dev/null
targets=()
[ $# -eq 0 ] || targets=(--target "$@")
cmake --build "build/$flavour" -j "${HP_JOBS:-$(nproc)}" "${targets[@]}"
