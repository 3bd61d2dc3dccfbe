// hp/agent: the agent's state directory.
//
//   <root>/lock                         flock(2) taken by every mutating command
//   <root>/desired/                     persistent (survives a reboot): what was applied
//     node.json                         node config (hostname override, labels, taints)
//     <kind>/<ns>_<name>.json           {"object": ..., "created": ...} (desired.h, shared with
//                                       Windows): daemonsets, pods (bare Pods), configmaps, ...
//   <root>/run/                         like /run: its pods are cleared after a reboot
//     boot_id                           /proc/sys/kernel/random/boot_id when run/ was made
//     pods/<ns>_<pod>/                  one per pod on this node
//       pod.json                        the pod (written by the CLI before the supervisor)
//       status.json                     written by the supervisor (atomically)
//       supervisor.json                 the supervisor's pid, start time and boot id
//       stop                            present: the pod is being deleted
//     daemonsets/<ns>_<name>.events.json   the DaemonSet controller's events (SuccessfulCreate,
//                                   SuccessfulDelete of its pods; daemonset_events.h)
//   <root>/logs/<ns>_<pod>_<uid>/<container>/<restart>.log   CRI logs
//
// Every file is written through a temp file and rename(2); desired/ with fsync of the file and
// of its directory.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent/daemonset_events.h"
#include "core/agent/desired.h"
#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::agent {

// An exclusive flock(2) on a file, released when destroyed.
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  bool held() const { return fd_.valid(); }
  void Unlock() { fd_.reset(); }

 private:
  UniqueFd fd_;
};
// Blocks until the lock on `path` (created if missing) is held.
Result<FileLock> LockFile(const std::string& path);

// The node's state: the desired objects (desired.h, shared with Windows) and Linux's run state.
class Store : public DesiredObjects {
 public:
  explicit Store(std::string root) : DesiredObjects(std::move(root)) {}
  // Creates the directories. When run/boot_id is not `boot_id` ("" reads the kernel's) — a
  // reboot, or a missing or damaged file — each pod under run/pods is judged by its own
  // evidence: one whose supervisor is alive (pid, start time and boot id from its status or
  // supervisor.json) or whose status was written in this boot is kept (kept_pods()); the state
  // of every other pod is removed, after `retire(key)` cleaned up what it left.
  Status Init(std::string boot_id = "",
              const std::function<void(const std::string& key)>& retire = nullptr);
  // True when run/ belongs to this boot (`boot_id` "" = the kernel's): Init has nothing to do.
  Result<bool> IsCurrentBoot(std::string boot_id = "") const;
  // True when Init found run/ of another boot, or without a readable boot id (not on the
  // first start); kept_pods() are the pods it kept.
  bool rebooted() const { return rebooted_; }
  const std::vector<std::string>& kept_pods() const { return kept_; }

  std::string RunDir() const { return root_ + "/run"; }
  std::string PodsRunDir() const { return root_ + "/run/pods"; }
  std::string PodDir(const std::string& key) const { return PodsRunDir() + "/" + key; }
  std::string LogsDir() const { return root_ + "/logs"; }
  // The DaemonSet controller's events (daemonset_events.h, shared with Windows).
  DaemonSetEvents daemonset_events() const { return DaemonSetEvents(root_); }
  std::string NodeConfigPath() const { return DesiredDir() + "/node.json"; }

  // Takes the store's lock (every mutating command holds it).
  Result<FileLock> Lock() const;

  // Removes the temp files of writers killed before their rename, in desired/ and
  // run/daemonsets (the caller holds the lock: no live writer has one).
  Status RemoveStaleTempFiles();

  // Keys of the pod directories under run/pods, sorted.
  Result<std::vector<std::string>> ListPodKeys() const;

 private:
  bool rebooted_ = false;
  std::vector<std::string> kept_;
};

// The kernel's boot id (/proc/sys/kernel/random/boot_id), without the newline.
Result<std::string> KernelBootId();

}  // namespace hp::agent
