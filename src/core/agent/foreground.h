// hp/agent: crash safety of a foreground `hostprocess run` (issue 21 item 1).
//
// A `run` writes a record of itself *before* it creates anything, under
// `<root>/run/foreground/<pod-uid>.{lock,json}`:
//   - `<uid>.lock`, flock(2)ed by `run` for its whole life (and by its keeper, below): a held
//     lock is a live run; the kernel releases it when the holders die, also on kill -9;
//   - `<uid>.json`: run's pid, start time and boot id, its keeper's pid, the state root, the
//     cgroup root, the pod's uid and an id for each of the pod's containers, written once before
//     any container's sandbox, job, mounts or user exist (the supervisor's rule, docs/agent.md).
// A **keeper** — a small process (the static `hostprocess-keeper` next to the binary, exec'd
// from a clone that copies nothing of `run`; a fork of `run` when that program is missing)
// started by `run` before any container exists, in a session (or process group) of its own so
// the terminal's signals do not reach it — waits on a pipe whose only writer is `run`. When `run`
// dies, the pipe ends: if the record is still there (`run` did not finish its own teardown), the
// keeper kills the pod's jobs (with every daemonised process in them) and removes what the record
// names, then the record. A `run` that ends normally removes its record first, and the keeper just
// exits. If the keeper died too (kill -9 of both, a reboot), the next command on the root reaps:
// ReapForegroundRuns, called by `run` and by every verb that opens the agent, cleans up after
// each record whose lock is free.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::agent {

struct ForegroundRecord {
  pid_t pid = 0;  // the `run` process
  uint64_t start = 0;
  std::string boot;
  pid_t keeper = 0;
  std::string root;
  std::string job_root;
  std::string pod_uid;
  std::vector<std::string> container_ids;
  std::string remove_dir;  // removed too when the run is reaped (`run --rm`: the pod's logs)
};

// `<root>/run/foreground`
std::string ForegroundDir(const std::string& root);

// The keeper's work once its run is gone: when the record at `json_path` is still there (the
// run died before its teardown), removes what it names, then the run's files: the record and
// its write temporaries, `lock_path` and the lock under its temporary name (`lock_path` +
// ".new"); without a record, only the files a killed set-up left. A clean-up that fails leaves
// the record for the next command (ReapForegroundRuns). `lock_path` is "<dir>/<id>.lock".
void FinishKilledRun(const std::string& json_path, const std::string& lock_path);

class ForegroundRun {
 public:
  // Takes the lock, starts the keeper and writes the record, once, with an id for each of the
  // pod's `containers` (before anything of the pod exists). Call before any thread starts
  // (without `hostprocess-keeper` next to this binary, the keeper is a fork of this process).
  static Result<ForegroundRun> Begin(const std::string& root, const std::string& job_root,
                                     const std::string& pod_uid, const std::string& remove_dir,
                                     size_t containers);
  ForegroundRun() = default;
  ForegroundRun(ForegroundRun&& o) noexcept { *this = std::move(o); }
  ForegroundRun& operator=(ForegroundRun&& o) noexcept;
  ~ForegroundRun();

  // The next container's id: one the record holds, or (past those) a new one, recorded first.
  Result<std::string> NextContainerId();
  // The run ended and removed everything itself: removes the record, lets the keeper go.
  Status Finish();

  const ForegroundRecord& record() const { return record_; }

 private:
  Status StartKeeper();
  Status Save();
  std::string json_path_, lock_path_;
  size_t next_container_ = 0;
  ForegroundRecord record_;
  UniqueFd lock_;
  UniqueFd keeper_pipe_;  // write end: closes when this process dies
  bool active_ = false;
};

// Removes what every dead foreground run of `root` left (records whose lock is free; one whose
// run is dead but whose keeper is still cleaning is waited for, up to `wait_keeper`). Returns
// the records of the runs alive. Problems that do not stop the caller (a clean-up that failed:
// its record stays for the next command) are told to `warn`.
Result<std::vector<ForegroundRecord>> ReapForegroundRuns(
    const std::string& root, const std::function<void(const std::string&)>& warn = nullptr);

// Cleans up after one record (the pod's jobs, container volumes, scratch, leases, users, the
// pod's directory and `remove_dir`).
Status CleanupForegroundRun(const ForegroundRecord& record);

}  // namespace hp::agent
