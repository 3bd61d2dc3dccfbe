#!/usr/bin/env bash
# Builds the example image OFFLINE from Debian's busybox-static and imports it into the store:
#   scripts/build-example-image.sh [--root DIR] [--name NAME] [--hostprocess BIN]
# The image (default hostprocess.local/busybox:latest, the name examples/ use) holds
# /bin/busybox, a symlink per applet (sh, sleep, echo, id, hostname, cat, ls, env, ...), and a
# minimal /etc. No network access is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${HOSTPROCESS_ROOT:-/var/lib/hostprocess}
name=hostprocess.local/busybox:latest
hp=${HOSTPROCESS_BIN:-build/release/src/cli/hostprocess/hostprocess}
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --hostprocess) hp=$2; shift 2 ;;
    *) echo "usage: $0 [--root DIR] [--name NAME] [--hostprocess BIN]" >&2; exit 2 ;;
  esac
done
busybox=/bin/busybox
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "error: $busybox is not Debian's busybox-static (apt-get install busybox-static)" >&2
  exit 1
fi
[ -x "$hp" ] || { echo "error: hostprocess binary \"$hp\" not found (build it first)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,root,var/run,usr/bin,usr/sbin,sbin}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
applets="sh ash sleep echo id hostname cat ls env pwd true false printf test [ ps kill
  grep egrep sed awk head tail wc mkdir rmdir rm cp mv ln touch chmod chown date uname whoami
  find xargs tr sort uniq cut basename dirname readlink realpath stat df du free top tee yes
  seq expr which wget nc nslookup ping ip ifconfig netstat mount umount vi less more gzip
  gunzip tar md5sum sha256sum timeout nohup nproc dmesg logger hexdump od diff patch watch
  httpd tty setsid dd"
for a in $applets; do
  ln -sf busybox "$rootfs/bin/$a"
done
cat >"$rootfs/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$rootfs/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
echo "hostprocess-example" >"$rootfs/etc/hostname"
cat >"$rootfs/etc/os-release" <<'O'
NAME="hostprocess example (busybox)"
ID=hostprocess-busybox
O
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

"$hp" --root "$root" import "$rootfs" "$name" --env PATH=/bin:/usr/bin:/sbin:/usr/sbin --cmd sh
