#!/usr/bin/env bash
# The README's main job: set up, build, and run the example HostProcess DaemonSet on this node,
# offline. Grows with the project; today it validates the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
HP=build/release/src/cli/hostprocess/hostprocess
"$HP" --help | head -3
