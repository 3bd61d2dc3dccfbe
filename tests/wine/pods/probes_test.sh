#!/usr/bin/env bash
# Wine tier: kubelet's probes in the Windows pod supervisor (windows/probes.h). The containers
# are tests/wine/helper's hp-test-helper.exe (a TCP listener, an HTTP server answering with a
# fixed status, a program with a console control handler, a command that writes 1 MB) or cmd.
# - tcpSocket readiness: a listener becomes READY 1/1 after initialDelaySeconds; a closed port
#   stays 0/1 with the Unhealthy event in describe.
# - httpGet: readiness on a 200 server goes 0/1 -> 1/1; liveness on a 500 server restarts the
#   container with kubelet's events ("HTTP probe failed with statuscode: 500").
# - startup: a failing startup probe holds the container back (not started, READY 0/1, its
#   readiness probe never sent) until its failureThreshold restarts it; a passing one lets its
#   readiness probe run (1/1).
# - exec (run in the container's Job Object): exit 1 restarts the container, exit 0 does not;
#   the Unhealthy event has the command's output (stdout and stderr, 10 KiB kept, Linux's rule),
#   read while it runs (1 MB, more than a pipe holds, does not block it); one past its
#   timeoutSeconds is cut there ("timed out"), and a process it left behind holding the pipe
#   does not hold the next run up.
# - a liveness restart stops the container as delete does: CTRL_SHUTDOWN_EVENT and the probe's
#   terminationGracePeriodSeconds (over the pod's), then TerminateJobObject at its end.
# Usage: probes_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
# Its containers ping 127.0.0.6x: an address no other Wine test uses, so that its checks for
# processes left (by command line) see none of the tests ctest runs beside it (they use .7x-.9x).
source "$(dirname "$0")/helper_pods.sh" "$1" "$2" hpprobes 127.0.0.6
marks="$WINEPREFIX/drive_c/marks"
mkdir -p "$marks"
# Below the kernel's ephemeral range (32768-60999): no client socket of another test (or a
# probe's own, connecting to itself) holds the closed port.
port=$((20000 + RANDOM % 12000))
closed=$((port + 1)) web=$((port + 2)) bad=$((port + 3)) gate=$((port + 4)) go=$((port + 5))
# status NAME PYTHON: evaluates PYTHON on pod NAME's status.json (`s`; `c`: its container;
# `ev(reason)`: its events of that reason) and prints the result.
status() {
  /usr/bin/python3 - "$state/pods/default_$1/status.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["containers"][0]
ev = lambda reason: [e for e in s.get("events", []) if e["reason"] == reason]
print(eval(sys.argv[2]))
PY
}
# unhealthy_runs NAME N: pod NAME's Unhealthy events count N runs or more.
unhealthy_runs() { test "$(status "$1" 'sum(e["count"] for e in ev("Unhealthy"))')" -ge "$2"; }

# ---- tcpSocket and exec (the probes that ran before) -------------------------------------------
apply_pod served "$(json_list "$helper_win" listen "$port")" "    readinessProbe:
      tcpSocket:
        port: $port
      initialDelaySeconds: 6
      periodSeconds: 1
    livenessProbe:
      exec:
        command: [cmd, /c, exit 0]
      periodSeconds: 1
      timeoutSeconds: 10
      failureThreshold: 3"
check "apply served: exit 0" test "$rc" -eq 0
# httpGet readiness on a server that answers 200, after initialDelaySeconds 6.
apply_pod web "$(json_list "$helper_win" http "$web" 200)" "    readinessProbe:
      httpGet:
        path: /ready
        port: $web
      initialDelaySeconds: 6
      periodSeconds: 1"
check "apply web: exit 0" test "$rc" -eq 0

wait_for is served 3 Running
wait_for is web 3 Running
check "served: Running, not ready before its readiness probe ran (0/1)" is served 2 0/1
check "web: Running, not ready before its httpGet probe ran (0/1)" is web 2 0/1
apply_pod closed '[cmd, /c, "ping -n 300 127.0.0.62 >nul"]' "    readinessProbe:
      tcpSocket:
        port: $closed
      periodSeconds: 1"
apply_pod sick '[cmd, /c, "ping -n 300 127.0.0.63 >nul"]' "    livenessProbe:
      exec:
        command: [cmd, /c, exit 1]
      periodSeconds: 1
      failureThreshold: 2"
check "served: READY 1/1 once the tcpSocket probe connects" wait_for is served 2 1/1
check "served: its listener runs" process_up "$helper_win listen $port"

check "closed: Running" wait_for is closed 3 Running
check "closed: the Unhealthy event in describe" \
  wait_for said closed "Readiness probe failed: dial tcp "
check "closed: ...naming the closed port" grep -qF ":$closed: connect: connection refused" "$out/out"
check "closed: a Warning Unhealthy event" grep -qE 'Warning +Unhealthy' "$out/out"
check "closed: READY stays 0/1" is closed 2 0/1
check "closed: RESTARTS 0 (readiness never restarts)" is closed 4 0

check "web: READY 1/1 once the httpGet probe gets 200" wait_for is web 2 1/1
check "web: the server got kubelet's request for the probe's path" \
  logged web "request GET /ready HTTP/1.1"
check "web: no Unhealthy event (200 is a success)" not said web Unhealthy
check "web: RESTARTS 0" is web 4 0

check "sick: RESTARTS grows (exec liveness probe exits 1)" wait_long restarted sick
check "sick: the Unhealthy event in describe" \
  said sick 'Liveness probe failed: command "cmd /c exit 1" exited with 1'
check "sick: kubelet's Killing event" \
  grep -qF "Container main failed liveness probe, will be restarted" "$out/out"
check "sick: its last state is terminated" grep -q "Last State: *Terminated" "$out/out"

# (A probe that exits 0 must not restart it; its 10 s timeout and 3 failures keep a slow `cmd`
# start under a loaded Wine from looking like a failure: seen once with the 1 s default.)
check "served: RESTARTS 0 (its exec liveness probe exits 0)" is served 4 0
check "served: still READY 1/1" is served 2 1/1
for p in served closed sick web; do
  hp delete pod $p
  check "delete $p: exit 0" test "$rc" -eq 0
done

# ---- httpGet liveness on a server that answers 500 ---------------------------------------------
apply_pod broken "$(json_list "$helper_win" http "$bad" 500)" "    livenessProbe:
      httpGet:
        path: /healthz
        port: $bad
      periodSeconds: 1
      failureThreshold: 2"
check "broken: RESTARTS grows (httpGet liveness probe gets 500)" wait_long restarted broken
check "broken: kubelet's Unhealthy event" \
  said broken "Liveness probe failed: HTTP probe failed with statuscode: 500"
check "broken: kubelet's Killing event" \
  grep -qF "Container main failed liveness probe, will be restarted" "$out/out"
check "broken: the server got the probe's request" \
  wait_for logged broken "request GET /healthz HTTP/1.1"

# ---- startup probes --------------------------------------------------------------------------
# gated: its startup probe fails (5 times, then a restart); its readiness probe would pass (its
# server answers 200) but must not run before the startup probe passed.
apply_pod gated "$(json_list "$helper_win" http "$gate" 200)" "    startupProbe:
      exec:
        command: [cmd, /c, exit 1]
      periodSeconds: 1
      failureThreshold: 5
    readinessProbe:
      httpGet:
        port: $gate
      periodSeconds: 1"
# opened: its startup probe (httpGet) passes, then its readiness probe runs.
apply_pod opened "$(json_list "$helper_win" http "$go" 200)" "    startupProbe:
      httpGet:
        path: /started
        port: $go
      periodSeconds: 1
      failureThreshold: 30
    readinessProbe:
      httpGet:
        path: /ready
        port: $go
      periodSeconds: 1"
check "gated: its server runs" wait_for logged gated serving
check "gated: the Startup probe's Unhealthy event" \
  wait_for said gated 'Startup probe failed: command "cmd /c exit 1" exited with 1'
check "gated: READY 0/1 while its startup probe fails" is gated 2 0/1
check "gated: not started (status.json)" test "$(status gated 'c["started"]')" = False
check "gated: its readiness probe was never sent" not logged gated "request GET"
check "gated: restarted at the startup probe's failureThreshold" wait_long restarted gated
check "gated: kubelet's Killing event" \
  said gated "Container main failed startup probe, will be restarted"
check "gated: still READY 0/1 after its restart" is gated 2 0/1
check "gated: ...and no readiness request" not logged gated "request GET"
check "opened: READY 1/1 once its startup and readiness probes passed" wait_for is opened 2 1/1
check "opened: started (status.json)" test "$(status opened 'c["started"]')" = True
check "opened: the startup probe's request" logged opened "request GET /started HTTP/1.1"
check "opened: then the readiness probe's" logged opened "request GET /ready HTTP/1.1"
check "opened: RESTARTS 0" is opened 4 0
for p in broken gated opened; do
  hp delete pod $p
  check "delete $p: exit 0" test "$rc" -eq 0
done

# ---- the exec probe's output -----------------------------------------------------------------
# Its command writes a line on stderr, then 1 MB on stdout (more than a pipe holds: a probe that
# read only after the command ended would see it blocked until its timeout, 20 s).
apply_pod noisy '[cmd, /c, "ping -n 300 127.0.0.64 >nul"]' "    livenessProbe:
      exec:
        command: $(json_list "$helper_win" spew 1000000 3)
      timeoutSeconds: 20
      periodSeconds: 1
      failureThreshold: 1000"
apply_pod slow '[cmd, /c, "ping -n 300 127.0.0.67 >nul"]' "    readinessProbe:
      exec:
        command: [cmd, /c, \"echo waiting& ping -n 300 127.0.0.65 >nul\"]
      timeoutSeconds: 1
      periodSeconds: 2"
check "noisy: the Unhealthy event has the command's output (stderr first)" \
  wait_long said noisy "Liveness probe failed: spew: exiting with 3"
check "noisy: ...and its stdout" grep -qF "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "$out/out"
check "noisy: not timed out (the output was read while it ran)" not grep -qF "timed out" "$out/out"
msg_len=$(status noisy 'len(ev("Unhealthy")[0]["message"])')
check "noisy: the message is cut at 10 KiB, as on Linux (${msg_len} bytes)" \
  test "${msg_len:-0}" -gt 10000 -a "${msg_len:-0}" -le $((10240 + 23))
check "noisy: RESTARTS 0 (failureThreshold 1000)" is noisy 4 0
# slow: its readiness command outlives timeoutSeconds (1 s) and leaves a ping behind that holds
# the output pipe's write end for 300 s: each run is cut at its timeout ("timed out"), and the
# next runs on time (the capture does not wait for the pipe to close).
check "slow: the Unhealthy event says the command timed out" wait_long said slow \
  'Readiness probe failed: command "cmd /c echo waiting& ping -n 300 127.0.0.65 >nul" timed out'
check "slow: the probe keeps running on time (3 runs)" wait_long unhealthy_runs slow 3
check "slow: READY 0/1" is slow 2 0/1
for p in noisy slow; do
  hp delete pod $p
  check "delete $p: exit 0" test "$rc" -eq 0
done

# ---- a liveness restart's grace period ---------------------------------------------------------
# patient: its handler takes 1.5 s and exits 7; the pod's grace period (1 s) would cut it short,
# the probe's own (20 s) wins. stubborn: its handler ignores the event; the probe's grace period
# (4 s) ends with TerminateJobObject (exit code 1).
apply_pod patient "$(json_list "$helper_win" ctrl-exit 'C:\marks\patient.txt' 1500 7)" \
  "    livenessProbe:
      exec:
        command: [cmd, /c, exit 1]
      initialDelaySeconds: 3
      periodSeconds: 1
      failureThreshold: 1
      terminationGracePeriodSeconds: 20" "  terminationGracePeriodSeconds: 1"
apply_pod stubborn "$(json_list "$helper_win" ctrl-ignore 'C:\marks\stubborn.txt')" \
  "    livenessProbe:
      exec:
        command: [cmd, /c, exit 1]
      initialDelaySeconds: 3
      periodSeconds: 1
      failureThreshold: 1
      terminationGracePeriodSeconds: 4"
check "patient: restarted by its liveness probe" wait_long restarted patient
check "patient: the container got CTRL_SHUTDOWN_EVENT (6)" grep -qx 'got 6' "$marks/patient.txt"
check "patient: its handler ran to its end (the probe's grace, not the pod's 1 s)" \
  grep -qx 'exiting' "$marks/patient.txt"
check "patient: its last state is the handler's exit code 7" \
  test "$(status patient 'c["lastState"]["exitCode"]')" = 7
# kill_to_end NAME: the seconds from the liveness Killing to the end it caused, read from one
# status: the events are aggregated (first, last, count), so under load, where the container may
# have been restarted again meanwhile, the Killing is its last one when that came before the
# last end, and "-" while a kill is in progress (asked again).
kill_to_end() {
  status "$1" '(lambda f, k: f - (k["first"] if k["count"] == 1 else k["last"]) if (k["last"] if k["count"] > 1 else k["first"]) <= f else "-")(c["lastState"]["finishedAt"], ev("Killing")[0])'
}
# measured NAME: kill_to_end reads a number (kept in $waited), not "-": the first reading after
# the restart is taken, so that a later kill (which Wine may leave to run out its grace period,
# docs/windows.md) is not what is measured.
measured() {
  waited=$(kill_to_end "$1")
  [ -n "$waited" ] && [ "$waited" != - ]
}
wait_for measured patient
check "patient: and it did not wait the grace period out (${waited} s)" \
  test "$waited" != - -a "${waited:-99}" -le 9
check "stubborn: restarted by its liveness probe" wait_long restarted stubborn
check "stubborn: the container got CTRL_SHUTDOWN_EVENT (6)" grep -qx 'got 6' "$marks/stubborn.txt"
check "stubborn: terminated at the end of the probe's grace period (exit code 1)" \
  test "$(status stubborn 'c["lastState"]["exitCode"]')" = 1
wait_for measured stubborn
check "stubborn: ...which it was given (${waited} s, 4 s grace)" \
  test "$waited" != - -a "${waited:-0}" -ge 3 -a "${waited:-99}" -le 10
for p in patient stubborn; do
  hp delete pod $p
  check "delete $p: exit 0" test "$rc" -eq 0
done

check "no supervisor left" process_gone "$sup"
check "no listener (or other helper) left" process_gone "$helper_win"
# A Linux process of Wine's can outlive, by a moment, the Windows process TerminateJobObject
# ended (seen once under load in CI): waited for, up to 15 s; what is left is named.
check "no container process left" wait_for process_gone 127.0.0.6
left=$(alive 127.0.0.6)
[ -z "$left" ] || ps -o pid=,etime=,args= -p "$(echo $left | tr ' ' ,)"
check "no container volume left" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "no pod state left" test -z "$(ls -A "$state/pods" 2>/dev/null)"

echo "wine probes: $pass passed, $fail failed"
[ $fail -eq 0 ]
