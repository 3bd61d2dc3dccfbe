#!/usr/bin/env bash
# Wine tier: `hostprocess.exe pull` from a real registry (Debian's docker-registry on 127.0.0.1,
# started here with its own storage), over WinHTTP (issue 14, docs/windows.md "Images on
# Windows"). The images are make_oci.py's, pushed by push_oci.py.
# Checks: the pull of a Windows image prints what the Linux build's pull of the same image
# prints, and keeps the image `import` would (record, digests, files), which `run -f` runs; an
# index is resolved to its windows/amd64 manifest; --platform of another OS, a missing tag, a
# registry that does not answer and a blob the registry serves altered are refused with exit 1
# and leave no image and no scratch directory; a partial download left in the ingest directory is
# resumed, and one of wrong bytes downloaded again. The blobs of the images kept are kept for
# later pulls (another image of them downloads none) until `rmi` of the last image naming them.
# A registry that asks for a bearer token and
# redirects its blobs to another origin (redirect_registry.py): the token is used, the redirects
# followed, and the token never sent to the storage.
# Usage: pull_test.sh LINUX_HOSTPROCESS WINDOWS_EXE SOURCE_DIR
set -uo pipefail
linux=$1
source "$(dirname "$0")/../wine_env.sh" "$2"
cd "$3"
if [ ! -x /usr/bin/docker-registry ]; then
  echo "SKIP: docker-registry is not installed (bash scripts/setup.sh)"
  exit 77
fi
data=tests/wine/image
py=/usr/bin/python3
images="$WINEPREFIX/drive_c/hpstate/images/windows"
linux_root="$out/linux-root"

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
mkdir -p "$out/registry"
cat >"$out/registry/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $out/registry/storage
http:
  addr: $host
EOF
/usr/bin/docker-registry serve "$out/registry/registry.yml" >"$out/registry/log" 2>&1 &
registry=$!
redirector=
pull_cleanup() {
  kill -9 "$registry" $redirector 2>/dev/null
  wait "$registry" $redirector 2>/dev/null
  wine_cleanup
}
trap pull_cleanup EXIT
"$py" - "$host" <<'EOF' || { echo "FAIL  docker-registry did not start: $(cat "$out/registry/log")"; exit 1; }
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://{sys.argv[1]}/v2/", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF

make() { "$py" $data/make_oci.py "$@" || { echo "FAIL  make_oci.py $*"; exit 1; }; }
push() { "$py" $data/push_oci.py "$host" "$@" || { echo "FAIL  push_oci.py $*"; exit 1; }; }
image_dir() { echo "$images/$(printf %s "$1" | sha256sum | cut -c1-64)"; }
field() { "$py" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
no_temp_dir() { test -z "$(ls -A "$images" 2>/dev/null | grep '^\.')"; }
no_image() { test ! -e "$(image_dir "$1")"; }

make layout "$out/windows"
make linux "$out/linux"
make dotdot "$out/other"
facts="$out/windows.json"
push tools 1 "$out/windows" >/dev/null
push tools multi "$out/linux" "$out/windows" >/dev/null
push other 1 "$out/other" >/dev/null

# The pull of a Windows image, beside the Linux build's pull of it.
"$linux" --root "$linux_root" pull "$host/tools:1" >"$out/l.out" 2>"$out/l.err"
lrc=$?
hp pull "$host/tools:1"
check "pull: exit 0" test "$rc" -eq 0
check "pull: prints what the Linux build prints (the name, the manifest's digest, 3 blobs)" \
  eval 'test $lrc -eq 0 && cmp -s "$out/out" "$out/l.out" &&
    grep -qF "Pulled $host/tools:1 ($(field "$facts" "j[\"manifest\"]")): 3 blob(s) downloaded" "$out/out"'
check "pull: warns of the symbolic link not made, as import does" \
  grep -qF '1 symbolic link(s) in its layers not made' "$out/err"
dir=$(image_dir "$host/tools:1")
check "record: the name, os windows, the config's digest as the id, the manifest's digest" \
  test "$(field "$dir/image.json" '" ".join([j["name"], j["config"]["os"], j["id"], j["manifest_digest"]])')" = \
  "$host/tools:1 windows $(field "$facts" 'j["config"] + " " + j["manifest"]')"
check "record: the layers' digests and diff ids" "$py" -c '
import json, sys
r, f = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if [l["digest"] for l in r["layers"]] == f["layers"]
         and [l["diff_id"] for l in r["layers"]] == f["diff_ids"] else 1)' "$dir/image.json" "$facts"
check "files: the layers applied (layer 2's x.txt, layer 1's tool.cmd, the whiteout)" eval \
  'test "$(tr -d "\r" <"$dir/Files/data/x.txt")" = "x from layer 2" -a -f "$dir/Files/bin/tool.cmd" -a ! -e "$dir/Files/data/old.txt"'
check "pull: no scratch directory left" no_temp_dir
hp images
check "images: lists the pulled image" grep -qE "^$host/tools +1 +$(field "$facts" 'j["config"][7:19]')" "$out/out"

sed "s|image: hostprocess.local/oci:1|image: $host/tools:1|" $data/oci-pod.yaml >"$WINEPREFIX/drive_c/pulled-pod.yaml"
hp run -f 'C:\pulled-pod.yaml'
check "run: the pulled image's Cmd runs over its files" \
  eval 'test "$rc" -eq 0 && grep -qxF "[tool] x from layer 2" "$out/out" && grep -qxF "[tool] greeting=oci" "$out/out"'

# Pulled again: the same manifest is kept already, nothing is downloaded (the Linux build finds
# every blob in its store and says so in the same words). A tag moved to another manifest is
# downloaded again.
"$linux" --root "$linux_root" pull "$host/tools:1" >"$out/l.out" 2>"$out/l.err"
lrc=$?
touch "$dir/Files/mark"
hp pull "$host/tools:1"
check "pull again: what the Linux build's second pull prints (0 downloaded, 3 already present)" \
  eval 'test "$rc" -eq 0 -a "$lrc" -eq 0 && cmp -s "$out/out" "$out/l.out" &&
    grep -qF ": 0 blob(s) downloaded, 3 already present, 0B" "$out/out"'
check "pull again: the kept image is left as it is" test -f "$dir/Files/mark"

# The config and layers of a kept image are kept for later pulls: another image of the same
# blobs downloads none of them, as the Linux build (whose store has them) says.
kept="$WINEPREFIX/drive_c/hpstate/images/blobs"
blobs_of() { "$py" -c 'import json,sys; f=json.load(open(sys.argv[1]))
print("\n".join(sorted([f["config"][7:]] + [l[7:] for l in f["layers"]])))' "$1"; }
check "pull: the image's config and layers kept for later pulls" \
  test "$(ls "$kept" | sort)" = "$(blobs_of "$facts")"
push copy 1 "$out/windows" >/dev/null
"$linux" --root "$linux_root" pull "$host/copy:1" >"$out/l.out" 2>"$out/l.err"
lrc=$?
hp pull "$host/copy:1"
check "another image of the same blobs: none downloaded, the Linux build's line byte for byte" \
  eval 'test "$rc" -eq 0 -a "$lrc" -eq 0 && cmp -s "$out/out" "$out/l.out" &&
    grep -qF ": 0 blob(s) downloaded, 3 already present, 0B" "$out/out"'
check "another image of the same blobs: its files, and the blobs still kept" eval \
  'cmp -s "$(image_dir "$host/copy:1")/Files/data/x.txt" "$dir/Files/data/x.txt" &&
   test "$(ls "$kept" | sort)" = "$(blobs_of "$facts")"'
push tools moved "$out/windows" >/dev/null
hp pull "$host/tools:moved"
push tools moved "$out/linux" >/dev/null
"$linux" --root "$linux_root" pull "$host/tools:moved" >"$out/l.out" 2>"$out/l.err"
lrc=$?
hp pull "$host/tools:moved"
check "a moved tag: pulled again, what is not kept downloaded (the Linux build's line), the new manifest kept (config os linux)" eval \
  'test "$rc" -eq 0 -a "$lrc" -eq 0 && cmp -s "$out/out" "$out/l.out" &&
   grep -qE ": [1-3] blob\(s\) downloaded" "$out/out" &&
   test "$(field "$(image_dir "$host/tools:moved")/image.json" "j[\"config\"][\"os\"]")" = linux'

# An index (linux/amd64 and windows/amd64): the windows manifest is the one pulled.
hp pull "$host/tools:multi"
check "index: exit 0, the windows/amd64 manifest pulled" eval \
  'test "$rc" -eq 0 && test "$(field "$(image_dir "$host/tools:multi")/image.json" "j[\"manifest_digest\"] + \" \" + j[\"config\"][\"os\"]")" = "$(field "$facts" "j[\"manifest\"]") windows"'

# A blob half downloaded by an earlier pull, left in the ingest directory as a killed pull leaves
# it: the next pull asks for the rest only (its bytes counted as resumed, the Linux build's
# words). A partial whose bytes are wrong is downloaded again whole. Neither is left after.
ingest="$WINEPREFIX/drive_c/hpstate/images/ingest"
hex=$(field "$facts" 'j["layers"][0][7:]')
blob="$out/windows/blobs/sha256/$hex"
size=$(stat -c %s "$blob")
mkdir -p "$ingest"
rm -f "$kept/$hex"  # not kept from the pulls above: it is downloaded
head -c $((size / 2)) "$blob" >"$ingest/$hex.partial"
push resume 1 "$out/windows" >/dev/null
hp pull "$host/resume:1"
check "a partial download left by a killed pull: resumed (exit 0, ', resumed' in the line)" eval \
  'test "$rc" -eq 0 && grep -qF "Pulled $host/resume:1 ($(field "$facts" "j[\"manifest\"]")): 1 blob(s) downloaded, 2 already present" "$out/out" &&
   grep -qF ", resumed " "$out/out"'
check "resumed: the layer's files as a whole download gives them" \
  cmp -s "$(image_dir "$host/resume:1")/Files/data/x.txt" "$dir/Files/data/x.txt"
check "resumed: nothing left in the ingest directory" test -z "$(ls -A "$ingest")"
rm -f "$kept/$hex"
head -c $((size / 2)) /dev/zero >"$ingest/$hex.partial"
push resume 2 "$out/windows" >/dev/null
hp pull "$host/resume:2"
check "a partial of wrong bytes: downloaded again whole (exit 0), nothing left in ingest" eval \
  'test "$rc" -eq 0 && test -z "$(ls -A "$ingest")" &&
   cmp -s "$(image_dir "$host/resume:2")/Files/data/x.txt" "$dir/Files/data/x.txt"'

# Refusals: exit 1, an error that says why, nothing kept.
hp pull --platform linux/amd64 "$host/tools:multi"
check "--platform linux/amd64: refused (exit 1), saying this node pulls windows images" eval \
  'test "$rc" -eq 1 && grep -qF "pull \"$host/tools:multi\": --platform linux/amd64: this Windows node pulls windows images only" "$out/err"'
"$linux" --root "$linux_root" pull "$host/tools:nope" >"$out/l.out" 2>"$out/l.err"
lrc=$?
hp pull "$host/tools:nope"
cp "$out/out" "$out/w.out"
cp "$out/err" "$out/w.err"
compared "a missing tag: the Linux build's error" $lrc $rc
check "a missing tag: exit 1, no image" eval 'test "$rc" -eq 1 && no_image "$host/tools:nope"'

start=$(date +%s)
hp pull --timeout 2 "127.0.0.1:1/tools:1"
# (--timeout 2: 1.9 s measured under Wine; 6 s allows for Wine's start on a loaded machine.)
check "a registry that does not answer: exit 1 by its --timeout, naming the URL" eval \
  'test "$rc" -eq 1 && test $(($(date +%s) - start)) -le 6 &&
   grep -qF "GET \"http://127.0.0.1:1/v2/tools/manifests/1\"" "$out/err"'

# A layer the registry serves altered (its stored data changed, same length): refused by digest.
layer=$("$py" -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"]
print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m[7:]))["layers"][1]["digest"][7:])' "$out/other")
blob="$out/registry/storage/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
"$py" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-1]^=1; open(p,"wb").write(b)' "$blob"
hp pull "$host/other:1"
check "an altered layer: refused (exit 1) by its digest" eval \
  'test "$rc" -eq 1 && grep -qF "blob \"sha256:$layer\": digest mismatch" "$out/err"'
check "an altered layer: no image, no scratch directory, no partial download kept" eval \
  'no_image "$host/other:1" && no_temp_dir && test -z "$(ls -A "$ingest")"'

# A registry that asks for a bearer token and redirects every blob to its storage on another
# port (another origin): the token is fetched and used, the redirects are followed, and the
# token never reaches the storage, on both builds.
for b in $(blobs_of "$facts"); do rm -f "$kept/$b"; done  # downloaded, through the redirects
"$py" $data/redirect_registry.py "$out/windows" tools 1 "$out/redirect.ports" "$out/redirect.log" &
redirector=$!
for _ in $(seq 100); do [ -s "$out/redirect.ports" ] && break; sleep 0.1; done
read -r rport _ <"$out/redirect.ports"
hp pull "127.0.0.1:$rport/tools:1"
check "token and redirects: exit 0, the image's manifest pulled" eval \
  'test "$rc" -eq 0 && grep -qF "Pulled 127.0.0.1:$rport/tools:1 ($(field "$facts" "j[\"manifest\"]")): 3 blob(s) downloaded" "$out/out"'
check "token: asked for at the challenge's realm, then sent to the registry" eval \
  'grep -q "^registry /token?service=fake&scope=repository%3Atools%3Apull -$" "$out/redirect.log" &&
   grep -q "^registry /v2/tools/manifests/1 Bearer t0ken-for-tests$" "$out/redirect.log"'
check "redirects: the 3 blobs came from the storage" \
  test "$(grep -c '^storage /blob/sha256:[0-9a-f]*?sig=1 ' "$out/redirect.log")" -eq 3
check "redirects: no Authorization reached the storage (another origin)" \
  test -z "$(grep '^storage ' "$out/redirect.log" | grep -v ' -$')"
"$linux" --root "$out/linux-root-2" pull "127.0.0.1:$rport/tools:1" >"$out/l.out" 2>"$out/l.err"
check "token and redirects: the Linux build's pull prints the same, its token kept from the storage too" \
  eval 'cmp -s "$out/out" "$out/l.out" &&
   test "$(grep -c "^storage " "$out/redirect.log")" -eq 6 -a -z "$(grep "^storage " "$out/redirect.log" | grep -v " -$")"'

# A kept blob damaged on disk (its size as it was, a byte changed): only its size is checked when
# it is found, so the import refuses it; the failed pull drops the blobs it found kept (which one
# is damaged is not known), and the next pull downloads them.
lay=$(field "$facts" 'j["layers"][1][7:]')
"$py" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-1]^=1; open(p,"wb").write(b)' "$kept/$lay"
push damaged 1 "$out/windows" >/dev/null
hp pull "$host/damaged:1"
check "a kept blob damaged on disk: the pull refused (exit 1), no image, the blob dropped" eval \
  'test "$rc" -eq 1 && no_image "$host/damaged:1" && test ! -e "$kept/$lay" && no_temp_dir'
hp pull "$host/damaged:1"
check "... the next pull downloads them again and keeps the image" eval \
  'test "$rc" -eq 0 && grep -qF ": 3 blob(s) downloaded, 0 already present" "$out/out" &&
   cmp -s "$(image_dir "$host/damaged:1")/Files/data/x.txt" "$dir/Files/data/x.txt"'

# rmi: a kept blob goes with the last image whose record names it.
linux_only=$(comm -23 <(blobs_of "$out/linux.json") <(blobs_of "$facts"))
all_kept() { for b in "$@"; do test -f "$kept/$b" || return 1; done; }
check "before rmi: the blobs only the linux layout has are kept" eval \
  'test -n "$linux_only" && all_kept $linux_only'
hp rmi "$host/tools:moved"
check "rmi of the one image of the linux layout's blobs: they go, the windows image's stay" eval \
  'test "$rc" -eq 0 && test "$(ls "$kept" | sort)" = "$(blobs_of "$facts")"'
hp rmi "$host/tools:1" "$host/tools:multi" "$host/copy:1" "$host/resume:1" "$host/resume:2" \
  "127.0.0.1:$rport/tools:1" "$host/damaged:1"
check "rmi of every image of the windows blobs: no kept blob left" \
  eval 'test "$rc" -eq 0 && test -z "$(ls -A "$kept")"'

echo "passed: $pass failed: $fail"
[ "$fail" -eq 0 ]
