#!/usr/bin/env bash
# Wine tier: `hostprocess.exe run -f` of HostProcess pods (SPEC §7, issue 14): the container
# volume C:\hpc\<id>\ with its trailing `\` in CONTAINER_SANDBOX_MOUNT_POINT (set last), the
# working directory, expansion in args and env, the exit code, the volume removed afterwards,
# a grandchild killed when the container ends (with a control run showing that, outside a
# job, the same grandchild survives), the container killed when its runner dies, and links in
# the volume removed without following them.
# Usage: run_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/../wine_env.sh" "$1"
cd "$2"
data=tests/wine/run
control_pid=""
cleanup() {
  [ -z "$control_pid" ] || kill "$control_pid" 2>/dev/null
  wine_cleanup
}
trap cleanup EXIT
run() {
  "$WINE" "$HP_EXE" run "$@" </dev/null >"$out/out" 2>"$out/err"
  rc=$?
  tr -d '\r' <"$out/out" >"$out/out.lf" && mv "$out/out.lf" "$out/out"
}
# The pids alive for ADDR, waiting up to 10 s for one to appear ("" when none did).
wait_alive() {
  local pids=""
  for _ in $(seq 100); do
    pids=$(alive "$1")
    [ -z "$pids" ] || break
    sleep 0.1
  done
  echo "$pids"
}

run -f $data/sandbox-pod.yaml
# Each line of a container's output comes as `[container] line`, as from Linux's run.
check "run: the container's lines prefixed with its name, as on Linux" \
  test "$(grep -vc '^\[shell\] ' "$out/out")" -eq 0 -a -s "$out/out"
sandbox=$(sed -n 's/^\[shell\] CONTAINER_SANDBOX_MOUNT_POINT=//p' "$out/out")
check "run: exit code of the container (3)" test "$rc" -eq 3
check "run: sandbox C:\\hpc\\<id>\\ with its trailing \\" \
  grep -Eq '^C:\\hpc\\[0-9a-f]{32}\\$' <<<"$sandbox"
check "run: the manifest cannot override the sandbox variable" \
  test "$(grep -ic '^\[shell\] CONTAINER_SANDBOX_MOUNT_POINT=' "$out/out")" -eq 1
check "run: %CONTAINER_SANDBOX_MOUNT_POINT% expanded in env" \
  grep -qxF "[shell] GREETING=hello from $sandbox" "$out/out"
check "run: working directory is the sandbox" grep -qxF "[shell] ${sandbox%\\}" "$out/out"
check "run: %CONTAINER_SANDBOX_MOUNT_POINT% expanded in args" grep -qxF "[shell] arg=$sandbox" "$out/out"
check "run: container volume removed" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "run: an image never imported is warned about" grep -q "is not imported" "$out/err"

# kubelet's environment, shared with Linux (plan::ManifestEnv): the downward API, `$(VAR)` in
# env values, command and args; `$$` escapes; an undefined name stays as written. The CPU
# limit's default is the node's allocatable CPU (no limit set), in millicores.
run -f $data/downward-pod.yaml
ncpu=$(nproc)
check "downward API and \$(VAR): exit 0" test "$rc" -eq 0
check "downward API and \$(VAR): kubelet's values, \$\$ kept, an undefined name as written" \
  grep -Eqx "\[shell\] name=downward ns=agents ip=[0-9.]+ cpu=$((ncpu * 1000)) label=probe both=agents/downward kept=\\\$\(POD_NAME\) undefined=\\\$\(NOPE\) ?" \
  "$out/out"

# File volumes (plan/payload.h, as on Linux): the service account volume the API server's
# admission adds, a downwardAPI volume and a projected one, written into the container volume.
run -f $data/file-volumes-pod.yaml
check "file volumes: exit 0" test "$rc" -eq 0
# cmd's echo. lines and type's output: each value on the line after its name.
value() { awk -v k="[shell] $1=" '$0 == k { getline; sub(/^\[shell\] /, ""); print; exit }' "$out/out"; }
check "file volumes: the service account's namespace file (the pod's namespace)" \
  test "$(value namespace)" = agents
check "file volumes: a local token (an unsigned JWT naming the pod's account)" bash -c \
  "tok=\$(awk -v k='[shell] token=' '\$0 == k { getline; sub(/^\\[shell\\] /, \"\"); print; exit }' '$out/out');
   claims=\$(printf '%s' \"\$tok\" | cut -d. -f2 | tr '_-' '/+');
   while [ \$(( \${#claims} % 4 )) -ne 0 ]; do claims=\"\$claims=\"; done;
   printf '%s' \"\$claims\" | base64 -d | grep -q '\"sub\":\"system:serviceaccount:agents:default\"'"
check "file volumes: ca.crt is there (the node has no CA: empty)" grep -qx '\[shell\] ca=present' "$out/out"
check "file volumes: downwardAPI labels in kubelet's format" bash -c \
  "grep -qx '\[shell\] app=\"probe\"' '$out/out' && grep -qx '\[shell\] tier=\"node\"' '$out/out'"
check "file volumes: downwardAPI resourceFieldRef (limits.cpu in 1m: none set, the node's CPUs)" \
  test "$(value cpu)" = $(($(nproc) * 1000))
check "file volumes: a projected volume's downwardAPI source at its nested path" \
  test "$(value name)" = files
run -f $data/no-token-pod.yaml
check "automountServiceAccountToken: false: no service account volume" \
  grep -qx '\[shell\] secrets=absent' "$out/out"

# Control: outside a job, the grandchild outlives its parent.
"$WINE" cmd /c "start /b ping -n 120 127.0.0.78 >nul& exit 0" </dev/null >/dev/null 2>&1
sleep 1
control_pid=$(alive 127.0.0.78 | head -1)
check "control: without a job the grandchild survives" test -n "$control_pid"
[ -z "$control_pid" ] || kill "$control_pid" 2>/dev/null
control_pid=""

"$WINE" "$HP_EXE" run -f $data/grandchild-pod.yaml </dev/null >"$out/out" 2>"$out/err" &
run_pid=$!
seen=$(wait_alive 127.0.0.77)
wait $run_pid
rc=$?
check "run: the grandchild runs while its container does" test -n "$seen"
check "run: grandchild pod exits 0" test "$rc" -eq 0
check "run: the grandchild dies with its container's job" test -z "$(alive 127.0.0.77)"

# Kill-on-job-close: the runner dies (kill -9), its container dies with the job's last handle.
"$WINE" "$HP_EXE" run -f $data/long-pod.yaml </dev/null >"$out/out" 2>"$out/err" &
run_pid=$!
seen=$(wait_alive 127.0.0.79)
kill -9 $run_pid
wait $run_pid 2>/dev/null
for _ in $(seq 50); do
  [ -n "$(alive 127.0.0.79)" ] || break
  sleep 0.1
done
check "run: the container runs" test -n "$seen"
check "run: killing the runner kills its container (kill-on-job-close)" \
  test -z "$(alive 127.0.0.79)"
# Its volume is files: the killed run recorded it (runs\<pid>.json) before making it, and the
# next command removes it.
# A record that names anything else (written by hand, or by another account before the root
# was private) removes nothing of it.
mkdir -p "$WINEPREFIX/drive_c/precious2" && echo keep >"$WINEPREFIX/drive_c/precious2/canary"
mkdir -p "$WINEPREFIX/drive_c/ProgramData/hostprocess/runs"
echo '{"pid":1,"startTime":0,"paths":["C:\\precious2"]}' \
  >"$WINEPREFIX/drive_c/ProgramData/hostprocess/runs/1.json"
killed_volume=$(ls "$WINEPREFIX/drive_c/hpc")
check "run: the killed run's volume is there until the next command" test -n "$killed_volume"
run -f $data/sandbox-pod.yaml
check "run: the next run removes the volume the killed run left" \
  test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "run: a run record naming another path removes nothing of it" \
  test "$(cat "$WINEPREFIX/drive_c/precious2/canary" 2>/dev/null)" = keep

# Links in a container volume are removed, never followed: the test plants Unix links (Wine's
# CreateSymbolicLinkW makes none) to a host directory with a file and to an empty host directory
# while the container runs. (The first Windows build's std::filesystem::remove_all deleted both
# targets here.) Wine removes a link's target instead of the link, so the links stay, named in a
# warning, and the container's exit code is kept.
host="$WINEPREFIX/drive_c/precious"
mkdir -p "$host/empty" && echo keep >"$host/canary"
# (The runner killed above left its volume: this run's is the one that was not there before.)
before=$(ls "$WINEPREFIX/drive_c/hpc" 2>/dev/null)
"$WINE" "$HP_EXE" run -f $data/link-pod.yaml </dev/null >"$out/link.out" 2>"$out/link.err" &
link_run=$!
volume=""
if [ -n "$(wait_alive 127.0.0.76)" ]; then
  new=$(ls "$WINEPREFIX/drive_c/hpc" | grep -vxF -f <(echo "$before"))
  [ -z "$new" ] || volume="$WINEPREFIX/drive_c/hpc/$new"
fi
check "links in the volume: the running container's volume is found" test -d "$volume"
if [ -d "$volume" ]; then
  ln -s "$host" "$volume/to-host"
  mkdir "$volume/deeper" && ln -s "$host/empty" "$volume/deeper/to-empty"
fi
wait $link_run
link_rc=$?
check "links in the volume: the container's exit code is kept (0)" test "$link_rc" -eq 0
check "links in the volume: the linked host file is kept" test "$(cat "$host/canary")" = keep
check "links in the volume: the linked empty host directory is kept" test -d "$host/empty"
check "links in the volume: the links left are named, with what to do" \
  grep -Eq 'Warning: container "shell": its volume .* is left: .*\\(to-host|deeper\\to-empty)" is a link, which Wine cannot remove without removing its target.*remove it by hand' \
  "$out/link.err"
[ -z "$volume" ] || rm -rf "$volume"  # rm does not follow the links
rm -rf "$host"

# Volume mounts are symbolic links in the volume, checked by effect: Wine's CreateSymbolicLinkW
# makes none, so the container does not start and the error says why (hostPath's
# DirectoryOrCreate made its directory first, as kubelet does). Sources and paths the layout
# cannot take are refused by name.
run -f $data/mount-pod.yaml
check "mounts: a link Wine did not make stops the container (exit 2)" test "$rc" -eq 2
check "mounts: the error names the mount, the link, its target and Wine" \
  grep -q 'volumeMount "logs" at "C:\\var\\log": no link "C:\\hpc\\[0-9a-f]*\\var\\log" to "C:\\hostlogs": CreateSymbolicLinkW reported success and made no link (Wine .* makes no links); volume mounts need Windows' \
  "$out/err"
check "mounts: hostPath DirectoryOrCreate made its directory" test -d "$WINEPREFIX/drive_c/hostlogs"
check "mounts: no volume left" test "$(ls "$WINEPREFIX/drive_c/hpc")" = "$before"
sed 's|path: C:\\hostlogs|path: \\\\.\\pipe\\docker_engine|' $data/mount-pod.yaml >"$out/pipe.yaml"
run -f "$out/pipe.yaml"
check "mounts: a named pipe source is refused with hcsshim's words" \
  grep -q 'named pipe mounts not supported for job containers - interact with the pipe directly' \
  "$out/err"
sed 's|mountPath: C:\\var\\log|mountPath: C:\\..\\Windows|' $data/mount-pod.yaml >"$out/escape.yaml"
run -f "$out/escape.yaml"
check "mounts: a mount path out of the volume is refused" \
  grep -q 'mountPath "C:\\..\\Windows" climbs out of the container volume' "$out/err"
sed 's|mountPath: /scratch|mountPath: /var/log/cache|' $data/mount-pod.yaml >"$out/nested.yaml"
run -f "$out/nested.yaml"
check "mounts: a mount inside another is refused (its link would land on the host)" \
  grep -q 'volumeMount "scratch" at "/var/log/cache": overlaps volumeMount "logs"' "$out/err"
sed 's|path: C:\\hostlogs|path: hostlogs|' $data/mount-pod.yaml >"$out/relative.yaml"
run -f "$out/relative.yaml"
check "mounts: a relative hostPath is refused" \
  grep -q 'hostPath "hostlogs" is not a full path' "$out/err"
sed 's|    emptyDir: {}|    nfs: {server: 127.0.0.1, path: /exports}|' \
  $data/mount-pod.yaml >"$out/nfs.yaml"
run -f "$out/nfs.yaml"
check "mounts: an nfs volume is refused by name" \
  grep -q 'volumeMount "scratch" at "/scratch": only hostPath, emptyDir, configMap, secret, downwardAPI and projected volumes' \
  "$out/err"
check "mounts: still no volume left" test "$(ls "$WINEPREFIX/drive_c/hpc")" = "$before"

run -f $data/service-account-pod.yaml
check "run: an account Wine cannot log on is refused (exit 2)" test "$rc" -eq 2
# The service logon is made (LOCAL SERVICE, the canonical name of "Local service") and its token
# checked: Wine's LogonUserW reports success with a handle that is no token.
check "run: the refusal names the account, Wine's fake logon and the annotation" \
  grep -q 'log on as "NT AUTHORITY\\LOCAL SERVICE": LogonUserW gave no usable token.*Wine.*hostprocess-inherit-user' \
  "$out/err"

# A local group as runAsUserName: an ephemeral user is made in it (hcsshim's order: the group
# check comes first). Wine's NetLocalGroupGetInfo succeeds for any name, so a group is taken
# only when LookupAccountNameW also names a local group; Wine's NetUserAdd reports success and
# makes no user that LookupAccountNameW finds, so the container does not start, and says why.
before=$(ls "$WINEPREFIX/drive_c/hpc")
run -f $data/group-pod.yaml
check "group: an ephemeral user Wine did not make stops the container (exit 2)" test "$rc" -eq 2
check "group: the error names the user (the id's first 20 characters), the group, NetUserAdd and Wine" \
  grep -Eq 'container "shell": make the ephemeral user "[0-9a-f]{20}" in group "Administrators": NetUserAdd reported success and made no such user .*Wine .* ephemeral users need Windows.*hostprocess-inherit-user' \
  "$out/err"
check "group: no volume and no run record left" \
  test "$(ls "$WINEPREFIX/drive_c/hpc")" = "$before" -a \
  -z "$(ls -A "$WINEPREFIX/drive_c/ProgramData/hostprocess/runs" 2>/dev/null)"
sed 's|runAsUserName: "Administrators"|runAsUserName: "nosuchgroup"|' $data/group-pod.yaml \
  >"$out/nogroup.yaml"
run -f "$out/nogroup.yaml"
check "group: a name that is no group (Wine's NetLocalGroupGetInfo says it is) logs on as a user" \
  grep -q 'container "shell": log on as "nosuchgroup": ' "$out/err"
check "group: ... and makes no ephemeral user" test "$(grep -c 'ephemeral' "$out/err")" -eq 0

# Input that cannot be read, and input with no pod, exit 1 as on Linux (docs/run.md); they
# exited 2 on Windows before.
run -f "$out/no-such-file.yaml"
check "run: an unreadable input exits 1, naming the file" \
  test "$rc" -eq 1 -a -n "$(grep -F "no-such-file.yaml" "$out/err")"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only}\n' >"$out/no-pod.yaml"
run -f "$out/no-pod.yaml"
check "run: an input with no pod exits 1" \
  test "$rc" -eq 1 -a "$(tr -d '\r' <"$out/err")" = "error: run needs exactly one Pod or DaemonSet in its input, found 0"
# A pod for another OS does not fit this node: the scheduler's words, exit 1, nothing runs.
sed 's|^    kubernetes.io/os: windows$|    kubernetes.io/os: linux|' $data/sandbox-pod.yaml >"$out/linux-only.yaml"
run -f "$out/linux-only.yaml"
check "run: a pod whose nodeSelector wants Linux is refused by the scheduler's words (exit 1)" \
  test "$rc" -eq 1 -a ! -s "$out/out" -a "$(tr -d '\r' <"$out/err")" = "hostprocess: Warning FailedScheduling: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.
  nodeSelector kubernetes.io/os=linux: node has kubernetes.io/os=windows"
run -f tests/data/k8s/hostprocess-pod-no-hostnetwork.yaml
check "run: a rejected manifest exits 1 with the API server's words" \
  grep -q "hostNetwork must be true" "$out/err"
[ "$rc" -eq 1 ] || { fail=$((fail + 1)); echo "FAIL  rejected manifest: exit $rc"; }
# Decode warnings, then admission's verdicts (one function for run and apply, as on Linux: the
# Linux build prints these two lines for this file).
want_warn_reject='Warning: tests/wine/run/warn-rejected-pod.yaml:15:3: Pod "x": field "status" is set by the cluster and is ignored
The Pod "x" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers'
run -f tests/wine/run/warn-rejected-pod.yaml
check "run: the decode warning, then the verdict (exit 1)" \
  test "$rc" -eq 1 -a "$(tr -d '\r' <"$out/err")" = "$want_warn_reject"
hp apply -f tests/wine/run/warn-rejected-pod.yaml
check "apply: the decode warning, then the verdict (exit 1), nothing applied" \
  test "$rc" -eq 1 -a "$(tr -d '\r' <"$out/err")" = "$want_warn_reject" -a -z "$(cat "$out/out")"

# What only Windows can show (docs/windows.md, "Untested"): hostprocess.exe detects Wine at run
# time (ntdll!wine_get_version) and says that the limits are not applied; each such check is
# then skipped here by name, never counted as passed.
run -f $data/limits-pod.yaml
wine_version=$("$WINE" --version 2>/dev/null | sed 's/^wine-//; s/ .*//')
check "run: a pod with limits runs (exit 0)" test "$rc" -eq 0
check "run: under Wine the limits are reported as not applied, naming Wine $wine_version" \
  grep -qF "container \"limited\": Wine $wine_version accepts Job Object limits without enforcing them" \
  "$out/err"
under_wine=$(grep -cF "accepts Job Object limits without enforcing them" "$out/err")
# hcsshim's storage QoS annotations: Wine 8 has no SetIoRateControlInformationJobObject, so the
# I/O rate is reported as not applied and the container runs; a value that is no number is
# ignored with a warning naming the annotation, as hcsshim ignores it.
run -f $data/io-pod.yaml
check "io: a pod with storage QoS annotations runs (exit 0)" test "$rc" -eq 0
check "io: a value that is no number is ignored by name" \
  grep -qF 'container "throttled": annotation io.microsoft.container.storage.qos.bandwidthmaximum: "10MB" is not a whole number' \
  "$out/err"
check "io: under Wine the I/O rate is reported as not applied, naming Wine $wine_version" \
  grep -qF "container \"throttled\": Wine $wine_version has no I/O rate control" "$out/err"
# Measured: Wine 8 fails JobObjectCpuRateControlInformation with error 87, so a pod with a CPU
# limit cannot start under Wine; the error names the job and the call.
run -f $data/cpu-limit-pod.yaml
check "run: under Wine a CPU limit cannot be set (exit 128, named)" \
  grep -qF 'set the CPU rate of job object "JobContainer_' "$out/err"
[ "$rc" -eq 128 ] || { fail=$((fail + 1)); echo "FAIL  CPU-limited pod: exit $rc"; }
# --timeout stops the pod as a delete does (its grace period, CTRL_SHUTDOWN_EVENT, then the
# job terminated) and ends with 124, as Linux's run.
run -f $data/long-pod.yaml --timeout 5parsecs
check "--timeout: a bad duration is refused by name (exit 1)" \
  test "$rc" -eq 1 -a -n "$(grep -F 'error: --timeout: invalid duration "5parsecs"' "$out/err")"
t0=$(date +%s%N)
run -v -f $data/long-pod.yaml --timeout 2s
ms=$((($(date +%s%N) - t0) / 1000000))
tr -d '\r' <"$out/err" >"$out/events"
check "-v: Linux run's events: started, the timeout, exited" \
  bash -c "grep -Eqx 'hostprocess: container \"shell\" started \(pid [0-9]+, sandbox C:\\\\hpc\\\\[0-9a-f]{32}\\\\\)' '$out/events' &&
    grep -qx 'hostprocess: timeout: stopping the pod' '$out/events' &&
    grep -Eqx 'hostprocess: container \"shell\" exited: exit code [0-9]+' '$out/events'"
check "--timeout 2s: exit 124" test "$rc" -eq 124
check "--timeout 2s: stopped after 2 s and long before the container's 2 minutes (${ms} ms)" \
  test "$ms" -ge 2000 -a "$ms" -lt 30000
check "--timeout: the container is gone" test -z "$(alive 127.0.0.79)"
check "--timeout: its volume is removed" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
helper="$(realpath -m "$(dirname "$1")/../../../tests/wine/helper/hp-test-helper.exe")"
if [ -f "$helper" ]; then
  marks="$WINEPREFIX/drive_c/marks"
  mkdir -p "$marks"
  rm -f "$marks/run-timeout.txt"
  helper_yaml=$(printf 'Z:%s' "${helper//\//\\}" | sed 's/\\/\\\\/g')  # for a "..." scalar
  cat >"$out/graceful.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: graceful
  annotations:
    microsoft.com/hostprocess-inherit-user: "true"
spec:
  terminationGracePeriodSeconds: 20
  securityContext:
    windowsOptions:
      hostProcess: true
  hostNetwork: true
  containers:
  - name: main
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    command: ["$helper_yaml", "ctrl-exit", "C:\\\\marks\\\\run-timeout.txt", "1500", "7"]
EOF
  t0=$(date +%s%N)
  run -f "$out/graceful.yaml" --timeout 3s
  ms=$((($(date +%s%N) - t0) / 1000000))
  check "without -v: the timeout said, the starts not" \
    bash -c "grep -q '^hostprocess: timeout: stopping the pod' '$out/err' && ! grep -q 'started (pid' '$out/err'"
  check "--timeout: the container got CTRL_SHUTDOWN_EVENT (6) and its handler ran to its end" \
    bash -c "grep -qx 'got 6' '$marks/run-timeout.txt' && grep -qx exiting '$marks/run-timeout.txt'"
  check "--timeout: exit 124 (not the container's 7), after its handler (${ms} ms >= 4500) and before the grace period's end" \
    test "$rc" -eq 124 -a "$ms" -ge 4500 -a "$ms" -lt 20000
else
  echo "skip  --timeout's grace period: $helper is not built"
fi

if [ "$under_wine" -gt 0 ]; then
  for name in "job memory limit enforced" "CPU rate hard cap" "CPU weight" \
    "active-process limit" "I/O rate control (storage QoS annotations)" \
    "LogonUserW service accounts" \
    "ephemeral users (NetUserAdd)" "volume mounts as directory symbolic links" \
    "ACLs on the container volume"; do
    echo "skip  $name: needs Windows (running under Wine $wine_version)"
  done
fi

echo "wine run: $pass passed, $fail failed"
[ $fail -eq 0 ]
