#include "cli/hostprocess/windows/pseudo_console.h"

#include <windows.h>

#include <thread>

#include "core/sys/windows/wide.h"

namespace hp::cli::windows_node {
namespace {

// Looked up at run time: MinGW declares them only for NTDDI_WIN10_RS5, and a Windows older than
// 1809 has none (the error then says so).
using CreatePseudoConsoleFn = HRESULT(WINAPI*)(COORD, HANDLE, HANDLE, DWORD, void**);
using ClosePseudoConsoleFn = void(WINAPI*)(void*);

template <typename Fn>
Fn Kernel32(const char* name) {
  return reinterpret_cast<Fn>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), name)));
}

// Copies `from` to `to` until `from` ends or a write fails.
void Copy(HANDLE from, HANDLE to) {
  char buf[4096];
  DWORD n = 0, written = 0;
  while (ReadFile(from, buf, sizeof buf, &n, nullptr) && n > 0)
    if (!WriteFile(to, buf, n, &written, nullptr)) break;
}

// The console window's size (80x25 when stdout is no console).
COORD WindowSize() {
  CONSOLE_SCREEN_BUFFER_INFO info;
  if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info)) return {80, 25};
  return {static_cast<SHORT>(info.srWindow.Right - info.srWindow.Left + 1),
          static_cast<SHORT>(info.srWindow.Bottom - info.srWindow.Top + 1)};
}

// This process's console in raw VT mode (keys passed as typed, VT output interpreted), restored
// when it goes.
class RawConsole {
 public:
  RawConsole() {
    in_ = GetStdHandle(STD_INPUT_HANDLE);
    out_ = GetStdHandle(STD_OUTPUT_HANDLE);
    has_in_ = GetConsoleMode(in_, &in_mode_);
    has_out_ = GetConsoleMode(out_, &out_mode_);
    if (has_in_)
      SetConsoleMode(
          in_, (in_mode_ & ~(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT | ENABLE_PROCESSED_INPUT)) |
                   ENABLE_VIRTUAL_TERMINAL_INPUT);
    if (has_out_)
      SetConsoleMode(out_,
                     out_mode_ | ENABLE_VIRTUAL_TERMINAL_PROCESSING | DISABLE_NEWLINE_AUTO_RETURN);
  }
  ~RawConsole() {
    if (has_in_) SetConsoleMode(in_, in_mode_);
    if (has_out_) SetConsoleMode(out_, out_mode_);
  }
  RawConsole(const RawConsole&) = delete;
  RawConsole& operator=(const RawConsole&) = delete;

 private:
  HANDLE in_, out_;
  DWORD in_mode_ = 0, out_mode_ = 0;
  BOOL has_in_ = FALSE, has_out_ = FALSE;
};

}  // namespace

bool StdinIsConsole() {
  DWORD mode = 0;
  return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
}

Result<uint32_t> RunInPseudoConsole(const std::function<Result<uint32_t>(void* hpc)>& run) {
  auto create = Kernel32<CreatePseudoConsoleFn>("CreatePseudoConsole");
  auto close = Kernel32<ClosePseudoConsoleFn>("ClosePseudoConsole");
  if (!create || !close)
    return Err(ErrorCode::kUnsupported,
               "exec -t needs a pseudo console (CreatePseudoConsole: Windows 10 1809 or later), "
               "which this system does not have; run exec without -t");
  HANDLE in_r = nullptr, in_w = nullptr, out_r = nullptr, out_w = nullptr;
  if (!CreatePipe(&in_r, &in_w, nullptr, 0)) return Err(sys::Win32Error("make the tty's pipes"));
  if (!CreatePipe(&out_r, &out_w, nullptr, 0)) {
    CloseHandle(in_r);
    CloseHandle(in_w);
    return Err(sys::Win32Error("make the tty's pipes"));
  }
  void* hpc = nullptr;
  HRESULT hr = create(WindowSize(), in_r, out_w, 0, &hpc);
  // The pseudo console holds its own copies of its ends.
  CloseHandle(in_r);
  CloseHandle(out_w);
  if (FAILED(hr)) {
    CloseHandle(in_w);
    CloseHandle(out_r);
    return Err(ErrorCode::kInternal, "make a pseudo console for exec -t: HRESULT 0x{:08x}",
               static_cast<uint32_t>(hr));
  }
  Result<uint32_t> code = 0u;
  {
    RawConsole raw;
    std::thread output(Copy, out_r, GetStdHandle(STD_OUTPUT_HANDLE));
    // The keys: a thread blocked reading this console until the process exits (a console read
    // cannot be interrupted portably), so it is left to end with the process.
    std::thread(Copy, GetStdHandle(STD_INPUT_HANDLE), in_w).detach();
    code = run(hpc);
    close(hpc);  // the command ended: its last output is flushed, then the output pipe ends
    output.join();
  }
  CloseHandle(out_r);
  return code;
}

}  // namespace hp::cli::windows_node
