#!/usr/bin/env bash
# Wine tier: `delete` stops a pod's containers as hcsshim's job containers stop: each process of
# the container's Job Object gets CTRL_SHUTDOWN_EVENT (a thread at kernel32!CtrlRoutine, which
# Wine 8 runs: measured), the pod's terminationGracePeriodSeconds to end, then
# TerminateJobObject. The containers are tests/wine/helper's hp-test-helper.exe, whose console
# control handler writes what it got into a file under C:\marks, then exits after a delay or
# keeps running; the stock cmd/ping pair ends on the event by the default handler.
# Usage: grace_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/helper_pods.sh" "$1" "$2" hpgrace 127.0.0.71
marks="$WINEPREFIX/drive_c/marks"
mkdir -p "$marks"

# pod NAME GRACE|- ARGS...: a HostProcess pod whose container runs ARGS,
# terminationGracePeriodSeconds GRACE ("-": unset, the default 30 s).
pod() {
  local name=$1 grace=$2
  shift 2
  local spec=
  [ "$grace" = - ] || spec="  terminationGracePeriodSeconds: $grace"
  apply_pod "$name" "$(json_list "$@")" "" "$spec"
}
ready() { logged "$1" ready; }

# A program that shuts down cleanly: it gets the event, takes 1.5 s, exits; delete waits for
# that and no longer (its grace period is 20 s).
pod graceful 20 "$helper_win" ctrl-exit 'C:\marks\graceful.txt' 1500 0
check "apply graceful: exit 0" test "$rc" -eq 0
wait_for ready graceful
check "graceful: the container runs with its handler in place" ready graceful
delete_timed graceful
check "graceful: delete exit 0, kubectl's words" \
  test "$rc" -eq 0 -a "$(cat "$out/out")" = 'pod "graceful" deleted'
check "graceful: the container got CTRL_SHUTDOWN_EVENT (6)" grep -qx 'got 6' "$marks/graceful.txt"
check "graceful: its handler ran to its end (exiting)" grep -qx 'exiting' "$marks/graceful.txt"
check "graceful: delete waited for the handler (${ms} ms >= 1500)" test "$ms" -ge 1500
check "graceful: and not for the grace period (${ms} ms < 15000)" test "$ms" -lt 15000
check "graceful: no container process left" process_gone 'C:\marks\graceful.txt'
check "graceful: no supervisor left" process_gone "$sup"

# A program that ignores the event: it is terminated when its grace period (3 s) is over.
pod stubborn 3 "$helper_win" ctrl-ignore 'C:\marks\stubborn.txt'
wait_for ready stubborn
check "stubborn: the container runs with its handler in place" ready stubborn
delete_timed stubborn
check "stubborn: delete exit 0" test "$rc" -eq 0
check "stubborn: the container got CTRL_SHUTDOWN_EVENT (6)" grep -qx 'got 6' "$marks/stubborn.txt"
check "stubborn: delete waited the grace period (${ms} ms >= 3000)" test "$ms" -ge 3000
check "stubborn: then terminated the job (${ms} ms < 13000)" test "$ms" -lt 13000
check "stubborn: no container process left" process_gone 'C:\marks\stubborn.txt'

# terminationGracePeriodSeconds: 0 stops at once: no event, no wait.
# (A delete that sent the event and waited for the program would take its 20 s.)
pod prompt 0 "$helper_win" ctrl-exit 'C:\marks\prompt.txt' 20000 0
wait_for ready prompt
check "prompt: the container runs with its handler in place" ready prompt
delete_timed prompt
check "prompt: delete exit 0" test "$rc" -eq 0
check "prompt: no event was sent (grace 0)" test ! -e "$marks/prompt.txt"
check "prompt: delete did not wait (${ms} ms < 10000)" test "$ms" -lt 10000
check "prompt: no container process left" process_gone 'C:\marks\prompt.txt'

# Stock programs without a handler (cmd and its ping) end on the event by the default handler:
# with the default grace period (30 s) delete returns as soon as the job is empty.
pod plain - cmd /c "echo ready& ping -n 300 127.0.0.71 >nul"
wait_for ready plain
check "plain: the container and its ping run" process_up 127.0.0.71
delete_timed plain
check "plain: delete exit 0" test "$rc" -eq 0
check "plain: the default handler ended cmd and ping well within 30 s (${ms} ms < 10000)" \
  test "$ms" -lt 10000
check "plain: no container process left" process_gone 127.0.0.71

# A delete right after apply can write its `stop` before the new supervisor got to look: that
# one is obeyed (only a `stop` older than the supervisor is a stale one to remove): its
# container, which exits on the event, ends at once, or never starts; were the `stop` taken
# for a stale one, delete would wait out the grace period and 10 s more (30 s).
pod hasty 20 "$helper_win" ctrl-exit 'C:\marks\hasty.txt' 0 0
check "hasty: apply exit 0, nothing on stderr" test "$rc" -eq 0 -a ! -s "$out/err"
cp "$out/out" "$out/hasty-apply.out"
delete_timed hasty
if [ "$rc" -ne 0 ]; then
  # Seen once in CI (NotFound), never here: what apply said, and what the store holds now.
  echo "hasty: apply said: $(cat "$out/hasty-apply.out")"
  echo "hasty: the pods directory: $(ls -la "$state/pods" 2>&1)"
fi
check "hasty: delete right after apply: exit 0" test "$rc" -eq 0
check "hasty: it does not wait out the grace period (${ms} ms < 15000)" test "$ms" -lt 15000
check "hasty: no container process left" process_gone 'C:\marks\hasty.txt'

check "no supervisor left" process_gone "$sup"
check "no container volume left" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "no pod state left" test -z "$(ls -A "$state/pods" 2>/dev/null)"
check "no log left" test -z "$(ls -A "$state/logs" 2>/dev/null)"

echo "wine grace: $pass passed, $fail failed"
[ $fail -eq 0 ]
