#!/usr/bin/env bash
# Wine tier: `hostprocess.exe validate` under Wine gives byte for byte the Linux build's stdout,
# stderr and exit code on the repository's examples and test manifests (SPEC §7, issue 14).
# Usage: validate_test.sh LINUX_HOSTPROCESS WINDOWS_EXE SOURCE_DIR
set -uo pipefail
linux=$1
src=$3
source "$(dirname "$0")/../wine_env.sh" "$2"
cd "$src"

pass=0
fail=0
# Runs `validate ARGS...` on both builds, stdin from $STDIN, and compares the three results.
STDIN=/dev/null
same() {
  "$linux" validate "$@" <"$STDIN" >"$out/l.out" 2>"$out/l.err"
  local lrc=$?
  "$WINE" "$HP_EXE" validate "$@" <"$STDIN" >"$out/w.out" 2>"$out/w.err"
  compared "validate $*" $lrc $?
}
# Input the Windows build does not read yet (docs/windows.md, "YAML"): it must say so, exit 2,
# and never give a verdict of its own. A file that starts to pass moves to `same`.
not_read_yet() {
  "$WINE" "$HP_EXE" validate "$@" </dev/null >"$out/w.out" 2>"$out/w.err"
  local wrc=$?
  if [ $wrc -eq 2 ] && [ ! -s "$out/w.out" ] &&
    grep -q "is not read by the Windows preview build yet" "$out/w.err"; then
    pass=$((pass + 1))
    echo "ok    validate $* (exit 2: not read by the Windows build yet)"
  else
    fail=$((fail + 1))
    echo "FAIL  validate $*: exit $wrc, expected the not-read-yet error"
    sed 's/^/  /' "$out/w.out" "$out/w.err"
  fi
}

for f in examples/*.yaml; do
  same -f "$f"
  same -f "$f" -o json
done
same -f examples
same -f tests/data/k8s/hostprocess-pod-no-hostnetwork.yaml
same -f tests/data/k8s/namespace-baseline.yaml -f examples/privileged-daemonset.yaml
same -f tests/data/k8s/unknown-field.yaml
same -f examples/privileged-daemonset.yaml --pod-security baseline
same -f tests/data/k8s/does-not-exist.yaml
same -f examples/privileged-daemonset.yaml --allow-privileged=false
same -f examples/privileged-daemonset.yaml -o wide
same
STDIN=examples/privileged-daemonset-linux.yaml same -f -
same -f tests/data/k8s/list.json  # JSON over several lines (read since the JSON step)
same -f tests/data/k8s/list.json -o json
# As Windows editors save it: CRLF (Notepad), and UTF-8 with a BOM; written here, not committed.
sed 's/$/\r/' examples/privileged-daemonset.yaml >"$out/crlf.yaml"
same -f "$out/crlf.yaml"
same -f "$out/crlf.yaml" -o json
printf '\xef\xbb\xbf' | cat - "$out/crlf.yaml" >"$out/bom-crlf.yaml"
same -f "$out/bom-crlf.yaml" -o json
# What the Windows reader reads since it grew (docs/windows.md, "YAML"): a folded and a kept
# literal block scalar with an indentation indicator, plain and quoted scalars over lines with
# an escaped line break, a flow sequence over lines with a comment, tabs after values, UTF-8, CR.
{
  sed -n '1,3p' examples/privileged-daemonset.yaml
  printf '  annotations:\r\n    description: >\n      Runs PowerShell as SYSTEM\n      on every Windows node\n\n      \xe2\x80\x94 caf\xc3\xa9\n'
  printf '    script: |+2\n        Write-Host 1\n\n    note: a plain\n      scalar\t# and a comment\n'
  printf '    quoted: "one \\\n      two\n\n      three"\t\n'
  sed -n '4,21p' examples/privileged-daemonset.yaml
  printf '          args: [-NoLogo,  # first\n            -NoProfile,\n    "-Command"]\n'
  sed -n '22,$p' examples/privileged-daemonset.yaml
} >"$out/grown.yaml"
same -f "$out/grown.yaml"
same -f "$out/grown.yaml" -o json
# Anchors, aliases and tags; and an alias of an unknown anchor, go-yaml's error on Linux, refused
# by name on Windows.
printf 'apiVersion: v1\nkind: List\nitems:\n- &p\n  apiVersion: v1\n  kind: Pod\n  metadata: &m {name: a, labels: !!map {app: x}}\n  spec:\n    containers:\n    - &c {name: c, image: !!str busybox}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: [*c]}}\n' >"$out/anchors.yaml"
same -f "$out/anchors.yaml"
same -f "$out/anchors.yaml" -o json
printf 'kind: Pod\nmetadata:\n  name: *k\n' >"$out/unknown-alias.yaml"
not_read_yet -f "$out/unknown-alias.yaml"
# A JSON surrogate pair (\ud83d\ude00): libyaml refuses it with its own words on Linux, which the
# Windows reader does not reproduce yet: it declines by name.
not_read_yet -f tests/data/k8s/surrogate-escape.json
not_read_yet -f tests/data/k8s/syntax-error.yaml
printf 'kind: Pod\nmetadata:\n\tname: x\n' >"$out/tab-indent.yaml"  # libyaml's errors
not_read_yet -f "$out/tab-indent.yaml"
printf 'kind: Pod\nmetadata:\n  name: caf\xe9\n' >"$out/latin1.yaml"
not_read_yet -f "$out/latin1.yaml"
printf 'kind: Pod\nmetadata:\n  ? name\n  : x\n' >"$out/complex-key.yaml"  # not read yet
not_read_yet -f "$out/complex-key.yaml"

echo "wine validate: $pass passed, $fail failed"
[ $fail -eq 0 ]
