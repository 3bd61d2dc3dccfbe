// hp-test-helper.exe MODE ARGS...: what the Wine tier needs a container to do that no stock
// Wine program does (tests/wine/pods/grace_test.sh, probes_test.sh).
//   ctrl-exit FILE DELAY_MS CODE  on a console control event: append "got <event>" to FILE,
//                                 sleep DELAY_MS, exit with CODE (a program that shuts down
//                                 cleanly within its grace period)
//   ctrl-ignore FILE              on a console control event: append "got <event>" to FILE and
//                                 keep running (a program that outlives its grace period)
// Both print "ready" on stdout once their handler is in place, then wait forever.
//   tty-check [echo]              prints "stdin-console=<0|1> stdout-console=<0|1> size=<W>x<H>"
//                                 (whether its standard handles are a console, and the
//                                 console window's size); with `echo`, then reads a line and
//                                 prints "read=<line>"; exits 0
//   listen PORT                   listens on TCP PORT (all addresses), prints "listening",
//                                 then accepts and closes connections forever (a server for
//                                 tcpSocket probes, tests/wine/pods/probes_test.sh)
//   http PORT STATUS              listens on TCP PORT, prints "serving", then answers every
//                                 request with HTTP status STATUS and a short body, printing
//                                 each request's first line ("request GET /path HTTP/1.1")
//                                 forever (a server for httpGet probes)
//   spew BYTES CODE               writes "spew: exiting with CODE" on stderr, then BYTES bytes
//                                 of 63-byte lines on stdout, exits with CODE (an exec probe's
//                                 command whose output is more than a pipe holds)
//   dir-watch DIR                 sys::DirWatch on DIR (made, with DIR\sub): prints
//                                 "quiet: <0|1>" (a 300 ms wait with no change timed out), then
//                                 "made: <0|1> <ms> ms" (woken by DIR\file made from another
//                                 thread 300 ms in: not before 250 ms, within 5 s), "renamed:
//                                 ..." (DIR\file moved to DIR\sub\moved), and "subtree: ..."
//                                 (DIR\sub\file written; within 2 s), each after the changes
//                                 before it are drained; exits 0 when the first three are 1,
//                                 since Wine does not report changes below the directory itself
//                                 (tests/wine/pods/pods_test.sh: what `wait` sleeps on)
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#include <winsock2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "core/sys/dir_watch.h"

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
  std::fputs(
      "usage: hp-test-helper ctrl-exit FILE DELAY_MS CODE | ctrl-ignore FILE | tty-check [echo] | "
      "listen PORT | http PORT STATUS | spew BYTES CODE | dir-watch DIR\n",
      stderr);
  return 2;
}

}  // namespace

int TtyCheck(bool echo) {
  DWORD mode = 0;
  CONSOLE_SCREEN_BUFFER_INFO info = {};
  BOOL in = GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode);
  BOOL out = GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info);
  std::printf("stdin-console=%d stdout-console=%d size=%dx%d\n", in ? 1 : 0, out ? 1 : 0,
              out ? info.srWindow.Right - info.srWindow.Left + 1 : 0,
              out ? info.srWindow.Bottom - info.srWindow.Top + 1 : 0);
  std::fflush(stdout);
  if (echo) {
    char line[256] = {};
    if (!std::fgets(line, sizeof line, stdin)) return 1;
    line[std::strcspn(line, "\r\n")] = 0;
    std::printf("read=%s\n", line);
    std::fflush(stdout);
  }
  return 0;
}

// Listens on TCP `port` (all addresses); INVALID_SOCKET after printing why.
SOCKET ListenOn(int port) {
  WSADATA d;
  if (WSAStartup(MAKEWORD(2, 2), &d) != 0) return INVALID_SOCKET;
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<u_short>(port));
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (s == INVALID_SOCKET || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(s, 16) != 0) {
    std::printf("listen %d failed: %d\n", port, WSAGetLastError());
    std::fflush(stdout);
    return INVALID_SOCKET;
  }
  return s;
}

int Listen(int port) {
  SOCKET s = ListenOn(port);
  if (s == INVALID_SOCKET) return 1;
  std::puts("listening");
  std::fflush(stdout);
  for (;;) {
    SOCKET c = accept(s, nullptr, nullptr);
    if (c != INVALID_SOCKET) closesocket(c);
  }
}

int Http(int port, int status) {
  SOCKET s = ListenOn(port);
  if (s == INVALID_SOCKET) return 1;
  std::puts("serving");
  std::fflush(stdout);
  for (;;) {
    SOCKET c = accept(s, nullptr, nullptr);
    if (c == INVALID_SOCKET) continue;
    DWORD timeout_ms = 2000;  // a client that sends nothing does not hold the server up
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&timeout_ms),
               sizeof timeout_ms);
    std::string req;
    char buf[1024];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
      int n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    std::printf("request %s\n", req.substr(0, req.find("\r\n")).c_str());
    std::fflush(stdout);
    std::string body = "status " + std::to_string(status) + "\n";
    std::string resp =
        "HTTP/1.1 " + std::to_string(status) +
        " Test\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    send(c, resp.data(), static_cast<int>(resp.size()), 0);
    shutdown(c, SD_SEND);
    closesocket(c);
  }
}

int Spew(long bytes, int code) {
  std::fprintf(stderr, "spew: exiting with %d\n", code);
  std::fflush(stderr);
  std::string line(61, 'x');
  line += "\r\n";  // binary stdout below: 63 bytes a line
  _setmode(_fileno(stdout), _O_BINARY);
  for (long left = bytes; left > 0; left -= static_cast<long>(line.size()))
    std::fwrite(line.data(), 1, std::min<size_t>(line.size(), static_cast<size_t>(left)), stdout);
  std::fflush(stdout);
  return code;
}

// dir-watch DIR (above).
int DirWatchCheck(const std::string& dir) {
  CreateDirectoryA(dir.c_str(), nullptr);
  CreateDirectoryA((dir + "\\sub").c_str(), nullptr);
  hp::sys::DirWatch watch({dir});
  using Clock = std::chrono::steady_clock;
  bool quiet = !watch.Wait(std::chrono::milliseconds(300));
  std::printf("quiet: %d\n", quiet ? 1 : 0);
  // Woken by `change`, made 300 ms in on another thread, within `within`: not before 250 ms (a
  // change of the step before, left over, would wake it at once: drained first).
  auto woken_by = [&](const char* what, std::chrono::milliseconds within, auto change) {
    while (watch.Wait(std::chrono::milliseconds(100))) {
    }
    std::thread t([&] {
      Sleep(300);
      change();
    });
    auto start = Clock::now();
    bool woken = watch.Wait(within);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    t.join();
    woken = woken && ms >= 250;
    std::printf("%s: %d %lld ms\n", what, woken ? 1 : 0, static_cast<long long>(ms));
    std::fflush(stdout);
    return woken;
  };
  auto write = [](const std::string& path) {
    if (FILE* f = std::fopen(path.c_str(), "w")) {
      std::fputs("x", f);
      std::fclose(f);
    }
  };
  bool made = woken_by("made", std::chrono::milliseconds(5000), [&] { write(dir + "\\file"); });
  bool renamed = woken_by("renamed", std::chrono::milliseconds(5000), [&] {
    MoveFileA((dir + "\\file").c_str(), (dir + "\\sub\\moved").c_str());
  });
  woken_by("subtree", std::chrono::milliseconds(2000), [&] { write(dir + "\\sub\\file"); });
  return quiet && made && renamed ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "dir-watch") == 0) return DirWatchCheck(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "listen") == 0) return Listen(std::atoi(argv[2]));
  if (argc == 4 && std::strcmp(argv[1], "http") == 0)
    return Http(std::atoi(argv[2]), std::atoi(argv[3]));
  if (argc == 4 && std::strcmp(argv[1], "spew") == 0)
    return Spew(std::atol(argv[2]), std::atoi(argv[3]));
  if (argc >= 2 && std::strcmp(argv[1], "tty-check") == 0)
    return TtyCheck(argc == 3 && std::strcmp(argv[2], "echo") == 0);
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
