// hp/launch on Windows: starts a container process inside its Job Object before its first
// instruction (PROC_THREAD_ATTRIBUTE_JOB_LIST), inheriting only the standard handles given
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), with its own environment block and working directory.
// The process handle is kept: Windows reuses process ids.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/base/result.h"
#include "core/job/windows/job_object.h"

namespace hp::launch {

struct SpawnSpec {
  std::string application;   // windows::ResolveApplication's path
  std::string command_line;  // and command line
  std::string environment;   // windows::EnvironmentBlock (UTF-8)
  std::string working_dir;
  // Standard handles for the process (HANDLEs; null: the caller's own).
  void* std_in = nullptr;
  void* std_out = nullptr;
  void* std_err = nullptr;
  // The account's primary token (logon.h); null: this process's own account.
  void* token = nullptr;
  // An HPCON (CreatePseudoConsole): the process's console; its standard handles are then the
  // console's and std_in/std_out/std_err are not used (exec -t).
  void* pseudo_console = nullptr;
};

class Process {
 public:
  Process(void* handle, uint32_t pid) : handle_(handle), pid_(pid) {}
  Process(Process&& o) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process();

  uint32_t pid() const { return pid_; }
  // Waits for the process to end; its exit code, or nullopt-like false on timeout.
  Result<bool> Wait(std::chrono::milliseconds timeout);
  Result<uint32_t> ExitCode() const;
  // Ends the process alone (TerminateProcess) with `code` (a probe's command past its timeout).
  Status Terminate(uint32_t code);

 private:
  void* handle_;
  uint32_t pid_;
};

// Starts the process in the job of `attach` (a job::JobObjectAttach from the Job's
// PrepareAttach) before its first instruction.
Result<Process> Spawn(const SpawnSpec& spec, const job::JobAttach& attach);

}  // namespace hp::launch
