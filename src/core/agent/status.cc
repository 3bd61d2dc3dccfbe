#include "core/agent/status.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/agent/store.h"
#include "core/agent/supervisor.h"
#include "core/base/time.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::agent {

namespace {
bool Alive(const SupervisorId& id, const std::string& boot) {
  if (id.pid <= 0 || id.start == 0) return false;
  if (!id.boot.empty() && id.boot != boot) return false;  // another boot's pid and start time
  return ProcessAlive(id.pid, id.start);
}
}  // namespace

std::optional<SupervisorId> FindLiveSupervisor(const std::string& pod_dir, const std::string& boot,
                                               const PodStatus* status) {
  std::optional<PodStatus> read;
  if (!status) {
    if (auto st = ReadPodStatus(pod_dir + "/" + kStatusFile)) read = std::move(*st);
    status = read ? &*read : nullptr;
  }
  if (status) {
    SupervisorId id{status->supervisor_pid, status->supervisor_start, status->supervisor_boot};
    if (Alive(id, boot)) return id;
  }
  auto id = ReadSupervisorId(pod_dir);
  if (id && Alive(*id, boot)) return id;
  // Both files damaged: the supervisor holds a flock on the pod directory for its whole life
  // (supervisor.cc), which no damaged file can hide.
  if (auto pid = sys::FlockHolder(pod_dir)) {
    SupervisorId held{*pid, ProcessStartTime(*pid), boot, "", ""};
    if (id && id->pid == held.pid) {
      held.pod_uid = id->pod_uid;
      held.job_root = id->job_root;
    }
    if (Alive(held, boot)) return held;
  }
  return std::nullopt;
}

std::optional<SupervisorId> ReadSupervisorId(const std::string& pod_dir) {
  auto j = ReadJsonFile(pod_dir + "/" + kSupervisorIdFile);
  if (!j || !j->is_object()) return std::nullopt;
  SupervisorId id;
  try {
    id.pid = j->value("pid", pid_t{0});
    id.start = j->value("start", uint64_t{0});
    id.boot = j->value("boot", "");
    id.pod_uid = j->value("podUid", "");
    id.job_root = j->value("cgroupRoot", "");
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return id;
}

Status WriteSupervisorId(const std::string& pod_dir, const SupervisorId& id) {
  return WriteJsonFileAtomic(pod_dir + "/" + kSupervisorIdFile, {{"pid", id.pid},
                                                                 {"start", id.start},
                                                                 {"boot", id.boot},
                                                                 {"podUid", id.pod_uid},
                                                                 {"cgroupRoot", id.job_root}});
}

}  // namespace hp::agent
