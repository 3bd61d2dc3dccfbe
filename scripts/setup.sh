#!/usr/bin/env bash
# Installs every Debian package hostprocess needs to build, test and run its examples
# (`--dev` adds the profiling and plotting tools of bench/ and docs/performance.md: linux-perf,
# gnuplot-nox, hyperfine; `--build` installs only what a build needs). Idempotent; run as root,
# or as a user with sudo. Offline after this step.
# dpkg-dev (dpkg-shlibdeps), systemd (systemd-analyze) and zsh: the package and completion tests.
# python3-grpcio/-grpc-tools/-protobuf: the CRI gRPC client of tests/e2e/cri (crictl is not in Debian).
# g++-mingw-w64-x86-64-posix and wine64: the Windows build and its Wine tier (docs/windows.md).
set -euo pipefail
# What the asan tree needs to build (clang, lld and the libraries) and mmdebstrap, which makes the
# Debian test image: `--build` installs only these, so that CI starts building while the rest
# installs (scripts/test.sh).
BUILD=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev lld
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-dev nlohmann-json3-dev libcli11-dev libfmt-dev libexpected-dev
  libarchive-dev libcurl4-openssl-dev libssl-dev libcap-dev libzstd-dev libseccomp-dev
  mmdebstrap
)
REST=(
  clang-format clang-tidy
  containerd runc docker-registry busybox-static
  iproute2 procps util-linux passwd file
  dpkg-dev systemd zsh
  python3-grpcio python3-grpc-tools python3-protobuf
  g++-mingw-w64-x86-64-posix wine64
  # zlib for the Windows build: gzip layers in `hostprocess.exe import` (docs/windows.md)
  libz-mingw-w64-dev
)
DEV=(linux-perf gnuplot-nox hyperfine)
PACKAGES=("${BUILD[@]}" "${REST[@]}")
case "${1:-}" in
  --build) PACKAGES=("${BUILD[@]}") ;;
  --dev) PACKAGES+=("${DEV[@]}") ;;
  "") ;;
  *) echo "usage: $0 [--build|--dev]" >&2; exit 2 ;;
esac
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
