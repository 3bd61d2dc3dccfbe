// hp/agent: bringing the node's pods to what was applied (agent.h).
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <map>

#include "core/agent/agent.h"
#include "core/agent/apply_plan.h"
#include "core/agent/cleanup.h"
#include "core/agent/naming.h"
#include "core/agent/pod_spec.h"
#include "core/agent/reconciler.h"
#include "core/agent/supervisor.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/decode.h"
#include "core/k8s/pod_update.h"
#include "core/sys/file.h"

namespace hp::agent {

Status Agent::Reconcile() {
  ASSIGN_OR_RETURN(FileLock lock, store_.Lock());
  TRY(store_.RemoveStaleTempFiles());
  return ReconcileLocked();
}

void Agent::NoteUnreadable(const std::string& kind, const std::string& key,
                           const std::string& error) {
  if (unreadable_[kind].insert(key).second)
    Warn(fmt::format("{}: skipped (`delete` removes it)", error));
}

Result<std::vector<DaemonSetView>> Agent::DaemonSetViews() {
  ASSIGN_OR_RETURN(DaemonSetListing listing, ListDaemonSetViews(store_, node_));
  for (const UnreadableDaemonSet& u : listing.unreadable)
    NoteUnreadable("daemonsets", u.key, u.error);
  return std::move(listing.daemonsets);
}

// The Linux node under the shared reconciler (reconciler.h): its pods' run state, cgroups and
// supervisors.
class Agent::Backend : public NodeBackend {
 public:
  explicit Backend(Agent& agent) : a_(agent) {}

  Result<std::vector<DaemonSetView>> DaemonSets(std::set<std::string>& unreadable) override {
    ASSIGN_OR_RETURN(std::vector<DaemonSetView> list, a_.DaemonSetViews());
    unreadable = a_.unreadable_["daemonsets"];
    return list;
  }
  void FinishRecord(PodRecord& r, const nlohmann::json&) override {
    r.job_root = a_.settings_.job_root;
    r.log_max_size = a_.settings_.log_max_size;
    r.log_max_files = a_.settings_.log_max_files;
  }
  void NoteUnreadable(const DesiredObjects::Unreadable& u) override {
    a_.NoteUnreadable(u.kind, u.key, u.error);
  }
  Result<std::vector<HeldPod>> HeldPods() override {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, a_.store_.ListPodKeys());
    std::vector<PodView> read_views;
    std::vector<char> read;
    a_.ReadPods(keys, PodDetail::kWhole, read_views, read);
    std::vector<HeldPod> held(keys.size());
    for (size_t i = 0; i < keys.size(); i++) {
      held[i].key = keys[i];
      if (!read[i]) continue;
      PodView& v = read_views[i];
      held[i].restart = v.lost || v.status.WithoutSupervisor();
      // The containers the pods' statuses name (SweepOrphanContainers).
      named_.insert(v.status.live_containers.begin(), v.status.live_containers.end());
      pods_.emplace(keys[i], Pod{v.dir, v.uid, v.supervisor_alive ? v.status.supervisor_pid : 0});
      held[i].record = std::move(v.record);
      held[i].status = std::move(v.status);
    }
    return held;
  }
  Status UpdateInPlace(const std::string& key, const PodRecord& record) override {
    // Its supervisor reloads pod.json and restarts a container whose image changed, as
    // kubelet does.
    const Pod& p = pods_.at(key);
    TRY(WriteJsonFileAtomic(p.dir + "/" + kPodFile, record));
    if (p.supervisor > 0) ::kill(p.supervisor, kSupervisorReloadSignal);
    return Ok();
  }
  Status RemovePods(const std::vector<std::string>& keys) override { return a_.RemovePods(keys); }
  Status Restart(const HeldPod& pod, const Placement& placement) override {
    // What the dead supervisor left is removed; a new supervisor starts the pod's containers
    // again. An unscheduled pod is tried again.
    const Pod& p = pods_.at(pod.key);
    TRY(CleanupPod({a_.options_.root, pod.record->job_root, p.uid, pod.status.live_containers}));
    return placement.kind == Placement::kPlaced ? a_.SpawnSupervisor(pod.key, *pod.record)
                                                : RecordUnplaced(p.dir, *pod.record, placement);
  }
  Status Create(const std::string& key, const PodRecord& record,
                const Placement& placement) override {
    return a_.CreatePod(key, record, placement);
  }
  void Finish(const std::vector<HeldPod>&) override { a_.SweepOrphanContainers(named_); }
  void Warn(const std::string& message) override { a_.Warn(message); }

 private:
  // What the backend's own steps need of a readable pod (HeldPods); its record and status go
  // to the reconciler.
  struct Pod {
    std::string dir, uid;
    pid_t supervisor = 0;  // its supervisor's pid, when alive
  };
  Agent& a_;
  std::map<std::string, Pod> pods_;
  std::set<std::string> named_;
};

Status Agent::ReconcileLocked() {
  Backend backend(*this);
  return ReconcileNode(store_, node_, backend);
}

}  // namespace hp::agent
