#!/usr/bin/env bash
# The README's "Using it" block, run as it is written (issue 19 item 12): extracted from
# README.md and run in this shell with HP pointing at the built binary; every command must
# succeed, the pod must have run, and nothing of it may be left (pods, cgroups, mounts).
#   readme_test.sh SOURCE_DIR HOSTPROCESS_BINARY
set -euo pipefail
src=$1
export HP=$2
cd "$src"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
block=$(awk '/^## Using it/{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' README.md)
[ -n "$block" ] || { echo "FAIL: no sh block under '## Using it' in README.md"; exit 1; }
out=$(mktemp)
rootfile=$(mktemp)
# The block uses the default cgroup root (/hostprocess in every hierarchy), as a user would: the
# directories it makes there are removed again, those that were there are left.
cgroup_roots() { ls -d /sys/fs/cgroup/hostprocess /sys/fs/cgroup/*/hostprocess 2>/dev/null || true; }
cgroups_before=$(cgroup_roots)
cleanup() {
  local root d
  root=$(cat "$rootfile" 2>/dev/null || true)
  if [ -n "$root" ] && [ -d "$root" ]; then
    HOSTPROCESS_ROOT=$root "$HP" delete ds --all -n kube-system >/dev/null 2>&1 || true
    rm -rf "$root"
  fi
  for d in $(cgroup_roots); do
    grep -qxF "$d" <<<"$cgroups_before" || rmdir "$d" 2>/dev/null || true
  done
  rm -f "$out" "$rootfile"
}
trap cleanup EXIT
# The block as a script of its own (errexit applies to every line), which records its state
# directory for the clean-up whatever happens.
script="trap 'echo \"\${HOSTPROCESS_ROOT:-}\" >$rootfile' EXIT
$block"
bash -euo pipefail -x -c "$script" >"$out" 2>&1 || {
  cat "$out"
  echo "FAIL: the README's block failed"
  exit 1
}
cat "$out"
grep -q 'daemon set "privileged-daemonset" successfully rolled out' "$out"
grep -q '^uid=0(root)' "$out"
grep -q 'Process has admin rights: True' "$out"
grep -q 'daemonset.apps "privileged-daemonset" deleted' "$out"
root=$(cat "$rootfile")
left=$(ls "$root/run/pods" 2>/dev/null | wc -l)
[ "$left" = 0 ] || { echo "FAIL: $left pods left in $root/run/pods"; exit 1; }
for d in $(cgroup_roots); do
  grep -qxF "$d" <<<"$cgroups_before" && continue  # another user's: not ours to judge
  jobs=$(find "$d" -mindepth 1 -type d | head -3)
  [ -z "$jobs" ] || { echo "FAIL: cgroups left under $d: $jobs"; exit 1; }
done
echo PASS
