#!/usr/bin/env bash
# The README's main job, offline: install the packages, build, make the example image from
# Debian's busybox-static, apply the Linux variant of the seed's privileged DaemonSet on this
# node, and show its pod Running and its logs. State goes to $HOSTPROCESS_ROOT
# (default /var/lib/hostprocess); the DaemonSet keeps running until you delete it.
# Run it as root (cgroups, mounts); from another account it re-runs itself with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: run this as root (no sudo here)" >&2; exit 1; }
  exec sudo HOSTPROCESS_ROOT="${HOSTPROCESS_ROOT:-}" bash "$0" "$@"
fi
bash scripts/setup.sh
bash scripts/build.sh release hostprocess  # only what the demo runs (and its supervisor)
HP=build/release/src/cli/hostprocess/hostprocess
root=${HOSTPROCESS_ROOT:-/var/lib/hostprocess}
hp() { "$HP" --root "$root" "$@"; }
bash scripts/build-example-image.sh --root "$root" --hostprocess "$HP"
echo "+ hostprocess validate -f examples/privileged-daemonset.yaml   # the AKS seed, as the API server sees it"
hp validate -f examples/privileged-daemonset.yaml
echo "+ hostprocess apply -f examples/privileged-daemonset-linux.yaml"
hp apply -f examples/privileged-daemonset-linux.yaml
for _ in $(seq 100); do
  hp get pods -n kube-system --no-headers 2>/dev/null | grep -q ' Running ' && break
  sleep 0.1
done
echo "+ hostprocess get pods -n kube-system"
hp get pods -n kube-system
sleep 1
echo "+ hostprocess logs -n kube-system ds/privileged-daemonset"
hp logs -n kube-system ds/privileged-daemonset
pod=$(hp get pods -n kube-system -o name | head -1 | cut -d/ -f2)
cat <<EOM

The DaemonSet runs on (HOSTPROCESS_ROOT=$root). Try:
  $HP --root $root exec -n kube-system $pod -- sh -c 'id; echo \$CONTAINER_SANDBOX_MOUNT_POINT'
  $HP --root $root describe pod -n kube-system $pod
  $HP --root $root delete ds privileged-daemonset -n kube-system
EOM
