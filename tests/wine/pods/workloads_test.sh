#!/usr/bin/env bash
# Wine tier: DaemonSets and restarts on the Windows node (docs/windows.md).
# - `apply` of a DaemonSet whose template fits the node (`kubernetes.io/os: windows`) gives it
#   one pod `<name>-<5 chars>`, Running, with kubectl's words and columns (`get pods`,
#   `get daemonsets`); `delete pod` of it brings it back under the same name (the controller);
#   a changed template is `configured` and replaces the pod; `delete daemonset` takes its pod
#   with it. A template for Linux nodes gets no pod (DESIRED 0).
# - A pod whose supervisor was killed (its container dies with it) is re-adopted by the next
#   apply: Running again with one restart; a container that ended under restartPolicy Never
#   does not run again.
# - The seed's own manifest, exactly as written, runs its pod; Wine cannot log on
#   NT AUTHORITY\SYSTEM, so the container's start fails with words that say so, and kubelet's
#   back-off shows CrashLoopBackOff.
# - Restart policies: Always restarts an exiting container (once at once, then with back-off)
#   after its init container ran; OnFailure keeps a container that succeeded Completed; Never
#   keeps a failed one Error. `logs --previous` prints the run before.
# Nothing is left at the end: processes, volumes, state, logs.
# Usage: workloads_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
# Its own state root: its supervisors (`<root> supervise-pod ...` on their command lines) are
# told apart from those of the other pod test when ctest runs them side by side.
HP_ROOT='C:\hpwork'
sup="hpwork supervise-pod"
source "$(dirname "$0")/../wine_env.sh" "$1"
cd "$2"
data=tests/wine/pods
cleanup() {
  kill_ours 127.0.0.82 "$sup"
  wine_cleanup
}
trap cleanup EXIT
state="$WINEPREFIX/drive_c/hpwork"
# The one pod of DaemonSet `agent` (its name), from the state directory.
agent_pod() { ls "$state/pods" 2>/dev/null | sed -n 's/^kube-system_\(agent-[a-z0-9]\{5\}\)$/\1/p'; }
pod_row() {  # pod_row NAMESPACE REGEX: get pods shows a row matching REGEX
  hp get pods -n "$1" && grep -Eq "$2" "$out/out"
}

# ---- a DaemonSet ------------------------------------------------------------------------------
hp apply -f $data/daemonset.yaml
check "apply daemonset: kubectl's words" test "$(cat "$out/out")" = "daemonset.apps/agent created"
check "apply daemonset: exit 0" test "$rc" -eq 0
wait_for pod_row kube-system '^agent-[a-z0-9]{5} +1/1 +Running +0 +[0-9]+s$'
check "get pods: the DaemonSet's pod is Running" \
  grep -Eq '^agent-[bcdfghjklmnpqrstvwxz2456789]{5} +1/1 +Running +0 +[0-9]+s$' "$out/out"
first=$(agent_pod)
check "the pod's container runs" test -n "$(alive 127.0.0.82)"
hp get daemonsets -n kube-system
check "get daemonsets: kubectl's header" \
  grep -Eq '^NAME +DESIRED +CURRENT +READY +UP-TO-DATE +AVAILABLE +NODE SELECTOR +AGE$' "$out/out"
check "get daemonsets: 1 desired, current, ready, up to date, available" \
  grep -Eq '^agent +1 +1 +1 +1 +1 +kubernetes.io/os=windows +[0-9]+s$' "$out/out"
# get -o json|yaml|name (the Linux build's API objects, api_objects.h): the pod is owned by its
# DaemonSet, the DaemonSet's status has the counts of the table above.
hp get pod "$first" -n kube-system -o json
check "get pod -o json: the Pod, owned by DaemonSet agent, on this node, Running" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
o = p["metadata"]["ownerReferences"][0]
assert p["kind"] == "Pod" and p["metadata"]["namespace"] == "kube-system" and p["metadata"]["uid"]
assert (o["kind"], o["name"], o["controller"]) == ("DaemonSet", "agent", True)
assert p["spec"]["nodeName"] and p["status"]["phase"] == "Running"
' "$out/out"
hp get pod "$first" -n kube-system -o yaml
check "get pod -o yaml: ownerReferences as kubectl lays them out, Running" bash -c \
  "grep -q '^  ownerReferences:\$' '$out/out' && grep -q '^    kind: DaemonSet\$' '$out/out' && grep -q '^  phase: Running\$' '$out/out'"
hp get daemonsets -n kube-system -o json
check "get daemonsets -o json: a List with agent's status (1 desired, 1 ready)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["items"][0]["status"]
assert d["kind"] == "List" and d["items"][0]["metadata"]["name"] == "agent"
assert s["desiredNumberScheduled"] == 1 and s["numberReady"] == 1
' "$out/out"
hp get ds -n kube-system -o name
check "get ds -o name: daemonset.apps/agent" test "$(cat "$out/out")" = "daemonset.apps/agent"
# Several types (a comma list, `all`) and TYPE/NAME, as the Linux build's get takes them.
hp get pods,ds -n kube-system
check "get pods,ds: both tables, names with their type, a blank line between" bash -c \
  "grep -Eq '^pod/$first +1/1 +Running ' '$out/out' && grep -Eq '^daemonset.apps/agent +1 +1 +1 +1 +1 ' '$out/out' &&
   test \$(grep -c '^\$' '$out/out') -eq 1 && test \$(grep -c '^NAME ' '$out/out') -eq 2"
hp get all -n kube-system -o name
check "get all -o name: the pod and the DaemonSet" \
  test "$(cat "$out/out")" = "$(printf 'pod/%s\ndaemonset.apps/agent' "$first")"
hp get ds/agent -n kube-system --no-headers
check "get ds/agent: its row alone" grep -Eq '^agent +1 +1 +1 +1 +1 ' "$out/out"
hp get pod/nothere -n kube-system
check "get pod/nothere: NotFound (exit 1)" bash -c \
  "test $rc -eq 1 && grep -qx 'Error from server (NotFound): pods \"nothere\" not found' '$out/err'"
hp get pods,bogus
check "get pods,bogus: the unknown type named (exit 1)" bash -c \
  "test $rc -eq 1 && grep -q 'the server doesn.t have a resource type \"bogus\"' '$out/err'"
# -A, -l, --field-selector, --show-labels and --no-headers, as the Linux build filters and
# prints them (get_filters.h).
hp get pods -A --show-labels
check "get pods -A --show-labels: NAMESPACE first, LABELS last" \
  grep -Eq '^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +LABELS$' "$out/out"
check "get pods -A --show-labels: the DaemonSet's pod, in kube-system, with its labels" \
  grep -Eq "^kube-system +$first +1/1 +Running +0 +[0-9]+s +(.*,)?app=agent(,.*)?$" "$out/out"
hp get pods -A -l app=agent --no-headers
check "get pods -A -l app=agent --no-headers: its row alone" bash -c \
  "test \$(wc -l <'$out/out') -eq 1 && grep -Eq '^kube-system +$first +1/1 +Running ' '$out/out'"
hp get pods -A -l 'app notin (agent)'
check "get pods -A -l matching none: kubectl's words, exit 0" bash -c \
  "test $rc -eq 0 && test \"\$(cat '$out/err')\" = 'No resources found' && test ! -s '$out/out'"
hp get pods -n kube-system --field-selector "status.phase=Running,metadata.name=$first" -o name
check "get pods --field-selector status.phase=Running,metadata.name=...: that pod" \
  test "$(cat "$out/out")" = "pod/$first"
hp get pods -n kube-system --field-selector status.phase!=Running
check "get pods --field-selector status.phase!=Running: none in kube-system" \
  test "$(cat "$out/err")" = "No resources found in kube-system namespace."
hp get ds -A --field-selector spec.nodeName=x
check "get ds --field-selector spec.nodeName: the API server's BadRequest, exit 1" bash -c \
  "test $rc -eq 1 && grep -qxF 'Error from server (BadRequest): Unable to find \"apps/v1, Resource=daemonsets\" that match label selector \"\", field selector \"spec.nodeName=x\": field label not supported: spec.nodeName' '$out/err'"
hp get pods -l 'app in (agent'
check "get pods -l with a bad selector: an error, exit 1" bash -c \
  "test $rc -eq 1 && grep -q '^error: ' '$out/err'"
hp get ds -A -l app=agent
check "get ds -A -l app=agent: NAMESPACE first, agent's row" bash -c \
  "grep -Eq '^NAMESPACE +NAME +DESIRED ' '$out/out' && grep -Eq '^kube-system +agent +1 +1 +1 +1 +1 ' '$out/out'"
# describe daemonsets: the Linux node's text (printers/describe.h) from the stored DaemonSet and
# its pod here.
hp describe daemonsets -n kube-system agent
check "describe daemonsets: exit 0" test "$rc" -eq 0
check "describe daemonsets: kubectl's fields, counts and template" \
  bash -c "grep -Eq '^Name: +agent\$' '$out/out' && grep -Eq '^Selector: +app=agent\$' '$out/out' && \
    grep -Eq '^Node-Selector: +kubernetes.io/os=windows\$' '$out/out' && \
    grep -Eq '^Labels: +app=agent\$' '$out/out' && \
    grep -qx 'Desired Number of Nodes Scheduled: 1' '$out/out' && \
    grep -qx 'Current Number of Nodes Scheduled: 1' '$out/out' && \
    grep -qx 'Number of Nodes Scheduled with Up-to-date Pods: 1' '$out/out' && \
    grep -qx 'Number of Nodes Scheduled with Available Pods: 1' '$out/out' && \
    grep -Eq '^Pods Status: +1 Running / 0 Waiting / 0 Succeeded / 0 Failed\$' '$out/out' && \
    grep -qx 'Pod Template:' '$out/out' && grep -Eq '^  Containers:\$' '$out/out' && \
    grep -Eq '^    Image: +mcr.microsoft.com/windows/nanoserver:ltsc2022\$' '$out/out'"
check "describe daemonsets: the controller's SuccessfulCreate event, as on Linux" \
  grep -Eq "^  Normal +SuccessfulCreate +[0-9]+s +daemonset-controller +Created pod: $first\$" "$out/out"
check "describe daemonsets: a DaemonSet that fits says nothing about scheduling" \
  test "$(grep -c '^Scheduling:' "$out/out")" -eq 0
# events (kubectl events; the Linux build's verb over node_pods.h): the controller's and the
# kubelet's events, oldest first, in kubectl's columns.
hp events -n kube-system
check "events: kubectl's header" grep -Eq '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$' "$out/out"
check "events: the DaemonSet's SuccessfulCreate, then its pod's Scheduled and Started" bash -c \
  "grep -nE '^[0-9]+s +Normal +SuccessfulCreate +daemonset/agent +Created pod: $first\$' '$out/out' >'$out/n1' &&
   grep -nE '^[0-9]+s +Normal +Scheduled +pod/$first +Successfully assigned kube-system/$first to ' '$out/out' >'$out/n2' &&
   grep -nE '^[0-9]+s +Normal +Started +pod/$first +Started container agent\$' '$out/out' >'$out/n3' &&
   [ \$(cut -d: -f1 '$out/n2') -lt \$(cut -d: -f1 '$out/n3') ]"
hp events -A --for "ds/agent" --no-headers
check "events -A --for ds/agent --no-headers: the DaemonSet's alone, its namespace first" bash -c \
  "test -s '$out/out' && ! grep -Evq '^kube-system +[0-9]+s +Normal +SuccessfulCreate +daemonset/agent ' '$out/out'"
hp events -n kube-system --types Warning
check "events --types Warning: only the warning (the image was never imported here)" bash -c \
  "test $rc -eq 0 && test \$(wc -l <'$out/out') -eq 2 &&
   grep -Eq '^[0-9]+s +Warning +ImageNotImported +pod/$first +container \"agent\": image ' '$out/out'"
hp events -n nowhere
check "events in an empty namespace: kubectl's words (exit 0)" bash -c \
  "test $rc -eq 0 && test \"\$(cat '$out/err')\" = 'No events found in nowhere namespace.'"
# A root of the layout before the stores were shared with Linux (daemonsets\ and
# daemonset-events\ beside pods\): the next command moves both back into desired\ and
# run\daemonsets\; the DaemonSet, its pod and its controller's events are all still there.
mkdir -p "$state/daemonsets" "$state/daemonset-events"
mv "$state/desired/daemonsets/kube-system_agent.json" "$state/daemonsets/"
mv "$state/run/daemonsets/kube-system_agent.events.json" "$state/daemonset-events/kube-system_agent.json"
hp events -A --for "ds/agent" --no-headers
check "old layout: the DaemonSet's events read back after the move" \
  grep -Eq "^kube-system +[0-9]+s +Normal +SuccessfulCreate +daemonset/agent +Created pod: $first\$" "$out/out"
check "old layout: both moved, the old directories gone" test -f "$state/desired/daemonsets/kube-system_agent.json" \
  -a -f "$state/run/daemonsets/kube-system_agent.events.json" -a ! -e "$state/daemonsets" -a ! -e "$state/daemonset-events"
check "old layout: the pod kept, running" test -d "$state/pods/kube-system_$first" -a -n "$(alive 127.0.0.82)"
hp events --types Bogus
check "events --types Bogus: refused (exit 1)" bash -c \
  "test $rc -eq 1 && grep -qx 'error: valid --types are Normal or Warning, got Bogus' '$out/err'"
hp describe ds -n kube-system no-such-ds
check "describe ds: an unknown DaemonSet is NotFound (exit 1)" test "$rc" -eq 1 -a \
  "$(cat "$out/err")" = 'Error from server (NotFound): daemonsets.apps "no-such-ds" not found'
hp describe pods -n kube-system "$first"
check "describe: kubectl's fields for the DaemonSet's pod" \
  bash -c "grep -Eq '^Name: +$first\$' '$out/out' && grep -Eq '^Controlled By: +DaemonSet/agent\$' \
    '$out/out' && grep -Eq '^ +State: +Running\$' '$out/out' && grep -Eq '^ +Restart Count: +0\$' \
    '$out/out' && grep -Eq '^Node-Selectors: +kubernetes.io/os=windows\$' '$out/out'"
hp describe pods -n kube-system no-such-pod
check "describe: an unknown pod is NotFound" \
  grep -qxF 'Error from server (NotFound): pods "no-such-pod" not found' "$out/err"
wait_for grep -q 'agent up' "$state/logs/kube-system_$first/agent/0.log"
hp logs -n kube-system "$first"
check "logs: what the DaemonSet's container wrote" grep -qx "agent up" "$out/out"
hp apply -f $data/daemonset.yaml
check "apply again: unchanged" test "$(cat "$out/out")" = "daemonset.apps/agent unchanged"
"$WINE" "$HP_EXE" --root "$HP_ROOT" apply -f - <$data/daemonset.yaml >"$out/out" 2>"$out/err"
check "apply -f - (stdin): unchanged" \
  test "$(tr -d '\r' <"$out/out")" = "daemonset.apps/agent unchanged"

hp delete pod -n kube-system "$first"
check "delete pod: kubectl's words" test "$(cat "$out/out")" = "pod \"$first\" deleted"
wait_for pod_row kube-system "^$first +1/1 +Running +0 +[0-9]+s$"
check "delete pod: the controller brings the pod back" \
  grep -Eq "^$first +1/1 +Running +0 +[0-9]+s$" "$out/out"

# A supervisor killed behind the node's back takes its container with it; the next apply
# re-adopts the pod (as on Linux): a new supervisor, the restart counted.
kill_ours "$sup kube-system_$first"
wait_for process_gone 127.0.0.82
check "kill -9 of the pod's supervisor: its container dies with it" test -z "$(alive 127.0.0.82)"
hp describe pods -n kube-system "$first"
check "describe: a pod whose supervisor died is Unknown (SupervisorLost)" \
  bash -c "grep -Eq '^Status: +Unknown\$' '$out/out' && grep -Eq '^Reason: +SupervisorLost\$' '$out/out'"
# apply without a file (at boot, after a crash; the Linux build's restore over node_pods.h):
# the pod whose supervisor died is started again, and said so.
hp apply
check "apply without -f: the re-adopted pod and the count, as the Linux build says them" \
  test "$(cat "$out/out")" = "$(printf 'started pod "kube-system/%s"\n1 pods on this node as applied: 1 started, 0 removed' "$first")"
hp apply -f $data/daemonset.yaml
check "apply after the supervisor died: unchanged" \
  test "$(cat "$out/out")" = "daemonset.apps/agent unchanged"
wait_for pod_row kube-system "^$first +1/1 +Running +1 \([0-9]+s ago\) +[0-9]+s$"
check "apply re-adopts the pod: Running again, one restart" \
  grep -Eq "^$first +1/1 +Running +1 \([0-9]+s ago\) +[0-9]+s$" "$out/out"
check "apply re-adopts the pod: its container runs again" test -n "$(alive 127.0.0.82)"
check "apply re-adopts the pod: one volume, the new container's" \
  test "$(ls "$WINEPREFIX/drive_c/hpc" | wc -l)" -eq 1

# A DaemonSet file that cannot be read is named, and its pod is left running, not removed as
# no longer wanted.
cp "$state/desired/daemonsets/kube-system_agent.json" "$out/ds.json"
echo '{"object": 1' >"$state/desired/daemonsets/kube-system_agent.json"
hp delete pod -n kube-system no-such-pod
check "a damaged DaemonSet file is named" grep -q 'kube-system_agent.json.*damaged' "$out/err"
check "a damaged DaemonSet file: its pod is kept, running" \
  test -d "$state/pods/kube-system_$first" -a -n "$(alive 127.0.0.82)"
cp "$out/ds.json" "$state/desired/daemonsets/kube-system_agent.json"

# A pod whose record cannot be read (half made by a command that was killed, or damaged) is
# named and removed, supervisor and container with it, and its DaemonSet's pod made again: the
# decisions of the Linux agent (agent::PlanReconcile). It was left, and never made again, before.
uid_before=$(sed -n 's/.*"uid":"\([^"]*\)".*/\1/p' "$state/pods/kube-system_$first/pod.json")
containers_before=$(alive 127.0.0.82 | wc -l)
echo '{"pod": ' >"$state/pods/kube-system_$first/pod.json"
hp delete pod -n kube-system no-such-pod
check "a pod record that cannot be read is named: removing it" \
  grep -q "pod \"kube-system_$first\": .*pod.json.*: removing it" "$out/err"
wait_for pod_row kube-system "^$first +1/1 +Running +0 +[0-9]+s$"
check "a pod record that cannot be read: its DaemonSet's pod is made again, Running" \
  grep -Eq "^$first +1/1 +Running +0 +[0-9]+s$" "$out/out"
uid_after=$(sed -n 's/.*"uid":"\([^"]*\)".*/\1/p' "$state/pods/kube-system_$first/pod.json")
check "a pod record that cannot be read: the pod made again is a new pod (uid)" \
  test -n "$uid_after" -a "$uid_after" != "$uid_before"
# The old container died with its supervisor (Wine's processes follow within seconds).
containers_as_before() { test "$(alive 127.0.0.82 | wc -l)" -eq "$containers_before"; }
wait_for containers_as_before
check "a pod record that cannot be read: as many container processes as before" \
  containers_as_before
check "a pod record that cannot be read: one container volume, the new container's" \
  test "$(ls "$WINEPREFIX/drive_c/hpc" | wc -l)" -eq 1

sed 's/echo agent up/echo agent v2/' $data/daemonset.yaml >"$out/daemonset-v2.yaml"
# apply --dry-run and diff (the Linux build's, dry_run.h, over node_pods.h): the applied
# DaemonSet is unchanged, the changed template would configure it, and neither changes it.
hp apply --dry-run=server -f $data/daemonset.yaml
check "apply --dry-run=server of the applied DaemonSet: unchanged" \
  test "$(cat "$out/out")" = "daemonset.apps/agent unchanged (server dry run)"
hp apply --dry-run=server -f "$out/daemonset-v2.yaml"
check "apply --dry-run=server of a changed template: configured" \
  test "$(cat "$out/out")" = "daemonset.apps/agent configured (server dry run)"
hp apply --dry-run=client -o name -f "$out/daemonset-v2.yaml"
check "apply --dry-run=client -o name: kubectl's name" \
  test "$(cat "$out/out")" = "daemonset.apps/agent"
hp apply --dry-run=server -o json -f "$out/daemonset-v2.yaml"
cp "$out/out" "$out/dry.json"
hp get ds agent -n kube-system -o json
check "apply --dry-run=server -o json: the live creationTimestamp and status, generation 2, the new command" \
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
live = json.load(open(sys.argv[2]))
assert d["metadata"]["creationTimestamp"] == live["metadata"]["creationTimestamp"], d["metadata"]
assert d["status"] == live["status"], (d["status"], live["status"])
assert d["metadata"]["generation"] == 2 and d["status"]["desiredNumberScheduled"] == 1, d
assert "agent v2" in " ".join(d["spec"]["template"]["spec"]["containers"][0]["command"])
' "$out/dry.json" "$out/out"
diff_with_copy -f "$out/daemonset-v2.yaml"
check "diff: exit 1 from the diff program" test "$rc" -eq 1
check "diff: kubectl's file names" bash -c "
  [ \"\$(ls '$out/live')\" = apps.v1.DaemonSet.kube-system.agent ] &&
  [ \"\$(ls '$out/merged')\" = apps.v1.DaemonSet.kube-system.agent ]"
check "diff: LIVE has the applied command and generation, MERGED the new ones" bash -c "
  grep -q 'echo agent up' '$out/live/apps.v1.DaemonSet.kube-system.agent' &&
  grep -qx '  generation: 1' '$out/live/apps.v1.DaemonSet.kube-system.agent' &&
  grep -q 'echo agent v2' '$out/merged/apps.v1.DaemonSet.kube-system.agent' &&
  grep -qx '  generation: 2' '$out/merged/apps.v1.DaemonSet.kube-system.agent'"
check "diff: its temporary directories are removed" \
  test -z "$(ls -d "$WINEPREFIX"/drive_c/users/*/Temp/LIVE-* "$WINEPREFIX"/drive_c/users/*/Temp/MERGED-* 2>/dev/null)"
hp diff -f $data/daemonset.yaml
check "diff without a diff program on PATH: kubectl's error (exit 2)" bash -c "[ $rc -eq 2 ] &&
  grep -qxF 'error: failed to run \"diff\": executable file not found in %PATH%' '$out/err'"
check "apply --dry-run and diff changed nothing: the same pod runs" \
  test "$(agent_pod)" = "$first" -a -n "$(alive 127.0.0.82)"
# get -w (the Linux build's get, over node_pods.h) watches the change of template below: the
# listing, then a row for each change until interrupted; the replaced pod's last row says
# Terminating.
"$WINE" "$HP_EXE" --root "$HP_ROOT" get pods -n kube-system -w </dev/null >"$out/watch" \
  2>"$out/watch.err" &
watcher=$!
wait_for grep -Eq "^$first +1/1 +Running" "$out/watch"
hp apply -f "$(winepath -w "$out/daemonset-v2.yaml" 2>/dev/null || echo "$out/daemonset-v2.yaml")"
check "apply a changed template: configured" \
  test "$(cat "$out/out")" = "daemonset.apps/agent configured"
wait_for pod_row kube-system '^agent-[a-z0-9]{5} +1/1 +Running'
second=$(agent_pod)
wait_for grep -Eq "^$second +1/1 +Running" "$out/watch"
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
check "get -w: the listing with kubectl's header first" bash -c "
  head -1 '$out/watch' | grep -Eq '^NAME +READY +STATUS +RESTARTS +AGE\$' &&
  sed -n 2p '$out/watch' | grep -Eq '^$first +1/1 +Running'"
check "get -w: the new pod's rows as it starts, without a header" bash -c "
  grep -Eq '^$second +1/1 +Running' '$out/watch' && [ \$(grep -c '^NAME ' '$out/watch') -eq 1 ]"
check "get -w: the replaced pod's last row is Terminating" \
  grep -Eq "^$first +[01]/1 +Terminating" "$out/watch"
hp get events -n kube-system
check "get events: kubectl's columns, the controller's SuccessfulCreate of the new pod" bash -c "
  grep -Eq '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE\$' '$out/out' &&
  grep -Eq '^[0-9]+s +Normal +SuccessfulCreate +daemonset/agent +Created pod: $second\$' '$out/out'"
check "a changed template: a new pod replaces the old one" \
  test -n "$second" -a "$second" != "$first" -a ! -d "$state/pods/kube-system_$first"
wait_for test -s "$state/logs/kube-system_$second/agent/0.log"
wait_for grep -q 'agent v2' "$state/logs/kube-system_$second/agent/0.log"
check "a changed template: the new pod runs the new command" \
  grep -q 'agent v2' "$state/logs/kube-system_$second/agent/0.log"
hp describe daemonsets -n kube-system agent
check "describe daemonsets: the old pod's SuccessfulDelete and the new one's SuccessfulCreate" \
  bash -c "grep -Eq '^  Normal +SuccessfulDelete .* daemonset-controller +Deleted pod: $first\$' '$out/out' &&
    grep -Eq '^  Normal +SuccessfulCreate .* daemonset-controller +Created pod: $second\$' '$out/out'"

# rollout (the Linux build's verb over node_pods.h): status once rolled out; restart stamps the
# template (kubectl.kubernetes.io/restartedAt), which replaces the pod as a changed template does.
hp rollout status ds/agent -n kube-system --timeout 60s
check "rollout status: kubectl's words once rolled out (exit 0)" bash -c \
  "test $rc -eq 0 && grep -qx 'daemon set \"agent\" successfully rolled out' '$out/out'"
hp rollout restart ds/agent -n kube-system
check "rollout restart: kubectl's words" test "$(cat "$out/out")" = "daemonset.apps/agent restarted"
check "rollout restart: the template is stamped" \
  grep -q 'kubectl.kubernetes.io/restartedAt' "$state/desired/daemonsets/kube-system_agent.json"
hp rollout status ds/agent -n kube-system --timeout 60s
check "rollout status after a restart: rolled out again (exit 0)" bash -c \
  "test $rc -eq 0 && grep -qx 'daemon set \"agent\" successfully rolled out' '$out/out'"
third=$(agent_pod)
check "rollout restart: a new pod replaced the last one" \
  test -n "$third" -a "$third" != "$second" -a ! -d "$state/pods/kube-system_$second"
hp rollout status ds/nothere -n kube-system
check "rollout status of an unknown DaemonSet: NotFound (exit 1)" bash -c \
  "test $rc -eq 1 && grep -qx 'Error from server (NotFound): daemonsets.apps \"nothere\" not found' '$out/err'"
hp rollout status pod/x
check "rollout status of a pod: kubectl's refusal (exit 1)" bash -c \
  "test $rc -eq 1 && grep -qx 'error: no status viewer has been implemented for Pod' '$out/err'"

# delete is the Linux build's verb (delete.cc over node_pods.h): -l and --all as kubectl's.
hp delete daemonset -n kube-system -l app=nothing
check "delete ds -l matching none: kubectl's words" bash -c \
  "test $rc -eq 0 && grep -qx 'No resources found' '$out/out'"
check "delete ds -l matching none: nothing deleted (its pod's container runs)" process_up 127.0.0.82
hp delete daemonset -n kube-system --all
check "delete daemonset --all: kubectl's words" \
  test "$(cat "$out/out")" = 'daemonset.apps "agent" deleted'
wait_for process_gone 127.0.0.82
check "delete daemonset: its pod's container is gone" test -z "$(alive 127.0.0.82)"
check "delete daemonset: its pod is gone" test -z "$(agent_pod)"
check "delete daemonset: its events go with it" test -z "$(ls -A "$state/daemonset-events" 2>/dev/null)"
hp get daemonsets -n kube-system
check "get daemonsets: none" grep -qxF "No resources found in kube-system namespace." "$out/err"

# ---- the examples: a Linux node's DaemonSet, then the seed's as written ----------------------
hp apply -f examples/privileged-daemonset-linux.yaml
check "apply the Linux example: created" \
  test "$(cat "$out/out")" = "daemonset.apps/privileged-daemonset created"
hp get daemonsets -n kube-system
check "the Linux example: nothing desired on a Windows node" \
  grep -Eq '^privileged-daemonset +0 +0 +0 +0 +0 +kubernetes.io/os=linux ' "$out/out"
check "the Linux example: no pod" test -z "$(ls "$state/pods")"
hp describe daemonsets -n kube-system privileged-daemonset
check "describe daemonsets: the Linux example is desired on no node, and says why" \
  bash -c "grep -qx 'Desired Number of Nodes Scheduled: 0' '$out/out' && \
    grep -Eq '^Pods Status: +0 Running / 0 Waiting / 0 Succeeded / 0 Failed\$' '$out/out' && \
    grep -Eq \"^Scheduling: +0/1 nodes are available: 1 node\\(s\\) didn't match Pod's node affinity/selector\\.\$\" '$out/out'"
hp apply -f examples/privileged-daemonset.yaml
check "apply the seed's example: configured" \
  test "$(cat "$out/out")" = "daemonset.apps/privileged-daemonset configured"
wait_for pod_row kube-system '^privileged-daemonset-[a-z0-9]{5} +0/1 +CrashLoopBackOff +1 \('
check "the seed's example: its pod runs into kubelet's back-off" \
  grep -Eq '^privileged-daemonset-[a-z0-9]{5} +0/1 +CrashLoopBackOff +1 \([0-9]+s ago\) +[0-9]+s$' \
  "$out/out"
seed=$(ls "$state/pods" | sed -n 's/^kube-system_//p')
hp logs -n kube-system "$seed"
check "the seed's example: its log says Wine cannot log on SYSTEM and what to do" \
  grep -q 'log on as "NT AUTHORITY\\SYSTEM": LogonUserW gave no usable token.*Wine.*hostprocess-inherit-user' \
  "$out/out"
hp delete -f examples/privileged-daemonset.yaml
check "delete -f: kubectl's words" \
  test "$(cat "$out/out")" = 'daemonset.apps "privileged-daemonset" deleted'
check "delete -f: its pod is gone" test -z "$(ls "$state/pods")"

# ---- restart policies -------------------------------------------------------------------------
hp apply -f $data/crash-pods.yaml
check "apply three pods: kubectl's words" \
  test "$(cat "$out/out")" = "$(printf 'pod/crasher created\npod/done-ok created\npod/done-bad created')"
wait_for pod_row default '^crasher +0/1 +CrashLoopBackOff +1 \([0-9]+s ago\) +[0-9]+s$'
check "Always: the exiting container restarts once, then backs off" \
  grep -Eq '^crasher +0/1 +CrashLoopBackOff +1 \([0-9]+s ago\) +[0-9]+s$' "$out/out"
wait_for pod_row default '^done-bad +0/1 +Error +0 +[0-9]+s$'
check "OnFailure: a container that succeeded stays Completed" \
  grep -Eq '^done-ok +0/1 +Completed +0 +[0-9]+s$' "$out/out"
check "Never: a container that failed stays Error" \
  grep -Eq '^done-bad +0/1 +Error +0 +[0-9]+s$' "$out/out"
check "the init container ran before" grep -q 'init ran' "$state/logs/default_crasher/setup/0.log"
check "each run has its log (kubelet's <restart>.log)" \
  test -s "$state/logs/default_crasher/main/0.log" -a -s "$state/logs/default_crasher/main/1.log"
hp logs crasher --previous
check "logs --previous: the run before" grep -qx "run " "$out/out"
check "status: the last state is the exit code 3, of the container that ended" \
  grep -Eq '"lastState":\{"containerID":"hostprocess://[0-9a-f]+","exitCode":3' \
  "$state/pods/default_crasher/status.json"
# kubelet's events and back-off words, from the code the Linux supervisor uses (kubelet_text.h);
# the pod has a uid, as kubelet's pods do.
check "status: kubelet's back-off message, the pod named with its uid" \
  grep -Eq '"message":"back-off 10s restarting failed container=main pod=crasher_default\([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\)"' \
  "$state/pods/default_crasher/status.json"
hp describe pods crasher
check "describe: kubelet's Scheduled, Created and Started events" \
  bash -c "grep -Eq '^  Normal +Scheduled .* default-scheduler +Successfully assigned default/crasher to [^ ]+\$' '$out/out' &&
    grep -Eq '^  Normal +Created .* kubelet +Created container main\$' '$out/out' &&
    grep -Eq '^  Normal +Started .* kubelet +Started container main\$' '$out/out'"
check "describe: the BackOff event" \
  grep -Eq '^  Warning +BackOff .* kubelet +Back-off restarting failed container main in pod crasher_default\([0-9a-f-]{36}\)$' "$out/out"
# --sort-by (the Linux build's order, printers/object_output.h): by a path's text, by a number.
hp get pods --sort-by .status.phase -o name
check "get pods --sort-by .status.phase: Failed, Running, Succeeded" \
  test "$(cat "$out/out")" = "$(printf 'pod/done-bad\npod/crasher\npod/done-ok')"
hp get pods --sort-by '{.status.containerStatuses[0].restartCount}' --no-headers
check "get pods --sort-by restartCount: the restarted crasher last, in the table" \
  test "$(awk '{print $1}' "$out/out" | tail -1)" = crasher
hp get pods --sort-by '{.bad'
check "get pods --sort-by with a bad path: an error (exit 1)" bash -c \
  "test $rc -eq 1 && grep -q '^error: ' '$out/err'"
hp delete pod crasher done-ok done-bad
check "delete three pods: kubectl's words" \
  test "$(cat "$out/out")" = "$(printf 'pod "crasher" deleted\npod "done-ok" deleted\npod "done-bad" deleted')"

# Re-adoption keeps the restart policy: a container that ended under Never does not run again.
hp apply -f $data/never-pod.yaml
wait_for process_up 127.0.0.84
wait_for grep -q once "$state/logs/default_never/once/0.log"
kill_ours "$sup default_never"
wait_for process_gone 127.0.0.84
hp apply -f $data/never-pod.yaml
wait_for process_up 127.0.0.84
check "re-adoption: the running container runs again" test -n "$(alive 127.0.0.84)"
check "re-adoption: a container that ended under Never did not run again" \
  test "$(grep -c once "$state/logs/default_never/once/0.log")" -eq 1
check "re-adoption: its end is kept (Completed, no restart), the other restarted once" \
  bash -c "grep -q '\"name\":\"once\",\"pid\":0,\"ready\":false,\"restartCount\":0,\"started\":true,\"state\":{\"containerID\":\"hostprocess://[0-9a-f]*\",\"exitCode\":0,[^}]*\"kind\":\"terminated\",[^}]*\"reason\":\"Completed\"' '$state/pods/default_never/status.json' && grep -q '\"name\":\"long\",\"pid\":[1-9][0-9]*,\"ready\":true,\"restartCount\":1' '$state/pods/default_never/status.json'"
hp delete pod never

wait_for process_gone "$sup"
check "nothing left: no supervisor" test -z "$(alive "$sup")"
check "nothing left: no container volume" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "nothing left: no pod state" test -z "$(ls -A "$state/pods" 2>/dev/null)"
check "nothing left: no DaemonSet" test -z "$(ls -A "$state/desired/daemonsets" 2>/dev/null)"
check "nothing left: no log" test -z "$(ls -A "$state/logs" 2>/dev/null)"

echo "wine workloads: $pass passed, $fail failed"
[ $fail -eq 0 ]
