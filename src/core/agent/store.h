// hp/agent: the agent's state directory.
//
//   <root>/lock                         flock(2) taken by every mutating command
//   <root>/desired/                     persistent (survives a reboot): what was applied
//     node.json                         node config (hostname override, labels, taints)
//     daemonsets/<ns>_<name>.json       {"object": <DaemonSet as JSON>, "meta": {...}}
//     pods/<ns>_<name>.json             bare Pods applied with `apply`
//   <root>/run/                         like /run: cleared when the boot id changes
//     boot_id                           /proc/sys/kernel/random/boot_id when run/ was made
//     pods/<ns>_<pod>/                  one per pod on this node
//       pod.json                        the pod (written by the CLI before the supervisor)
//       status.json                     written by the supervisor (atomically)
//       stop                            present: the pod is being deleted
//   <root>/logs/<ns>_<pod>_<uid>/<container>/<restart>.log   CRI logs
//
// Every file is written through a temp file and rename(2).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::agent {

Result<nlohmann::json> ReadJsonFile(const std::string& path);
Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& value);

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

class Store {
 public:
  explicit Store(std::string root) : root_(std::move(root)) {}
  // Creates the directories; when `boot_id` differs from run/boot_id, clears run/ first
  // (a reboot happened: nothing under run/ is true any more). `boot_id` "" reads the kernel's.
  Status Init(std::string boot_id = "");
  // True when run/ belongs to this boot (`boot_id` "" = the kernel's): Init has nothing to do.
  Result<bool> IsCurrentBoot(std::string boot_id = "") const;
  // True when Init found run/ of another boot and cleared it (not on the first start).
  bool rebooted() const { return rebooted_; }

  const std::string& root() const { return root_; }
  std::string DesiredDir() const { return root_ + "/desired"; }
  std::string RunDir() const { return root_ + "/run"; }
  std::string PodsRunDir() const { return root_ + "/run/pods"; }
  std::string PodDir(const std::string& key) const { return PodsRunDir() + "/" + key; }
  std::string LogsDir() const { return root_ + "/logs"; }
  std::string NodeConfigPath() const { return DesiredDir() + "/node.json"; }

  // Takes the store's lock (every mutating command holds it).
  Result<FileLock> Lock() const;

  // Desired objects by kind directory ("daemonsets", "pods") and key ("<ns>_<name>").
  Status PutDesired(const std::string& kind, const std::string& key, const nlohmann::json& v);
  Result<std::optional<nlohmann::json>> GetDesired(const std::string& kind,
                                                   const std::string& key) const;
  // Sorted by key.
  Result<std::vector<nlohmann::json>> ListDesired(const std::string& kind) const;
  Status DeleteDesired(const std::string& kind, const std::string& key);

  // Keys of the pod directories under run/pods, sorted.
  Result<std::vector<std::string>> ListPodKeys() const;

 private:
  std::string root_;
  bool rebooted_ = false;
};

// The kernel's boot id (/proc/sys/kernel/random/boot_id), without the newline.
Result<std::string> KernelBootId();

}  // namespace hp::agent
