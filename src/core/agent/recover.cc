// hp/agent: recovering run state that a reboot, a crash or a damaged file left (agent.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/agent/agent.h"
#include "core/agent/exec.h"
#include "core/agent/foreground.h"
#include "core/agent/naming.h"
#include "core/agent/supervisor.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::agent {

Status Agent::RecoverRunState(FileLock& lock) {
  // A first start or a reboot clears run/: under the lock, so that it does not race with a
  // concurrent command creating a pod there. Otherwise no lock is taken here, so reading
  // commands never wait for a delete's grace period.
  // What a killed foreground `run` left goes first (foreground.h).
  auto warn = [this](const std::string& m) { Warn(m); };
  ASSIGN_OR_RETURN(std::vector<ForegroundRecord> runs, ReapForegroundRuns(options_.root, warn));
  ASSIGN_OR_RETURN(bool current, store_.IsCurrentBoot(boot_id_));
  std::vector<std::string> ids, uids;  // what exists, listed before any pod is judged
  if (!current) {
    ASSIGN_OR_RETURN(lock, store_.Lock());
    for (const char* dir : {"sandboxes", "containers"}) {
      std::string path = options_.root + "/" + dir;
      if (!sys::IsDir(path)) continue;
      ASSIGN_OR_RETURN(auto names, sys::ListDir(path));
      ids.insert(ids.end(), names.begin(), names.end());
    }
    if (std::string pods = options_.root + "/pods"; sys::IsDir(pods)) {
      ASSIGN_OR_RETURN(uids, sys::ListDir(pods));
    }
    // The live foreground runs, read after the listing: each records a container before it
    // creates it, so every sandbox listed above that is theirs is named here.
    ASSIGN_OR_RETURN(runs, ReapForegroundRuns(options_.root, warn));
    TRY(store_.Init(boot_id_, [this](const std::string& key) {
      if (auto c = CleanupPod(LeftoversOf(key)); !c) {
        Warn(fmt::format("clean up stale pod \"{}\": {}", key, c.error().ToString()));
      }
    }));
  }
  if (store_.rebooted()) {
    // What the containers of the last boot had on disk is stale too (their mounts and
    // processes went with the boot): only desired/ and the images survive a reboot, and the
    // pods that Init kept (their supervisors live). Containers are cleaned up one by one so
    // that their image leases go too.
    std::set<std::string> keep_ids, keep_uids;
    for (const ForegroundRecord& r : runs) {  // a foreground run is no pod of the store's
      keep_uids.insert(r.pod_uid);
      keep_ids.insert(r.container_ids.begin(), r.container_ids.end());
    }
    bool known = true;
    for (const std::string& key : store_.kept_pods()) {
      bool complete = false;
      PodLeftovers left = LeftoversOf(key, &complete);
      known &= complete;
      keep_uids.insert(left.pod_uid);
      keep_ids.insert(left.container_ids.begin(), left.container_ids.end());
    }
    if (!known) {
      // A kept pod whose containers are unknown: sweeping could remove one of them.
      Warn("a live pod's status is unreadable: the last boot's sandboxes are kept");
    } else {
      std::erase_if(ids, [&](const std::string& id) { return keep_ids.count(id) != 0; });
      TRY_CTX(CleanupPod({options_.root, "", "", ids}), "clear the last boot's containers");
      for (const std::string& uid : uids) {
        if (keep_uids.count(uid) != 0) continue;
        std::string dir = options_.root + "/pods/" + uid;
        TRY(sys::DetachMountsUnder(dir));
        TRY_CTX(sys::RemoveAll(dir), "clear stale \"{}\"", dir);
      }
    }
  }
  return Ok();
}

PodLeftovers Agent::LeftoversOf(const std::string& key, bool* complete) {
  std::string dir = store_.PodDir(key);
  PodLeftovers left{options_.root, settings_.job_root, "", {}};
  if (auto rec = ReadPodRecord(dir + "/" + kPodFile)) {
    left.job_root = rec->job_root;
    auto meta = rec->pod.find("metadata");
    if (meta != rec->pod.end() && meta->is_object()) left.pod_uid = meta->value("uid", "");
  }
  auto st = ReadPodStatus(dir + "/" + kStatusFile);
  if (st) {
    if (!st->pod_uid.empty()) left.pod_uid = st->pod_uid;
    if (!st->job_root.empty()) left.job_root = st->job_root;
    left.container_ids = st->live_containers;
  }
  // More evidence, for a pod whose record and status are both damaged: what the CLI wrote in
  // supervisor.json, and the exec records of its running containers.
  if (auto id = ReadSupervisorId(dir); id && left.pod_uid.empty() && !id->pod_uid.empty()) {
    left.pod_uid = id->pod_uid;
    if (!id->job_root.empty()) left.job_root = id->job_root;
  }
  if (auto names = sys::ListDir(dir + "/exec")) {
    for (const std::string& n : *names) {
      auto j = ReadJsonFile(dir + "/exec/" + n);
      if (!j || !j->is_object()) continue;
      ExecInfo e;
      try {
        e = j->get<ExecInfo>();
      } catch (const nlohmann::json::exception&) {
        continue;
      }
      if (left.pod_uid.empty()) {
        left.pod_uid = e.pod_id;
        left.job_root = e.job_root;
      }
      if (e.pod_id == left.pod_uid &&
          std::find(left.container_ids.begin(), left.container_ids.end(), e.container_id) ==
              left.container_ids.end()) {
        left.container_ids.push_back(e.container_id);
      }
    }
  }
  if (complete) *complete = st.has_value();
  return left;
}

void Agent::SetSupervisor(PodView& v) const {
  // From the status (as ReadPod or SalvagePod read it: a damaged one names no supervisor), else
  // from supervisor.json: a damaged status does not hide a live one.
  auto id = FindLiveSupervisor(v.dir, boot_id_, &v.status);
  v.supervisor_alive = id.has_value();
  if (id) {
    v.status.supervisor_pid = id->pid;
    v.status.supervisor_start = id->start;
  }
  // A pod the feature gate refused, or not placed on this node, has no supervisor by design: not
  // lost, retried.
  v.lost = !v.status.finished && !v.supervisor_alive && !v.status.WithoutSupervisor();
  // Nothing vouches for a lost pod's readiness: Ready is False, as the node lifecycle controller
  // marks the pods of a node that stopped reporting (MarkPodsNotReady). Its container statuses
  // stay the last ones written, as they do in a cluster.
  if (v.lost) v.status.ready = false;
}

void Agent::SweepOrphanContainers(const std::set<std::string>& named) {
  // The order makes it safe without a lock: a supervisor records a container's id in its status,
  // and `run` in its record, before it creates anything of the container. So the directories
  // are listed first and the names read after: every id listed is named by then, if it is live.
  std::set<std::string> ids;
  for (const char* dir : {"sandboxes", "containers"}) {
    std::string path = options_.root + "/" + dir;
    if (!sys::IsDir(path)) continue;
    auto names = sys::ListDir(path);
    if (!names) return;
    ids.insert(names->begin(), names->end());
  }
  // Named by a pod a moment ago: live then, so no orphan now (an orphan among them is swept by a
  // later command, once its pod no longer names it).
  std::erase_if(ids, [&](const std::string& id) { return named.count(id) != 0; });
  if (ids.empty()) return;
  auto warn = [this](const std::string& m) { Warn(m); };
  auto runs = ReapForegroundRuns(options_.root, warn);
  auto keys = store_.ListPodKeys();
  if (!runs || !keys) return;
  for (const ForegroundRecord& r : *runs) {
    for (const std::string& id : r.container_ids) ids.erase(id);
  }
  for (const std::string& key : *keys) {
    auto st = ReadPodStatus(store_.PodDir(key) + "/" + kStatusFile);
    if (!st) return;  // it may name one of them: the next command tries again
    for (const std::string& id : st->live_containers) ids.erase(id);
    for (const std::string& id : LeftoversOf(key).container_ids) ids.erase(id);
  }
  if (ids.empty()) return;
  std::vector<std::string> orphans(ids.begin(), ids.end());
  if (auto c = CleanupPod({options_.root, "", "", orphans}); !c) {
    Warn("remove containers no pod names: " + c.error().ToString());
    return;
  }
  Warn(fmt::format("removed {} container(s) no pod names: {}", orphans.size(),
                   fmt::join(orphans, ", ")));
}

PodView Agent::SalvagePod(const std::string& key) {
  PodView v;
  v.key = key;
  v.dir = store_.PodDir(key);
  PodLeftovers left = LeftoversOf(key);
  v.uid = left.pod_uid;
  v.record.job_root = left.job_root;
  KeyParts parts = SplitObjectKey(key);
  v.ns = std::move(parts.ns);
  v.name = std::move(parts.name);
  auto st = ReadPodStatus(v.dir + "/" + kStatusFile);
  if (st) v.status = std::move(*st);
  SetSupervisor(v);
  return v;
}

}  // namespace hp::agent
