#!/usr/bin/env bash
# Wine tier: `hostprocess.exe import DIR NAME` of a directory image (SPEC §7, issue 14): the
# record has os "windows" and sha256 names and ids equal to Linux's; `run -f` of a pod using it
# copies the image's files into the container volume and takes the image's cmd, env and working
# directory; the manifest's command wins over them; an image recorded for another OS is refused
# by name; an image never imported is warned about; `images`, `inspect` and `rmi` list, show and
# remove it as on Linux; a file that is no image tarball is not imported (oci_test.sh imports
# OCI layouts and tarballs).
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
check "run: the image's env" grep -qxF "hello from image img" "$out/out"
check "run: the image's working directory, below the volume" \
  grep -Eqx 'C:\\hpc\\[0-9a-f]{32}\\bin' "$out/out"
check "run: container volume removed" test -z "$(ls -A "$WINEPREFIX/drive_c/hpc" 2>/dev/null)"
check "run: the image is kept" test -f "$dir/Files/data.txt"

hp run -f $data/command-pod.yaml
check "run: the manifest's command wins (exit 4)" test "$rc" -eq 4
check "run: the image's files are in the volume" grep -qxF "data from image" "$out/out"

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

echo "wine image: $pass passed, $fail failed"
[ $fail -eq 0 ]
