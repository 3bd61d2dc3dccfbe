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
#include "core/agent/reconcile_plan.h"
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

Result<std::vector<std::pair<std::string, PodRecord>>> Agent::WantedPods(
    std::set<std::string>* applied_daemonsets) {
  ASSIGN_OR_RETURN(std::vector<DaemonSetView> daemonsets, DaemonSetViews());
  for (const DaemonSetView& ds : daemonsets)
    if (applied_daemonsets) applied_daemonsets->insert(ds.key);
  std::vector<Store::Unreadable> bad;
  auto wanted = agent::WantedPods(
      store_, daemonsets,
      [&](PodRecord& r, const nlohmann::json&) {
        r.job_root = settings_.job_root;
        r.log_max_size = settings_.log_max_size;
        r.log_max_files = settings_.log_max_files;
      },
      &bad);
  for (const Store::Unreadable& b : bad) NoteUnreadable(b.kind, b.key, b.error);
  return wanted;
}

Status Agent::UpdateInPlace(PodView& v, const PodRecord& wanted) {
  nlohmann::json pod = wanted.pod;
  pod["metadata"]["uid"] = v.uid;
  if (pod == v.record.pod) return Ok();
  // Same revision, other mutable fields (labels, annotations, images, activeDeadlineSeconds,
  // tolerations): the pod keeps its uid; its supervisor reloads pod.json and restarts a
  // container whose image changed, as kubelet does.
  v.record.pod = std::move(pod);
  TRY(WriteJsonFileAtomic(v.dir + "/" + kPodFile, v.record));
  if (v.supervisor_alive) ::kill(v.status.supervisor_pid, kSupervisorReloadSignal);
  return Ok();
}

Status Agent::ReconcileLocked() {
  // What is applied and what is stored, then the decisions both nodes share (reconcile_plan.h).
  ReconcileInput in;
  ASSIGN_OR_RETURN(auto wanted, WantedPods(&in.applied_daemonsets));
  std::map<std::string, const PodRecord*> want;
  for (const auto& [key, rec] : wanted) {
    want.emplace(key, &rec);  // the first of a key, as PlanReconcile takes it
    in.wanted.push_back({key, rec.revision});
  }
  in.unreadable_daemonsets = unreadable_["daemonsets"];
  in.unreadable_pods = unreadable_["pods"];
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.ListPodKeys());
  std::map<std::string, PodView> views;
  std::set<std::string> named;  // the containers the pods' statuses name (SweepOrphanContainers)
  std::vector<PodView> read_views;
  std::vector<char> read;
  ReadPods(keys, /*heads=*/false, read_views, read);
  for (size_t i = 0; i < keys.size(); i++) {
    const std::string& key = keys[i];
    StoredPod p;
    p.key = key;
    if (read[i]) {
      PodView* v = &read_views[i];
      p.readable = true;
      p.ns = v->ns;
      p.owner_kind = v->record.owner_kind;
      p.owner_name = v->record.owner_name;
      p.revision = v->record.revision;
      p.restart = v->lost || v->status.WithoutSupervisor();
      named.insert(v->status.live_containers.begin(), v->status.live_containers.end());
      views.emplace(key, std::move(*v));
    }
    in.stored.push_back(std::move(p));
  }
  ReconcilePlan plan = PlanReconcile(in);
  std::vector<std::string> remove;
  for (const ReconcilePlan::Removal& r : plan.remove) {
    // The DaemonSet controller deletes the pod of an older revision (or one that no longer fits
    // the node); a deleted DaemonSet's pods go with it, without its event.
    if (!r.event_daemonset.empty()) {
      const PodView& v = views.at(r.key);
      RecordDaemonSetEvent(v.ns, v.record.owner_name, "SuccessfulDelete", "Deleted pod: " + v.name);
    }
    remove.push_back(r.key);
  }
  // Same revision, other mutable fields: updated in place (UpdateInPlace).
  Status first_update = Ok();
  std::vector<PodView> kept, restart;
  for (const std::string& key : plan.left) kept.push_back(std::move(views.at(key)));
  for (const auto* list : {&plan.keep, &plan.restart}) {
    for (const std::string& key : *list) {
      PodView& v = views.at(key);
      if (auto u = UpdateInPlace(v, *want.at(key)); !u && first_update) first_update = std::move(u);
      (list == &plan.keep ? kept : restart).push_back(std::move(v));
    }
  }
  Status first = RemovePods(remove);
  if (first) first = std::move(first_update);
  // Placement (schedule.h): the pods on this node hold their host ports; each pod to start is
  // then placed in turn, and takes its ports when it is placed. The kept pods' ports are found
  // (each spec decoded) only when a pod to place asks for one: most pods ask for none.
  std::vector<HostPort> used;
  bool held_known = false;
  auto place = [&](const PodRecord& rec) {
    auto spec = DecodePodSpec(rec.pod);
    if (!spec) return Placement{};  // its supervisor reports why it does not decode
    std::vector<HostPort> ports = HostPortsOf(*spec);
    if (!ports.empty() && !held_known) {
      for (const PodView& v : kept) {
        auto held = HostPortsHeld(v.status, v.record.pod);
        used.insert(used.end(), held.begin(), held.end());
      }
      held_known = true;
    }
    Placement p = PlacePod(*spec, node_, rec.owner_kind == "DaemonSet", used);
    if (p.kind == Placement::kPlaced) used.insert(used.end(), ports.begin(), ports.end());
    return p;
  };
  for (const PodView& v : restart) {
    // Re-adopt a pod whose supervisor died: what it left is removed and a new supervisor
    // starts the pod's containers again. An unscheduled pod is tried again.
    Placement p = place(v.record);
    Status c = CleanupPod({options_.root, v.record.job_root, v.uid, v.status.live_containers});
    if (c) {
      c = p.kind == Placement::kPlaced ? SpawnSupervisor(v.key, v.record)
                                       : RecordUnplaced(v.dir, v.record, p);
    }
    if (!c && first) first = std::move(c);
  }
  for (const std::string& key : plan.create) {
    const PodRecord& rec = *want.at(key);
    Status c = CreatePod(key, rec, place(rec));
    if (!c && first) first = std::move(c);
  }
  SweepOrphanContainers(named);
  PruneDaemonSetEvents();
  return first;
}

void Agent::PruneDaemonSetEvents() {
  for (const std::string& error : store_.daemonset_events().Prune(store_)) Warn(error);
}

}  // namespace hp::agent
