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
  local wrc=$?
  if [ $lrc -eq $wrc ] && cmp -s "$out/l.out" "$out/w.out" && cmp -s "$out/l.err" "$out/w.err"; then
    pass=$((pass + 1))
    echo "ok    validate $* (exit $lrc)"
  else
    fail=$((fail + 1))
    echo "FAIL  validate $*: exit linux $lrc windows $wrc"
    diff "$out/l.out" "$out/w.out" | sed 's/^/  stdout /'
    diff "$out/l.err" "$out/w.err" | sed 's/^/  stderr /'
  fi
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
# A JSON surrogate pair (\ud83d\ude00): libyaml refuses it with its own words on Linux, which the
# Windows reader does not reproduce yet: it declines by name.
not_read_yet -f tests/data/k8s/surrogate-escape.json
not_read_yet -f tests/data/k8s/syntax-error.yaml

echo "wine validate: $pass passed, $fail failed"
[ $fail -eq 0 ]
