#!/usr/bin/env bash
# Sets up, builds and runs every test tier: the release build, then the ASan+UBSan build,
# then the fuzz targets for a bounded time. This is what CI runs (.ci/run). The release tier
# includes package_deb_test: the Debian package is built (cpack) from build/release and checked.
# Run as root (the e2e tests need it; setup uses sudo when run as another user).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
# hostprocess.exe (MinGW), for the release tier's `wine` tests (docs/windows.md).
bash scripts/build.sh windows
# The real-world image of the integration tests (Debian via mmdebstrap, built once and cached).
HP_DEBIAN_IMAGE=$(bash scripts/build-debian-test-image.sh)
export HP_DEBIAN_IMAGE
(cd build/release && ctest --output-on-failure -j 2 --timeout 300)
bash scripts/build.sh asan
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2 --timeout 600 -L unit)
if [ -f tests/fuzz/CMakeLists.txt ]; then
  bash scripts/build.sh fuzz
  bash tests/fuzz/run.sh build/fuzz "${HP_FUZZ_SECONDS:-30}"
fi
