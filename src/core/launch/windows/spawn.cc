#include "core/launch/windows/spawn.h"

#include <windows.h>

#include <utility>
#include <vector>

#include "core/sys/windows/wide.h"

namespace hp::launch {
namespace {

// An inheritable duplicate of `h` (or of the caller's standard handle `which`), closed with
// the object; none when not `wanted`.
class InheritedHandle {
 public:
  InheritedHandle(void* h, DWORD which, bool wanted) {
    if (!wanted) return;
    HANDLE source = h ? static_cast<HANDLE>(h) : GetStdHandle(which);
    if (source && source != INVALID_HANDLE_VALUE)
      DuplicateHandle(GetCurrentProcess(), source, GetCurrentProcess(), &h_, 0, TRUE,
                      DUPLICATE_SAME_ACCESS);
  }
  ~InheritedHandle() {
    if (h_) CloseHandle(h_);
  }
  InheritedHandle(const InheritedHandle&) = delete;
  InheritedHandle& operator=(const InheritedHandle&) = delete;
  HANDLE get() const { return h_; }

 private:
  HANDLE h_ = nullptr;
};

}  // namespace

Process::Process(Process&& o) noexcept : handle_(std::exchange(o.handle_, nullptr)), pid_(o.pid_) {}

Process::~Process() {
  if (handle_) CloseHandle(handle_);
}

Result<bool> Process::Wait(std::chrono::milliseconds timeout) {
  DWORD r = WaitForSingleObject(handle_, static_cast<DWORD>(timeout.count()));
  if (r == WAIT_OBJECT_0) return true;
  if (r == WAIT_TIMEOUT) return false;
  return Err(sys::Win32Error("wait for process " + std::to_string(pid_)));
}

Result<uint32_t> Process::ExitCode() const {
  DWORD code = 0;
  if (!GetExitCodeProcess(handle_, &code))
    return Err(sys::Win32Error("exit code of process " + std::to_string(pid_)));
  return static_cast<uint32_t>(code);
}

Status Process::Terminate(uint32_t code) {
  if (!TerminateProcess(handle_, code))
    return Err(sys::Win32Error("terminate process " + std::to_string(pid_)));
  return Ok();
}

Result<Process> Spawn(const SpawnSpec& spec, const job::JobAttach& attach) {
  const auto* job = dynamic_cast<const job::JobObjectAttach*>(&attach);
  if (!job || !job->handle())
    return Err(ErrorCode::kInvalidArgument, "not a Job Object's attach token");
  // With a pseudo console the process inherits no handle: its standard handles are the
  // console's.
  const bool console = spec.pseudo_console != nullptr;
  InheritedHandle in(spec.std_in, STD_INPUT_HANDLE, !console),
      out(spec.std_out, STD_OUTPUT_HANDLE, !console), err(spec.std_err, STD_ERROR_HANDLE, !console);
  std::vector<HANDLE> inherit;
  for (HANDLE h : {in.get(), out.get(), err.get()})
    if (h) inherit.push_back(h);

  SIZE_T size = 0;
  InitializeProcThreadAttributeList(nullptr, 2, 0, &size);
  std::vector<char> storage(size);
  auto* attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.data());
  if (!InitializeProcThreadAttributeList(attrs, 2, 0, &size))
    return Err(sys::Win32Error("initialize the process attributes"));
  struct Cleanup {
    LPPROC_THREAD_ATTRIBUTE_LIST a;
    ~Cleanup() { DeleteProcThreadAttributeList(a); }
  } cleanup{attrs};
  HANDLE job_handle = job->handle();
  if (!UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_JOB_LIST, &job_handle,
                                 sizeof job_handle, nullptr, nullptr))
    return Err(sys::Win32Error("set the job of the process"));
  if (!inherit.empty() &&
      !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit.data(),
                                 inherit.size() * sizeof(HANDLE), nullptr, nullptr))
    return Err(sys::Win32Error("set the handles the process inherits"));
  // PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE (MinGW declares it only for NTDDI_WIN10_RS5 and later).
  constexpr DWORD_PTR kPseudoConsole = 0x00020016;
  if (console && !UpdateProcThreadAttribute(attrs, 0, kPseudoConsole, spec.pseudo_console,
                                            sizeof(void*), nullptr, nullptr))
    return Err(sys::Win32Error("set the pseudo console of the process"));

  STARTUPINFOEXW si = {};
  si.StartupInfo.cb = sizeof si;
  // With a pseudo console the handles are null: the process then gets the console's, not
  // this process's (which it would inherit without STARTF_USESTDHANDLES, a redirected stdout
  // included).
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = in.get();
  si.StartupInfo.hStdOutput = out.get();
  si.StartupInfo.hStdError = err.get();
  si.lpAttributeList = attrs;

  std::wstring application = sys::Widen(spec.application);
  std::wstring command_line = sys::Widen(spec.command_line);  // CreateProcessW may write to it
  std::wstring environment = sys::Widen(spec.environment);
  std::wstring dir = sys::Widen(spec.working_dir);
  PROCESS_INFORMATION pi = {};
  DWORD flags = CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
  BOOL inherits = inherit.empty() ? FALSE : TRUE;
  wchar_t* env = environment.empty() ? nullptr : environment.data();
  const wchar_t* cwd = dir.empty() ? nullptr : dir.c_str();
  BOOL started = spec.token
                     ? CreateProcessAsUserW(static_cast<HANDLE>(spec.token), application.c_str(),
                                            command_line.data(), nullptr, nullptr, inherits, flags,
                                            env, cwd, &si.StartupInfo, &pi)
                     : CreateProcessW(application.c_str(), command_line.data(), nullptr, nullptr,
                                      inherits, flags, env, cwd, &si.StartupInfo, &pi);
  if (!started) return Err(sys::Win32Error("start \"" + spec.application + "\""));
  CloseHandle(pi.hThread);
  return Process(pi.hProcess, static_cast<uint32_t>(pi.dwProcessId));
}

}  // namespace hp::launch
