#!/usr/bin/env bash
# package_deb_test.sh BUILD_DIR SOURCE_DIR: builds the Debian package from BUILD_DIR with cpack
# and checks it as a user would, without changing the host: its file list (dpkg-deb -c), its
# metadata and maintainer scripts (dpkg-deb -I), the unit (systemd-analyze verify), and an
# install into a temporary root (dpkg-deb -x) whose binaries print their version and commit.
# Also: the commit is "unknown" when the sources are not a git checkout (a tarball).
# Exit 77 (skipped) when the Debian tools are missing.
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (apt-get install dpkg-dev cmake)"; exit 77; }
done
work=$(mktemp -d /tmp/hp-package-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_line() {  # expect_line FILE REGEX WHAT
  grep -Eq -- "$2" "$1" || fail "$3: no line matches /$2/ in:"$'\n'"$(cat "$1")"
}

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || { echo "no project version in $build/CMakeCache.txt" >&2; exit 1; }
arch=$(dpkg --print-architecture)

(cd "$build" && cpack -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 || {
  cat "$work/cpack.log" >&2
  echo "FAIL: cpack" >&2
  exit 1
}
deb=$work/out/hostprocess_${version}_${arch}.deb
[ -f "$deb" ] || { ls -R "$work/out" >&2; echo "FAIL: no $deb" >&2; exit 1; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# The file list: the programs, the unit, completion, docs and examples; nothing outside /usr
# (the state in /var/lib/hostprocess is made at run time, never shipped).
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/hostprocess /usr/bin/hostprocess-supervisor /usr/bin/hostprocess-keeper \
  /usr/bin/hostprocess-runtime \
  /usr/lib/hostprocess/libhostprocess-image.so /usr/lib/systemd/system/hostprocess.service \
  /usr/share/bash-completion/completions/hostprocess \
  /usr/share/zsh/vendor-completions/_hostprocess \
  /usr/share/doc/hostprocess/README.md /usr/share/doc/hostprocess/docs/agent.md \
  /usr/share/doc/hostprocess/examples/privileged-daemonset-linux.yaml; do
  grep -qx -- "$f" "$work/files" || fail "file list: $f missing"
done
outside=$(grep -v '^/usr\(/\|$\)' "$work/files" | grep -vx '/' || true)
[ -z "$outside" ] || fail "file list: files outside /usr: $outside"

# The metadata: name, version from the project, architecture, shared-library dependencies
# computed by dpkg-shlibdeps, the maintainer scripts.
dpkg-deb -I "$deb" >"$work/info"
expect_line "$work/info" "^ Package: hostprocess$" "metadata"
expect_line "$work/info" "^ Version: ${version//./\\.}$" "metadata"
expect_line "$work/info" "^ Architecture: $arch$" "metadata"
expect_line "$work/info" "^ Depends: .*libc6 \(>= " "shlibdeps"
# The image module's libraries always; the small ones only when not linked in (HP_STATIC_RUNTIME,
# the default of a release: libstdc++, fmt, libyaml, libcap and libseccomp are in the binaries).
static=$(sed -n 's/^HP_STATIC_RUNTIME:BOOL=//p' "$build/CMakeCache.txt")
linked_in="libyaml-0-2 libfmt9 libcap2 libseccomp2 libstdc++6"
needed="libarchive13 libcurl4 passwd"
[ "$static" = ON ] || needed="$needed $linked_in"
for lib in $needed; do
  expect_line "$work/info" "^ Depends: .*\b${lib//+/\\+}\b" "shlibdeps ($lib)"
done
if [ "$static" = ON ]; then
  for lib in $linked_in; do
    if grep -Eq -- "^ Depends: .*\b${lib//+/\\+}\b" "$work/info"; then
      fail "shlibdeps: $lib is a dependency though HP_STATIC_RUNTIME links it in"
    fi
  done
fi
for script in postinst prerm postrm; do
  expect_line "$work/info" "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script +#!/bin/sh$" "control"
done
dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  sh -n "$work/control/$script" || fail "$script: syntax"
done

# The unpacked install: the binaries run and name this build.
dpkg-deb -x "$deb" "$work/root"
# The programs containerd's shim and `run` start many times map no shared library at all where
# the build links statically: no program interpreter in their headers.
if [ "$static" = ON ]; then
  for prog in hostprocess-runtime hostprocess-keeper; do
    readelf -lW "$work/root/usr/bin/$prog" >"$work/$prog.phdrs" || fail "readelf $prog"
    if grep -q "Requesting program interpreter" "$work/$prog.phdrs"; then
      fail "$prog is dynamically linked though HP_STATIC_RUNTIME is on"
    fi
    expect_line "$work/$prog.phdrs" "^ +LOAD " "$prog program headers"
  done
fi
"$work/root/usr/bin/hostprocess" --version >"$work/version" 2>&1 || fail "hostprocess --version"
expect_line "$work/version" "^hostprocess version ${version//./\\.}$" "--version"
commit=unknown
if git -C "$src" rev-parse --show-toplevel 2>/dev/null | grep -qx "$src"; then
  commit=$(git -C "$src" rev-parse --short=12 HEAD)
fi
expect_line "$work/version" "^commit: $commit(-dirty)?$" "--version commit"
"$work/root/usr/bin/hostprocess-runtime" --version >"$work/rversion" 2>&1 ||
  fail "hostprocess-runtime --version"
expect_line "$work/rversion" "^hostprocess-runtime version ${version//./\\.}$" "runtime --version"
expect_line "$work/rversion" "^commit: $commit(-dirty)?$" "runtime --version commit"
# import loads the image module (pull/import/unpack) from <bindir>/../lib/hostprocess.
mkdir -p "$work/img/bin" && echo hi >"$work/img/bin/hi"
"$work/root/usr/bin/hostprocess" --root "$work/state" import "$work/img" hostprocess.local/pkg:1 \
  >"$work/import" 2>&1 || fail "import through the installed image module: $(cat "$work/import")"
expect_line "$work/import" "^Imported hostprocess.local/pkg:1 " "import"
bash --norc -c "source '$work/root/usr/share/bash-completion/completions/hostprocess' &&
  complete -p hostprocess" >"$work/complete" 2>&1 || fail "completion does not load"
expect_line "$work/complete" "-F __hostprocess_complete hostprocess$" "completion"

# The unit: installed paths, oneshot, and clean for systemd-analyze. verify needs the command
# to exist, so the copy checked names the unpacked binary; nothing else differs.
unit=$work/root/usr/lib/systemd/system/hostprocess.service
expect_line "$unit" "^ExecStart=/usr/bin/hostprocess apply$" "unit"
expect_line "$unit" "^Type=oneshot$" "unit"
expect_line "$unit" "^Documentation=file:///usr/share/doc/hostprocess/README.md$" "unit"
if command -v systemd-analyze >/dev/null; then
  sed "s|=/usr/bin/hostprocess|=$work/root/usr/bin/hostprocess|" "$unit" >"$work/hostprocess.service"
  if ! systemd-analyze verify "$work/hostprocess.service" >"$work/verify" 2>&1 ||
    [ -s "$work/verify" ]; then
    fail "systemd-analyze verify: $(cat "$work/verify")"
  fi
else
  echo "SKIP (part): systemd-analyze is not installed: the unit is not verified"
fi

# From a tarball (no .git), the commit is unknown, even unpacked inside another checkout.
inside=$build/build-info-test  # in the checkout when the build dir is (build/release)
trap 'rm -rf "$work" "$inside"' EXIT
mkdir -p "$work/tarball" "$inside"
for dir in "$work/tarball" "$inside"; do
  cmake -DSOURCE_DIR="$dir" -DOUTPUT="$work/info.h" -DVERSION="$version" \
    -P "$src/cmake/build_info.cmake"
  expect_line "$work/info.h" '^#define HP_GIT_COMMIT "unknown"$' "build info in $dir"
  rm -f "$work/info.h"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "package ok"
