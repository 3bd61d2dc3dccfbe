#!/usr/bin/env bash
# Runs every fuzz_* target under BUILD_DIR for SECONDS each, seeded from tests/fuzz/<area>/corpus
# when present. Fails on any finding.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
found=0
while IFS= read -r bin; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  seeds=()
  for c in "$here"/*/corpus/"$name"; do [ -d "$c" ] && seeds+=("$c"); done
  echo "fuzz: $name for ${seconds}s"
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -artifact_prefix="$work/" \
    "$work" "${seeds[@]}" >"$work/log" 2>&1 || { tail -40 "$work/log"; exit 1; }
  grep -E "^#[0-9]+.*DONE" "$work/log" | tail -1
  rm -rf "$work"
  found=$((found + 1))
done < <(find "$build" -type f -name 'fuzz_*' -perm -u+x | sort)
echo "fuzz: $found target(s) ran without findings"
