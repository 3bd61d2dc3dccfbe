#!/usr/bin/env bash
# Wine tier: `hostprocess.exe import DIR NAME` of a directory image (SPEC §7, issue 14): the
# record has os "windows" and sha256 names and ids equal to Linux's; `run -f` of a pod using it
# copies the image's files into the container volume and takes the image's cmd, env and working
# directory; the manifest's command wins over them; an image recorded for another OS is refused
# by name; an image never imported is warned about; `images`, `inspect` and `rmi` list, show and
# remove it as on Linux; a file that is no image tarball is not imported (oci_test.sh imports
# OCI layouts and tarballs). Imports hold the image store's lock: of two imports of one name
# started while the first copies, the second waits and wins; an import killed while it copies
# leaves its scratch directory, which the next import removes, with the planted ones of the exact
# name, and nothing else.
# Usage: image_test.sh WINDOWS_EXE SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/../wine_env.sh" "$1"
cd "$2"
data=tests/wine/image

# The image's files, in the prefix's C: drive.
src="$WINEPREFIX/drive_c/src/tool"
mkdir -p "$src/bin"
printf '@echo hello from image %%GREETING%%\r\n@cd\r\n@exit 0\r\n' >"$src/bin/hello.cmd"
printf 'data from image\r\n' >"$src/data.txt"

hp import 'C:\src\tool' hostprocess.local/tool:1 --env GREETING=img --cmd 'cmd /c hello.cmd' \
  --workdir bin
check "import: exit 0" test "$rc" -eq 0
name_hex=$(printf %s hostprocess.local/tool:1 | sha256sum | cut -c1-64)
dir="$WINEPREFIX/drive_c/hpstate/images/windows/$name_hex"
check "import: the image is stored under the sha256 of its name (BCrypt = sha256sum)" \
  test -f "$dir/image.json"
check "import: the files are kept" cmp -s "$src/bin/hello.cmd" "$dir/Files/bin/hello.cmd"
os=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["os"])' \
  "$dir/image.json" 2>/dev/null)
check "import: records os windows" test "$os" = windows
config_id=$(/usr/bin/python3 -c '
import hashlib, json, sys
c = json.load(open(sys.argv[1]))["config"]
print("sha256:" + hashlib.sha256(json.dumps(c, separators=(",", ":"), sort_keys=True).encode()).hexdigest())
' "$dir/image.json" 2>/dev/null)
check "import: prints the name and the id (sha256 of the config)" \
  test "$(cat "$out/out")" = "Imported hostprocess.local/tool:1 ($config_id)"

# images, inspect: the Linux build's verbs and words over the directory images.
short=${config_id:7:12}
size=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' \
  "$dir/image.json" 2>/dev/null)
hp images
want=$(printf '%-25s%-20s%-20s%s\n%-25s%-20s%-20s%s' IMAGE TAG 'IMAGE ID' SIZE \
  hostprocess.local/tool 1 "$short" "${size}B")
check "images: crictl's columns, the image with its tag, short id and size" \
  test "$(cat "$out/out")" = "$want"
hp inspect "$short"
check "inspect: by short id, the stored record" /usr/bin/python3 -c '
import json, sys
sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$out/out" "$dir/image.json"
hp inspect nothere:1
check "inspect: an unknown image is an error (exit 1)" test "$rc" -eq 1
check "inspect: ... naming it" grep -qF 'image "nothere:1" is not imported' "$out/err"

hp run -f $data/image-pod.yaml
check "run: the image's cmd runs (exit 0)" test "$rc" -eq 0
check "run: the image's env" grep -qxF "[tool] hello from image img" "$out/out"
check "run: the image's working directory, below the volume" \
  grep -Eqx '\[tool\] C:\\hpc\\[0-9a-f]{32}\\bin' "$out/out"
check "run: container volume removed" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "run: the image is kept" test -f "$dir/Files/data.txt"

hp run -f $data/command-pod.yaml
check "run: the manifest's command wins (exit 4)" test "$rc" -eq 4
check "run: the image's files are in the volume" grep -qxF "[tool] data from image" "$out/out"

hp run -f tests/wine/run/sandbox-pod.yaml
check "run: an image never imported is warned about" \
  grep -qF 'image "mcr.microsoft.com/windows/nanoserver:ltsc2022" is not imported' "$out/err"
check "run: ... and the pod still runs (exit 3)" test "$rc" -eq 3

/usr/bin/python3 -c '
import json, sys
p = sys.argv[1]
j = json.load(open(p))
j["config"]["os"] = "linux"
json.dump(j, open(p, "w"))
' "$dir/image.json"
hp run -f $data/image-pod.yaml
check "run: an image for another OS is refused" test "$rc" -eq 128
check "run: ... by name" grep -qF 'container "tool": image operating system "linux" cannot be used on this platform: image "hostprocess.local/tool:1" is built for linux and this node runs windows; use an image built for windows' "$out/err"
check "run: ... before anything runs" test -z "$(cat "$out/out")"

hp rmi hostprocess.local/tool:1
check "rmi: untags and deletes, in the Linux build's words" \
  test "$(cat "$out/out")" = "$(printf 'Untagged: hostprocess.local/tool:1\nDeleted: %s' "$config_id")"
check "rmi: the image's files are gone" test ! -e "$dir"
hp images -o json
check "images -o json: none left" test "$(tr -d ' \n' <"$out/out")" = "[]"

hp import 'C:\src\tool\data.txt' hostprocess.local/file:1
check "import: a file that is no image tarball is refused (exit 1)" test "$rc" -eq 1
check "import: ... saying it is not a tar archive" \
  grep -qF 'import "C:\src\tool\data.txt": tarball: at offset 0: shorter than one header: not a tar archive' "$out/err"

# ---- one import at a time (the image store's lock), and what a killed import left ------------
images="$WINEPREFIX/drive_c/hpstate/images/windows"
scratch() { ls -A "$images" | grep -E '^\.import-[0-9]{2,20}$'; }
has_scratch() { test -n "$(scratch)"; }  # for wait_for, which runs it again each time
big="$WINEPREFIX/drive_c/src/big"
mkdir -p "$big/d" "$WINEPREFIX/drive_c/src/small"
for i in $(seq 4000); do echo "$i" >"$big/d/f$i.txt"; done
echo first >"$big/which.txt"
echo second >"$WINEPREFIX/drive_c/src/small/which.txt"
# An import killed while it copies leaves its scratch directory; planted ones beside it (the
# exact names), and look-alikes and a file of such a name that must be kept.
"$WINE" "$HP_EXE" --root "$HP_ROOT" import 'C:\src\big' hostprocess.local/race:1 \
  </dev/null >/dev/null 2>&1 &
killed=$!
wait_for has_scratch
kill -9 $killed
wait $killed 2>/dev/null
check "a killed import leaves its scratch directory" test -n "$(scratch)"
mkdir -p "$images/.import-12345678901234" "$images/.import-77"
echo x >"$images/.import-12345678901234/file"
for keep in .import-12x .importer-5 keep.import-123 .import-1 .IMPORT-12; do
  mkdir -p "$images/$keep" && echo k >"$images/$keep/file"
done
echo f >"$images/.import-55"
hp import 'C:\src\small' hostprocess.local/tool:2
check "import after a killed one: exit 0" test "$rc" -eq 0
check "import after a killed one: every scratch directory left is removed" \
  test -z "$(scratch | grep -v '^\.import-55$')"
check "import after a killed one: nothing else (look-alike names, a file of such a name)" \
  test "$(cat "$images"/{.import-12x,.importer-5,keep.import-123,.import-1,.IMPORT-12}/file "$images/.import-55" | tr -d '\n')" = kkkkkf
rm -rf "$images"/{.import-12x,.importer-5,keep.import-123,.import-1,.IMPORT-12,.import-55}
# Two imports of one name, the second started while the first copies a big tree: the second
# waits for the first and replaces its image; without the lock the second finished first and
# the first's image won (or a rename failed).
"$WINE" "$HP_EXE" --root "$HP_ROOT" import 'C:\src\big' hostprocess.local/race:1 \
  </dev/null >"$out/first.out" 2>"$out/first.err" &
first=$!
wait_for has_scratch
"$WINE" "$HP_EXE" --root "$HP_ROOT" import 'C:\src\small' hostprocess.local/race:1 \
  </dev/null >"$out/second.out" 2>"$out/second.err" &
second=$!
sleep 0.2
check "two imports: the first still copies when the second starts" kill -0 $first
wait $first
first_rc=$?
wait $second
second_rc=$?
race="$images/$(printf %s hostprocess.local/race:1 | sha256sum | cut -c1-64)"
check "two imports of one name: both exit 0" test "$first_rc" -eq 0 -a "$second_rc" -eq 0
check "two imports of one name: the second, started last, is the image" \
  test "$(tr -d '\r\n' <"$race/Files/which.txt")" = second -a ! -e "$race/Files/d"
check "two imports of one name: no scratch directory left" test -z "$(scratch)"

echo "wine image: $pass passed, $fail failed"
[ $fail -eq 0 ]
