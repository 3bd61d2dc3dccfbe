# Sourced by the Wine pod tests whose containers run tests/wine/helper's hp-test-helper.exe
# (grace_test.sh, probes_test.sh): the test's own state root, wine_env.sh, the helper (exit 77,
# "skipped", when it is not built), a cleanup that stops the test's processes on any exit, and
# the pod writer and the column, event and wait helpers the tests share.
# Usage: source helper_pods.sh WINDOWS_EXE SOURCE_DIR ROOT [PATTERN...]
#   ROOT      the state root is C:\ROOT; its supervisors' command lines hold "ROOT supervise-pod"
#             (told apart from another pod test's running beside it)
#   PATTERN   command-line parts of the test's containers that are not the helper (cmd, ping)
# Sets HP_ROOT, sup, state (the root on the Linux side), helper and helper_win (its Linux and
# Windows paths); the working directory is SOURCE_DIR.
HP_ROOT="C:\\$3"
sup="$3 supervise-pod"
source "$(dirname "${BASH_SOURCE[0]}")/../wine_env.sh" "$1"
cd "$2" || exit 1
state="$WINEPREFIX/drive_c/$3"
helper="$(realpath -m "$(dirname "$1")/../../../tests/wine/helper/hp-test-helper.exe")"
if [ ! -f "$helper" ]; then
  echo "SKIP: $helper is not built (bash scripts/build.sh windows)"
  exit 77
fi
helper_win="Z:${helper//\//\\}"
cleanup_patterns=("$sup" "$helper_win" "${@:4}")
cleanup() {
  kill_ours "${cleanup_patterns[@]}"
  wine_cleanup
}
trap cleanup EXIT

esc() { printf '%s' "$1" | sed 's/\\/\\\\/g'; }  # a Windows path inside a JSON string
# json_list WORD...: the words as a JSON list of strings (backslashes escaped).
json_list() {
  local w list=
  for w in "$@"; do list+="\"$(esc "$w")\", "; done
  printf '[%s]' "${list%, }"
}
# apply_pod NAME COMMAND [CONTAINER_LINES] [SPEC_LINES]: writes and applies a HostProcess pod
# (the inherit-user annotation, hostNetwork) whose container `main` runs COMMAND (a JSON list),
# with CONTAINER_LINES (YAML of the container, indented by 4: probes) and SPEC_LINES (YAML of
# the pod's spec, indented by 2). Its exit code is in $rc.
apply_pod() {
  {
    echo "apiVersion: v1"
    echo "kind: Pod"
    echo "metadata:"
    echo "  name: $1"
    echo "  annotations:"
    echo "    microsoft.com/hostprocess-inherit-user: \"true\""
    echo "spec:"
    [ -z "${4:-}" ] || echo "$4"
    echo "  securityContext:"
    echo "    windowsOptions:"
    echo "      hostProcess: true"
    echo "  hostNetwork: true"
    echo "  containers:"
    echo "  - name: main"
    echo "    image: mcr.microsoft.com/windows/nanoserver:ltsc2022"
    echo "    command: $2"
    [ -z "${3:-}" ] || echo "$3"
  } >"$out/$1.yaml"
  hp apply -f "$out/$1.yaml"
}
# column NAME FIELD: pod NAME's column FIELD (2 READY, 3 STATUS, 4 RESTARTS) in `get pods`.
column() {
  hp get pods
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$out/out"
}
is() { test "$(column "$1" "$2")" = "$3"; }
restarted() { test "$(column "$1" 4)" -ge 1 2>/dev/null; }
# said NAME TEXT: `describe pods NAME` (left in $out/out) shows TEXT.
said() { hp describe pods "$1" && grep -qF -- "$2" "$out/out"; }
# logged NAME TEXT: a CRI log of pod NAME's container (any run) has a stdout line TEXT.
logged() { cat "$state/logs/default_$1/main/"*.log 2>/dev/null | grep -qF -- "stdout F $2"; }
wait_long() {  # wait_long CONDITION...: true once CONDITION holds, false after 45 s
  local end=$((SECONDS + 45))
  while [ "$SECONDS" -lt "$end" ]; do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
# delete_timed NAME: `delete pod NAME`, its wall time in milliseconds in $ms.
delete_timed() {
  local t0 t1
  t0=$(date +%s%N)
  hp delete pod "$1"
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
}
not() { ! "$@"; }  # for check and wait_for: CONDITION does not hold
