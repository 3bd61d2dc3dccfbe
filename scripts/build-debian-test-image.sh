#!/usr/bin/env bash
# Builds (once, then cached) the real-world test image: Debian bookworm minbase made by Debian's
# mmdebstrap from the archive, with lua5.4 (a dynamic program whose library, liblua5.4, the host
# does not have; the /usr/bin/lua -> /etc/alternatives/lua-interpreter -> /usr/bin/lua5.4 chain),
# a shebang script whose interpreter only the image has, and a setuid-root copy of the shell.
# Prints the tarball's path. Usage: scripts/build-debian-test-image.sh [CACHE_DIR]
set -euo pipefail
cache=${1:-${HP_TEST_CACHE:-/var/cache/hostprocess-test}}
out="$cache/debian-bookworm-lua.tar"
version=3  # bump when the recipe changes
if [ -f "$out" ] && [ -s "$out" ] && [ "$(cat "$out.version" 2>/dev/null)" = "$version" ]; then
  echo "$out"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (scripts/setup.sh)" >&2; exit 1; }
mkdir -p "$cache"
tmp="$cache/tmp-$$-debian.tar"
trap 'rm -f "$tmp"' EXIT
mmdebstrap --quiet --format=tar --variant=minbase --include=lua5.4 \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --customize-hook='printf "#!/usr/bin/lua5.4\nprint(\"hello from \" .. _VERSION .. \" \" .. (arg[1] or \"\"))\n" > "$1/usr/local/bin/hello.lua"' \
  --customize-hook='chmod 0755 "$1/usr/local/bin/hello.lua"' \
  --customize-hook='cp "$1/usr/bin/dash" "$1/usr/local/bin/suid-sh" && chmod 4755 "$1/usr/local/bin/suid-sh"' \
  bookworm "$tmp" >&2
rm -rf "$out"
mv "$tmp" "$out"
echo "$version" >"$out.version"
echo "$out"
