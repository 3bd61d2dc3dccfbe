# Sourced by the Wine tier's scripts: finds wine64 (exit 77, "skipped", when it or the Windows
# build is missing), makes a private WINEPREFIX for this run with crash dialogs and the debugger
# off, and removes it (and stops its wineserver) on exit. Sets WINE and HP_EXE.
# Usage: source wine_env.sh WINDOWS_EXE
HP_EXE=$1
HP_ROOT=${HP_ROOT:-'C:\hpstate'}
WINE=$(command -v wine64 || true)
[ -n "$WINE" ] || { [ -x /usr/lib/wine/wine64 ] && WINE=/usr/lib/wine/wine64; }
if [ -z "$WINE" ]; then
  echo "SKIP: wine64 is not installed (bash scripts/setup.sh)"
  exit 77
fi
if [ ! -f "$HP_EXE" ]; then
  echo "SKIP: $HP_EXE is not built (bash scripts/build.sh windows)"
  exit 77
fi
WINESERVER=$(command -v wineserver || true)
[ -n "$WINESERVER" ] || WINESERVER=$(dirname "$WINE")/wineserver
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/hp-wine.XXXXXX")
export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# The test's own scratch directory (commands' output: check and hp below).
out=$(mktemp -d "${TMPDIR:-/tmp}/hp-wine-out.XXXXXX")
desktop_holder=
wine_cleanup() {
  [ -z "$desktop_holder" ] || kill "$desktop_holder" 2>/dev/null
  "$WINESERVER" -k 2>/dev/null || true
  rm -rf "$WINEPREFIX" "$out"
}
trap wine_cleanup EXIT
# Creates the prefix; an empty AeDebug\Debugger keeps a crashing program from starting winedbg
# (a crash is then an exit code, as it must be in a test).
"$WINE" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /d '' \
  /f >/dev/null 2>&1
# Wine starts its desktop process (explorer.exe /desktop) for the first program that needs one
# and ends it a few seconds after the last one is gone. Started by a container's process, it is
# in that container's Job Object and keeps the job from emptying until the grace period runs out
# (measured: a liveness restart that waited its whole 20 s for explorer.exe; real Windows has no
# such process). So a program that holds the desktop for the whole test, a `cmd /k` waiting on
# a silent pipe, is started here, outside any job, and the desktop is up before the test begins.
sleep 86400 > >("$WINE" cmd /k >/dev/null 2>&1) &
desktop_holder=$!
for _ in $(seq 150); do
  for p in $(pgrep -f 'explorer.exe /desktop'); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && break 2
  done
  sleep 0.1
done

# What every Wine test shares. check NAME CONDITION...: counts a pass or a failure (printing the
# last command's exit code, $out/out and $out/err on failure); hp ARGS...: hostprocess.exe --root
# $HP_ROOT (default C:\hpstate; a test that starts supervisors sets its own, so that its
# processes are told apart from another test's running beside it) ARGS, its output in $out/out
# (CR LF made LF) and $out/err, its exit code in $rc;
# alive MARKER: the pids whose command line holds MARKER (wine shows Windows command lines);
# wait_for CONDITION...: polls CONDITION for up to 15 s.
# They write into $out, made above.
pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
    echo "ok    $name"
  else
    fail=$((fail + 1))
    echo "FAIL  $name"
    echo "  exit: ${rc:-}"
    sed 's/^/  stdout: /' "$out/out"
    sed 's/^/  stderr: /' "$out/err"
  fi
}
hp() {
  "$WINE" "$HP_EXE" --root "$HP_ROOT" "$@" </dev/null >"$out/out" 2>"$out/err"
  rc=$?
  tr -d '\r' <"$out/out" >"$out/out.lf" && mv "$out/out.lf" "$out/out"
  # hostprocess.exe prints why whenever it fails (`exec` passes on its command's code): a
  # failure with no output at all may be the process's end rather than its answer (seen once in
  # 20 runs of wine_pods_test: `describe` exit 1, nothing printed). Said in the log, with the
  # time, for whoever meets it next.
  if [ "$rc" -ne 0 ] && [ ! -s "$out/out" ] && [ ! -s "$out/err" ]; then
    echo "note  hp $* exited $rc with no output at $(date +%T.%N)"
  fi
}
# compared NAME LRC WRC: one command run by the Linux build (exit LRC, its output in $out/l.out
# and $out/l.err) and by the Windows build (WRC, $out/w.out, $out/w.err): a pass when the exit
# codes and both streams are the same, else a failure with their differences.
compared() {
  local name=$1 lrc=$2 wrc=$3
  if [ "$lrc" -eq "$wrc" ] && cmp -s "$out/l.out" "$out/w.out" && cmp -s "$out/l.err" "$out/w.err"; then
    pass=$((pass + 1))
    echo "ok    $name (exit $lrc)"
  else
    fail=$((fail + 1))
    echo "FAIL  $name: exit linux $lrc windows $wrc"
    diff "$out/l.out" "$out/w.out" | sed 's/^/  stdout /'
    diff "$out/l.err" "$out/w.err" | sed 's/^/  stderr /'
  fi
}
# alive PATTERN: the pids of this test's processes (those in its WINEPREFIX, which Wine gives to
# every process it starts, the containers' too) whose command line holds PATTERN: a test never
# sees another test's processes that ctest runs beside it (same helper, same address).
alive() {
  local p
  for p in $(ps -eo pid=,args= | grep -F -- "$1" | grep -v -F grep | awk '{print $1}'); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "$p"
  done
  return 0
}
# kill_ours PATTERN...: kills (-9) the processes whose command line holds a PATTERN and that run
# in this test's WINEPREFIX (Wine gives it to every process it starts, the containers' too): a
# test's cleanup never signals another run's processes, whose command lines may look the same.
kill_ours() {
  local pattern p
  for pattern in "$@"; do
    for p in $(alive "$pattern"); do kill -9 "$p" 2>/dev/null; done
  done
  return 0
}
# For wait_for, which runs its arguments again at each try (a "$(alive ...)" in its arguments
# would be expanded once, before the first): some process's command line holds PATTERN / none.
process_up() { test -n "$(alive "$1")"; }
process_gone() { test -z "$(alive "$1")"; }
# started COMMAND_LINE: some process of this test's has COMMAND_LINE as its whole command line:
# the program itself runs (`alive` also sees the hostprocess.exe command that names it, `exec
# POD -- COMMAND_LINE`, which runs before the program it asks for is started).
started() {
  local p
  for p in $(alive "$1"); do
    [ "$(ps -o args= -p "$p")" = "$1" ] && return 0
  done
  return 1
}
wait_for() {  # wait_for CONDITION...: true once CONDITION holds, false after 15 s
  for _ in $(seq 150); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
# diff_with_copy ARGS...: `hostprocess.exe diff ARGS` with KUBECTL_EXTERNAL_DIFF set to a batch
# file (there is no `diff` on Wine's PATH) that copies the LIVE and MERGED files it is given to
# $out/live/ and $out/merged/ (through Wine's Z: drive, which is /) and exits 1, as `diff` does
# for a difference.
diff_with_copy() {
  local tool="$WINEPREFIX/drive_c/hp difftool.bat"
  rm -rf "$out/live" "$out/merged"
  mkdir -p "$out/live" "$out/merged"
  printf '@echo off\r\ncopy "%%~1\\*" "%s\\" >nul\r\ncopy "%%~2\\*" "%s\\" >nul\r\nexit /b 1\r\n' \
    "Z:${out//\//\\}\\live" "Z:${out//\//\\}\\merged" >"$tool"
  KUBECTL_EXTERNAL_DIFF='"C:\hp difftool.bat"' hp diff "$@"
}
