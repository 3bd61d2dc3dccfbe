# Sourced by the Wine tier's scripts: finds wine64 (exit 77, "skipped", when it or the Windows
# build is missing), makes a private WINEPREFIX for this run with crash dialogs and the debugger
# off, and removes it (and stops its wineserver) on exit. Sets WINE and HP_EXE.
# Usage: source wine_env.sh WINDOWS_EXE
HP_EXE=$1
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
wine_cleanup() {
  "$WINESERVER" -k 2>/dev/null || true
  rm -rf "$WINEPREFIX"
}
trap wine_cleanup EXIT
# Creates the prefix; an empty AeDebug\Debugger keeps a crashing program from starting winedbg
# (a crash is then an exit code, as it must be in a test).
"$WINE" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /d '' \
  /f >/dev/null 2>&1
