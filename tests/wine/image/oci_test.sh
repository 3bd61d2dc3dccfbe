#!/usr/bin/env bash
# Wine tier: `hostprocess.exe import` of an OCI image layout, of a tarball of it and of a docker
# archive, with Windows layers (issue 14, docs/windows.md "Images on Windows"). The images are
# made here by make_oci.py (python3, stdlib only): two layers, the second replacing a file of the
# first, removing one (a whiteout) and emptying a directory (an opaque whiteout); a hard link, a
# symbolic link, a non-ASCII name, Hives/ and UtilityVM/ entries; config os windows with a Cmd.
# Checks: the record (os, id, digests) and the files; `run -f` of a pod with no command runs the
# image's Cmd over the image's files; an image whose config says linux is imported and then
# refused by `run` in CheckImageOs's words; a layer with `Files/../../evil`, one with an absolute
# name, one writing below a symbolic link of the layers, a blob that does not match its digest
# and a tarball with `../` are refused and leave no image, no temp directory and no file outside.
# Usage: oci_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/../wine_env.sh" "$1"
cd "$2"
data=tests/wine/image
py=/usr/bin/python3
src="$WINEPREFIX/drive_c/src"
mkdir -p "$src"
images="$WINEPREFIX/drive_c/hpstate/images/windows"

make() { "$py" $data/make_oci.py "$@" || { echo "FAIL  make_oci.py $*"; exit 1; }; }
image_dir() { echo "$images/$(printf %s "$1" | sha256sum | cut -c1-64)"; }
# field FILE EXPR: a Python expression over the JSON in FILE (`j`), printed.
field() { "$py" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
no_temp_dir() { test -z "$(ls -A "$images" 2>/dev/null | grep '^\.')"; }
no_image() { test ! -e "$(image_dir "$1")"; }

make layout "$src/layout"
(cd "$src/layout" && tar -cf ../layout.tar .)
make docker "$src/docker.tar"
facts="$src/layout.json"

# The layout directory.
hp import 'C:\src\layout' hostprocess.local/oci:1
check "import layout: exit 0" test "$rc" -eq 0
dir=$(image_dir hostprocess.local/oci:1)
files="$dir/Files"
config=$(field "$facts" 'j["config"]')
check "import layout: prints the name and the config blob's digest as the id" \
  test "$(cat "$out/out")" = "Imported hostprocess.local/oci:1 ($config)"
check "import layout: one warning for the symbolic link not made, saying how many and why" \
  test "$(grep -c 'symbolic link' "$out/err")" -eq 1 -a \
  -n "$(grep -F '1 symbolic link(s) in its layers not made: links need a privilege' "$out/err")"
check "record: os windows, from the image config" \
  test "$(field "$dir/image.json" 'j["config"]["os"]')" = windows
check "record: the manifest's digest, the layers' digests and diff ids" "$py" -c '
import json, sys
r, f = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ok = (r["id"] == f["config"] and r["manifest_digest"] == f["manifest"]
      and [l["digest"] for l in r["layers"]] == f["layers"]
      and [l["diff_id"] for l in r["layers"]] == f["diff_ids"])
sys.exit(0 if ok else 1)' "$dir/image.json" "$facts"
check "record: the config's Cmd and Env" \
  test "$(field "$dir/image.json" '" ".join(j["config"]["cmd"] + j["config"]["env"])')" = \
  'cmd /c type %CONTAINER_SANDBOX_MOUNT_POINT%data\x.txt& echo greeting=%GREETING% GREETING=oci'
check "layers: layer 2's file replaces layer 1's" \
  test "$(tr -d '\r' <"$files/data/x.txt" 2>/dev/null)" = "x from layer 2"
check "layers: layer 1's files are there" \
  test "$(tr -d '\r' <"$files/bin/tool.cmd" 2>/dev/null)" = "@echo tool from layer 1"
check "whiteout: layer 1's data/old.txt is gone" test ! -e "$files/data/old.txt" -a -d "$files/data"
check "opaque whiteout: layer 1's opq/a.txt is gone, layer 2's opq/b.txt is there" \
  test ! -e "$files/opq/a.txt" -a -f "$files/opq/b.txt"
check "Hives/ and UtilityVM/ are not imported" test -z "$(find "$dir" -iname hives -o \
  -iname utilityvm -o -name vm.txt -o -name '*_Delta' 2>/dev/null)" -a -f "$dir/image.json"
check "hard link: a copy of its target as layer 1 left it" \
  test "$(tr -d '\r' <"$files/data/hard.txt" 2>/dev/null)" = "x from layer 1"
check "symbolic link: not made" test ! -e "$files/bin/link.cmd" -a ! -L "$files/bin/link.cmd"
check "a non-ASCII name (a pax path record)" test -f "$files/data/$(printf '\303\274n\303\257.txt')"
check "import layout: no temp directory left" no_temp_dir

hp run -f $data/oci-pod.yaml
check "run: the image's Cmd runs (exit 0)" test "$rc" -eq 0
check "run: ... over the image's files in the volume (the top layer's x.txt)" \
  grep -qxF "[tool] x from layer 2" "$out/out"
check "run: ... with the image's Env" grep -qxF "[tool] greeting=oci" "$out/out"

# A tarball of the same layout, and a docker archive of the same image.
hp import 'C:\src\layout.tar' hostprocess.local/oci-tar:1
check "import tarball: exit 0" test "$rc" -eq 0
check "import tarball: the same id" \
  test "$(cat "$out/out")" = "Imported hostprocess.local/oci-tar:1 ($config)"
check "import tarball: the same files as the layout" \
  diff -r "$files" "$(image_dir hostprocess.local/oci-tar:1)/Files"
check "import tarball: no temp directory left (the unpacked tarball is removed)" no_temp_dir
hp import 'C:\src\docker.tar' hostprocess.local/oci-docker:1
check "import docker archive: exit 0, the same id" \
  test "$rc" -eq 0 -a "$(cat "$out/out")" = "Imported hostprocess.local/oci-docker:1 ($config)"
check "import docker archive: the same files as the layout" \
  diff -r "$files" "$(image_dir hostprocess.local/oci-docker:1)/Files"
check "import docker archive: its plain layers' digests are their diff ids" "$py" -c '
import json, sys
r, f = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if [l["digest"] for l in r["layers"]] == f["diff_ids"] else 1)' \
  "$(image_dir hostprocess.local/oci-docker:1)/image.json" "$facts"

# An image whose config says linux: imported as linux, refused by run.
make linux "$src/linux"
hp import 'C:\src\linux' hostprocess.local/oci-linux:1
check "import linux layout: imported (exit 0)" test "$rc" -eq 0
check "import linux layout: recorded os linux" \
  test "$(field "$(image_dir hostprocess.local/oci-linux:1)/image.json" 'j["config"]["os"]')" = linux
hp run -f $data/oci-linux-pod.yaml
check "run: the linux image is refused (exit 128)" test "$rc" -eq 128
check "run: ... in CheckImageOs's words" grep -qF 'container "tool": image operating system "linux" cannot be used on this platform: image "hostprocess.local/oci-linux:1" is built for linux and this node runs windows; use an image built for windows' "$out/err"
check "run: ... before anything runs" test -z "$(cat "$out/out")"

hp import 'C:\src\layout' hostprocess.local/oci-arm:1 --platform linux/amd64
check "import --platform linux/amd64: refused (exit 1)" test "$rc" -eq 1
check "import --platform linux/amd64: ... saying this node imports windows images" \
  grep -qF 'this Windows node imports windows images only' "$out/err"

# Unsafe or damaged input: refused, nothing left.
make dotdot "$src/dotdot"
hp import 'C:\src\dotdot' hostprocess.local/evil:1
check "layer with Files/../../evil: refused (exit 1)" test "$rc" -eq 1
check "layer with Files/../../evil: the error names the layer and the entry" grep -qE \
  'layer "C:\\src\\dotdot\\blobs\\sha256\\[0-9a-f]{64}": entry "Files/\.\./\.\./evil" at offset [0-9]+: refused: a "\.\." component' \
  "$out/err"
check "layer with Files/../../evil: no image, no temp directory" eval \
  'no_image hostprocess.local/evil:1 && no_temp_dir'
check "layer with Files/../../evil: nothing written outside" \
  test -z "$(find "$WINEPREFIX/drive_c" -name evil 2>/dev/null)"

make absolute "$src/absolute"
hp import 'C:\src\absolute' hostprocess.local/evil:2
check "layer with an absolute name: refused (exit 1)" test "$rc" -eq 1
check "layer with an absolute name: the error names the entry" \
  grep -qF 'entry "/evil.txt" at offset' "$out/err"
check "layer with an absolute name: ... and why" grep -qF 'refused: an absolute name' "$out/err"
check "layer with an absolute name: no image, no temp directory, nothing written" eval \
  'no_image hostprocess.local/evil:2 && no_temp_dir && test -z "$(find "$WINEPREFIX/drive_c" -name evil.txt)"'

make throughlink "$src/throughlink"
hp import 'C:\src\throughlink' hostprocess.local/evil:5
check "layer writing below a symbolic link of the layers: refused (exit 1), naming the entry and the link" \
  eval 'test "$rc" -eq 1 && grep -qF "entry \"Files/bin/link.cmd/evil.txt\" at offset" "$out/err" && grep -qF "it would be written through the symbolic link \"Files/bin/link.cmd\" (links are not made)" "$out/err"'
check "layer writing below a symbolic link of the layers: no image, no temp directory, nothing written" eval \
  'no_image hostprocess.local/evil:5 && no_temp_dir && test -z "$(find "$WINEPREFIX/drive_c" -name evil.txt)"'

make baddigest "$src/baddigest"
hp import 'C:\src\baddigest' hostprocess.local/evil:3
check "blob that does not match its sha256: refused (exit 1)" test "$rc" -eq 1
check "blob that does not match its sha256: the error names the blob and says what to do" \
  grep -qE 'layer "C:\\src\\baddigest\\blobs\\sha256\\[0-9a-f]{64}" does not match its digest sha256:[0-9a-f]{64} \(damaged or altered\): export the image again' \
  "$out/err"
check "blob that does not match its sha256: no image, no temp directory" eval \
  'no_image hostprocess.local/evil:3 && no_temp_dir'

make evilouter "$src/evilouter.tar"
hp import 'C:\src\evilouter.tar' hostprocess.local/evil:4
check "tarball with ../outside.txt: refused (exit 1), naming the entry" \
  eval 'test "$rc" -eq 1 && grep -qF "tarball: entry \"../outside.txt\" at offset" "$out/err"'
check "tarball with ../outside.txt: no image, no temp directory, nothing written outside" eval \
  'no_image hostprocess.local/evil:4 && no_temp_dir && test -z "$(find "$WINEPREFIX/drive_c" -name outside.txt)"'

echo "wine oci: $pass passed, $fail failed"
[ $fail -eq 0 ]
