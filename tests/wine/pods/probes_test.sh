#!/usr/bin/env bash
# Wine tier: kubelet's probes in the Windows pod supervisor (windows/probes.h). A container
# that listens on a TCP port (tests/wine/helper's hp-test-helper.exe `listen`) becomes READY
# 1/1 through its tcpSocket readiness probe, after its initialDelaySeconds; one probed on a
# closed port stays 0/1 with the Unhealthy event in describe; an exec liveness probe that fails
# (`cmd /c exit 1`, run in the container's Job Object) restarts the container with kubelet's
# events, while one that succeeds (`cmd /c exit 0`) does not.
# Usage: probes_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
HP_ROOT='C:\hpprobes'
sup="hpprobes supervise-pod"
source "$(dirname "$0")/../wine_env.sh" "$1"
cd "$2"
helper="$(realpath -m "$(dirname "$1")/../../../tests/wine/helper/hp-test-helper.exe")"
if [ ! -f "$helper" ]; then
  echo "SKIP: $helper is not built (bash scripts/build.sh windows)"
  exit 77
fi
helper_win="Z:${helper//\//\\}"
cleanup() {
  for p in $(alive "$sup") $(alive "$helper_win") $(alive 127.0.0.7); do kill -9 "$p" 2>/dev/null; done
  wine_cleanup
}
trap cleanup EXIT
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g'; }  # a Windows path inside a JSON string
port=$((20000 + RANDOM % 20000))
closed=$((port + 1))

# pod NAME COMMAND PROBES: a HostProcess pod whose container `main` runs COMMAND (a JSON list)
# with PROBES (YAML lines of the container, indented by 4).
pod() {
  {
    echo "apiVersion: v1"
    echo "kind: Pod"
    echo "metadata:"
    echo "  name: $1"
    echo "  annotations:"
    echo "    microsoft.com/hostprocess-inherit-user: \"true\""
    echo "spec:"
    echo "  securityContext:"
    echo "    windowsOptions:"
    echo "      hostProcess: true"
    echo "  hostNetwork: true"
    echo "  containers:"
    echo "  - name: main"
    echo "    image: mcr.microsoft.com/windows/nanoserver:ltsc2022"
    echo "    command: $2"
    echo "$3"
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
said() { hp describe pods "$1" && grep -qF -- "$2" "$out/out"; }
wait_long() {  # wait_long CONDITION...: as wait_for, for up to 45 s
  for _ in $(seq 450); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

pod served "[\"$(esc "$helper_win")\", \"listen\", \"$port\"]" "    readinessProbe:
      tcpSocket:
        port: $port
      initialDelaySeconds: 4
      periodSeconds: 1
    livenessProbe:
      exec:
        command: [cmd, /c, exit 0]
      periodSeconds: 1
      failureThreshold: 1"
check "apply served: exit 0" test "$rc" -eq 0
pod closed '[cmd, /c, "ping -n 300 127.0.0.72 >nul"]' "    readinessProbe:
      tcpSocket:
        port: $closed
      periodSeconds: 1"
pod sick '[cmd, /c, "ping -n 300 127.0.0.73 >nul"]' "    livenessProbe:
      exec:
        command: [cmd, /c, exit 1]
      periodSeconds: 1
      failureThreshold: 2"

wait_for is served 3 Running
check "served: Running, not ready before its readiness probe ran (0/1)" is served 2 0/1
check "served: READY 1/1 once the tcpSocket probe connects" wait_for is served 2 1/1
check "served: its listener runs" process_up "$helper_win"

check "closed: Running" wait_for is closed 3 Running
check "closed: the Unhealthy event in describe" \
  wait_for said closed "Readiness probe failed: dial tcp "
check "closed: ...naming the closed port" grep -qF ":$closed: connect: connection refused" "$out/out"
check "closed: a Warning Unhealthy event" grep -qE 'Warning +Unhealthy' "$out/out"
check "closed: READY stays 0/1" is closed 2 0/1
check "closed: RESTARTS 0 (readiness never restarts)" is closed 4 0

check "sick: RESTARTS grows (exec liveness probe exits 1)" wait_long restarted sick
check "sick: the Unhealthy event in describe" \
  said sick 'Liveness probe failed: command "cmd /c exit 1" exited with 1'
check "sick: kubelet's Killing event" \
  grep -qF "Container main failed liveness probe, will be restarted" "$out/out"
check "sick: its last state is terminated" grep -q "Last State: *Terminated" "$out/out"

check "served: RESTARTS 0 (its exec liveness probe exits 0)" is served 4 0
check "served: still READY 1/1" is served 2 1/1

for p in served closed sick; do
  hp delete pod $p
  check "delete $p: exit 0" test "$rc" -eq 0
done
check "no supervisor left" process_gone "$sup"
check "no listener left" process_gone "$helper_win"

echo "wine probes: $pass passed, $fail failed"
[ $fail -eq 0 ]
