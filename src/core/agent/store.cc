#include "core/agent/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "core/agent/status.h"
#include "core/agent/supervisor.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::agent {

Result<FileLock> LockFile(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return SysErr("flock \"{}\"", path);
  }
  return FileLock(std::move(fd));
}

Result<std::string> KernelBootId() {
  ASSIGN_OR_RETURN(std::string id, sys::ReadFile("/proc/sys/kernel/random/boot_id"));
  return std::string(TrimSpace(id));
}

Status Store::Init(std::string boot_id, const std::function<void(const std::string&)>& retire) {
  rebooted_ = false;
  kept_.clear();
  if (boot_id.empty()) {
    ASSIGN_OR_RETURN(boot_id, KernelBootId());
  }
  TRY(sys::MkdirAll(DesiredDir() + "/daemonsets", 0700));
  TRY(sys::MkdirAll(DesiredDir() + "/pods", 0700));
  TRY(sys::MkdirAll(LogsDir(), 0755));
  std::string id_path = RunDir() + "/boot_id";
  auto current = sys::ReadFile(id_path);
  if (current && std::string(TrimSpace(*current)) == boot_id) {
    return sys::MkdirAll(PodsRunDir(), 0700);
  }
  // run/boot_id is another boot's, or unreadable: a reboot, or a damaged file. It is only a
  // hint: each pod is judged by its own evidence, which a damaged boot_id cannot falsify. A pod
  // whose supervisor lives, or whose status says it started in this boot, is kept (the
  // reconcile recovers a dead one like any crashed supervisor); every other pod's leftovers are
  // handed to `retire` and its state removed. A first start (no run/) is no reboot.
  rebooted_ = sys::Exists(RunDir());
  if (sys::IsDir(PodsRunDir())) {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, ListPodKeys());
    for (const std::string& key : keys) {
      std::string dir = PodDir(key);
      auto st = ReadPodStatus(dir + "/" + kStatusFile);
      bool this_boot = st && !st->supervisor_boot.empty() && st->supervisor_boot == boot_id;
      if (this_boot || FindLiveSupervisor(dir, boot_id)) {
        kept_.push_back(key);
        continue;
      }
      if (retire) retire(key);
      TRY_CTX(sys::RemoveAll(dir), "clear stale \"{}\"", dir);
    }
  }
  TRY(sys::MkdirAll(PodsRunDir(), 0700));
  // A command killed while it wrote boot_id left that write's temp file; boot_id is then not
  // this boot's, so the next command comes here again, under the lock, and removes it.
  TRY(sys::RemoveAtomicWriteTemps(RunDir(), "boot_id"));
  return sys::WriteFileAtomic(id_path, boot_id + "\n", 0644, true);
}

Result<bool> Store::IsCurrentBoot(std::string boot_id) const {
  if (boot_id.empty()) {
    ASSIGN_OR_RETURN(boot_id, KernelBootId());
  }
  auto current = sys::ReadFile(RunDir() + "/boot_id");
  return current && std::string(TrimSpace(*current)) == boot_id && sys::IsDir(PodsRunDir());
}

Result<FileLock> Store::Lock() const { return LockFile(root_ + "/lock"); }

Status Store::RemoveStaleTempFiles() {
  TRY(RemoveStaleDesiredTempFiles());
  return daemonset_events().RemoveStaleTempFiles();
}

Result<std::vector<std::string>> Store::ListPodKeys() const {
  std::vector<std::string> out;
  if (!sys::IsDir(PodsRunDir())) return out;
  ASSIGN_OR_RETURN(out, sys::ListSubdirs(PodsRunDir()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hp::agent
