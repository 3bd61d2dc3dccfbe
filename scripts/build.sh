#!/usr/bin/env bash
# Configures and builds one flavour: scripts/build.sh [release|asan|fuzz|windows] [TARGET...]
#   -> build/<flavour>; only the TARGETs when given (e.g. hostprocess), else everything.
# Warnings are errors here (HP_WERROR), as in CI. `windows` cross-compiles hostprocess.exe with
# MinGW-w64 (cmake/mingw-w64-x86_64.cmake, docs/windows.md).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DHP_SANITIZE=ON -DHP_BENCH=OFF) ;;
  fuzz) args=(-DCMAKE_BUILD_TYPE=Debug -DHP_FUZZ=ON -DHP_BENCH=OFF -DHP_TESTS=OFF
              -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  windows) args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake) ;;
  *) echo "usage: $0 [release|asan|fuzz|windows] [TARGET...]" >&2; exit 2 ;;
esac
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "build/$flavour" -G Ninja -DHP_WERROR=ON "${args[@]}" >/dev/null
targets=()
[ $# -eq 0 ] || targets=(--target "$@")
cmake --build "build/$flavour" -j "$(nproc)" "${targets[@]}"
