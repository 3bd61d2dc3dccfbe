// hp-test-helper.exe MODE ARGS...: what the Wine tier needs a container to do that no stock
// Wine program does (tests/wine/pods/grace_test.sh).
//   ctrl-exit FILE DELAY_MS CODE  on a console control event: append "got <event>" to FILE,
//                                 sleep DELAY_MS, exit with CODE (a program that shuts down
//                                 cleanly within its grace period)
//   ctrl-ignore FILE              on a console control event: append "got <event>" to FILE and
//                                 keep running (a program that outlives its grace period)
// Both print "ready" on stdout once their handler is in place, then wait forever.
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::string g_file;
DWORD g_delay_ms = 0;
int g_code = 0;
bool g_exit = false;

void Append(const char* line) {
  FILE* f = std::fopen(g_file.c_str(), "ab");
  if (!f) return;
  std::fputs(line, f);
  std::fclose(f);
}

BOOL WINAPI Handler(DWORD event) {
  char line[64];
  std::snprintf(line, sizeof line, "got %lu\n", static_cast<unsigned long>(event));
  Append(line);
  if (!g_exit) return TRUE;  // handled: keep running
  Sleep(g_delay_ms);
  Append("exiting\n");
  ExitProcess(static_cast<UINT>(g_code));
}

int Usage() {
  std::fputs("usage: hp-test-helper ctrl-exit FILE DELAY_MS CODE | ctrl-ignore FILE\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  std::string mode = argv[1];
  g_file = argv[2];
  if (mode == "ctrl-exit" && argc == 5) {
    g_exit = true;
    g_delay_ms = static_cast<DWORD>(std::strtoul(argv[3], nullptr, 10));
    g_code = std::atoi(argv[4]);
  } else if (mode != "ctrl-ignore" || argc != 3) {
    return Usage();
  }
  SetConsoleCtrlHandler(Handler, TRUE);
  std::puts("ready");
  std::fflush(stdout);
  for (;;) Sleep(INFINITE);
}
