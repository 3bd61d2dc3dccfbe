#!/usr/bin/env bash
# Runs every fuzz_<what> target under BUILD_DIR for SECONDS each (libFuzzer -max_total_time),
# seeded from tests/fuzz/<what>/corpus. Fails when there is no target, and on any finding
# (crash, sanitizer report, leak, timeout, out-of-memory); the finding's input is kept and named.
# Further arguments go to every target (libFuzzer flags). Targets run in parallel, HP_FUZZ_JOBS
# at a time (default: the number of CPUs).
#   tests/fuzz/run.sh build/fuzz 30 [-jobs=2 ...]
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS [LIBFUZZER_FLAG...]]}
seconds=${2:-30}
shift $(($# < 2 ? $# : 2))
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$build" ] || { echo "fuzz: no build directory \"$build\"" >&2; exit 1; }
mapfile -t bins < <(find "$build" -name CMakeFiles -prune -o -type f -name 'fuzz_*' -perm -u+x \
  -print | sort)
if [ "${#bins[@]}" -eq 0 ]; then
  echo "fuzz: no fuzz_* target under \"$build\" (configure with -DHP_FUZZ=ON and build)" >&2
  exit 1
fi
# One target: its own work dir, corpus and log; returns non-zero on a finding.
run_one() {
  local bin=$1 name work
  name=$(basename "$bin")
  work=$(mktemp -d "${TMPDIR:-/tmp}/hp-$name-XXXXXX")
  mkdir "$work/corpus" "$work/tmp"
  local seeds=()
  [ -d "$here/${name#fuzz_}/corpus" ] && seeds+=("$here/${name#fuzz_}/corpus")
  echo "fuzz: $name for ${seconds}s (${#seeds[@]} seed corpus)"
  # New inputs go to the first corpus directory, never into the checked-in seeds; the target's
  # own temp files go to $work/tmp, so a crash leaves them next to its input. -entropic=0:
  # clang 14's entropic schedule spends most of its time in UpdateFeatureFrequency on binaries
  # this large (fuzz_decode: 117 → 787 exec/s, with more coverage in the same time).
  if ! TMPDIR="$work/tmp" "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -entropic=0 -artifact_prefix="$work/" "${flags[@]}" "$work/corpus" "${seeds[@]}" </dev/null \
    >"$work/log" 2>&1; then
    tail -60 "$work/log"
    echo "fuzz: $name: FINDING; log and input kept in $work:" >&2
    ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' >&2 || true
    return 1
  fi
  echo "fuzz: $name: $(grep -E "^#[0-9]+.*DONE" "$work/log" | tail -1)"
  rm -rf "$work"
}

# The targets run side by side, HP_FUZZ_JOBS at a time (default: one per CPU).
jobs=${HP_FUZZ_JOBS:-$(nproc)}
flags=("$@")
pids=()
failed=0
for bin in "${bins[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$bin" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done  # each one's status (bash keeps it)
[ "$failed" -eq 0 ] || { echo "fuzz: a target had a finding (above)" >&2; exit 1; }
echo "fuzz: ${#bins[@]} target(s) ran ${seconds}s each without findings"
