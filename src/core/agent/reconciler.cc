#include "core/agent/reconciler.h"

#include <fmt/format.h>

#include <map>

#include "core/agent/apply_plan.h"
#include "core/agent/daemonset_events.h"
#include "core/agent/naming.h"
#include "core/agent/pod_spec.h"
#include "core/agent/reconcile_plan.h"
#include "core/base/strings.h"

namespace hp::agent {
namespace {

// The errors of a reconcile that goes on past each: one as it is, several joined.
class Errors {
 public:
  void Add(Status s) {
    if (!s) errors_.push_back(std::move(s).error());
  }
  Status Result() && {
    if (errors_.empty()) return Ok();
    if (errors_.size() == 1) return tl::unexpected(std::move(errors_[0]));
    std::vector<std::string> lines;
    for (const Error& e : errors_) lines.push_back(e.ToString());
    return Err(ErrorCode::kInternal, "{}", Join(lines, "\n"));
  }

 private:
  std::vector<Error> errors_;
};

void RecordEvent(DaemonSetEvents& events, NodeBackend& backend, const std::string& ns,
                 const std::string& name, const std::string& reason, const std::string& message) {
  if (Status s = events.Record(ObjectKey(ns, name), reason, message); !s)
    backend.Warn(
        fmt::format("daemonset \"{}\": record event {}: {}", name, reason, s.error().ToString()));
}

}  // namespace

Status ReconcileNode(const DesiredObjects& desired, const Node& node, NodeBackend& backend,
                     ReconcileReport* report) {
  DaemonSetEvents events(desired.root());
  // What is applied and what is held, then the decisions (reconcile_plan.h).
  ReconcileInput in;
  // What is held first: a node may bring what it holds up to date (the Windows node stores the
  // applied Pod of a bare pod of its older layout) before what is wanted is read.
  ASSIGN_OR_RETURN(std::vector<HeldPod> held, backend.HeldPods());
  ASSIGN_OR_RETURN(std::vector<DaemonSetView> daemonsets,
                   backend.DaemonSets(in.unreadable_daemonsets));
  for (const DaemonSetView& ds : daemonsets) in.applied_daemonsets.insert(ds.key);
  std::vector<DesiredObjects::Unreadable> unreadable;
  ASSIGN_OR_RETURN(auto wanted, WantedPods(
                                    desired, daemonsets,
                                    [&](PodRecord& r, const nlohmann::json& fields) {
                                      backend.FinishRecord(r, fields);
                                    },
                                    &unreadable));
  for (const DesiredObjects::Unreadable& u : unreadable) {
    if (u.kind == "pods") in.unreadable_pods.insert(u.key);
    backend.NoteUnreadable(u);
  }
  std::map<std::string, const PodRecord*> want;
  for (const auto& [key, rec] : wanted) {
    want.emplace(key, &rec);  // the first of a key, as PlanReconcile takes it
    in.wanted.push_back({key, rec.revision});
  }
  std::map<std::string, HeldPod*> by_key;
  for (HeldPod& h : held) {
    StoredPod p;
    p.key = h.key;
    if (h.record) {
      p.readable = true;
      p.ns = NamespaceOf(h.record->pod);
      p.owner_kind = h.record->owner_kind;
      p.owner_name = h.record->owner_name;
      p.revision = h.record->revision;
      p.restart = h.restart;
    }
    by_key[h.key] = &h;
    in.stored.push_back(std::move(p));
  }
  ReconcilePlan plan = PlanReconcile(in);

  Errors errors;
  std::vector<std::string> remove;
  for (const ReconcilePlan::Removal& r : plan.remove) {
    // The DaemonSet controller deletes the pod of an older revision (or one that no longer fits
    // the node); a deleted DaemonSet's pods go with it, without its event.
    if (!r.event_daemonset.empty()) {
      KeyParts ds = SplitObjectKey(r.event_daemonset);
      RecordEvent(events, backend, ds.ns, ds.name, "SuccessfulDelete",
                  "Deleted pod: " + SplitObjectKey(r.key).name);
    }
    remove.push_back(r.key);
  }
  // Same revision, other mutable fields (labels, annotations, images, activeDeadlineSeconds,
  // tolerations): updated in place, the pod keeping its uid.
  Errors updates;
  for (const auto* list : {&plan.keep, &plan.restart}) {
    for (const std::string& key : *list) {
      PodRecord& rec = *by_key.at(key)->record;
      nlohmann::json pod = want.at(key)->pod;
      if (auto m = rec.pod.find("metadata"); m != rec.pod.end() && m->is_object())
        if (auto uid = m->find("uid"); uid != m->end()) pod["metadata"]["uid"] = *uid;
      if (pod == rec.pod) continue;
      rec.pod = std::move(pod);
      updates.Add(backend.UpdateInPlace(key, rec));
    }
  }
  errors.Add(backend.RemovePods(remove));
  if (report) report->removed.insert(report->removed.end(), remove.begin(), remove.end());
  errors.Add(std::move(updates).Result());

  // Placement (schedule.h): the pods kept hold their host ports; each pod to start is then
  // placed in turn, and takes its ports when it is placed. The kept pods' ports are found (each
  // spec decoded) only when a pod to place asks for one: most pods ask for none.
  std::vector<HostPort> used;
  bool held_known = false;
  auto place = [&](const PodRecord& rec) {
    auto spec = DecodePodSpec(rec.pod);
    if (!spec) return Placement{};  // its supervisor reports why it does not decode
    std::vector<HostPort> ports = HostPortsOf(*spec);
    if (!ports.empty() && !held_known) {
      for (const auto* list : {&plan.left, &plan.keep}) {
        for (const std::string& key : *list) {
          const HeldPod& h = *by_key.at(key);
          if (!h.record) continue;
          auto ports_held = HostPortsHeld(h.status, h.record->pod);
          used.insert(used.end(), ports_held.begin(), ports_held.end());
        }
      }
      held_known = true;
    }
    Placement p = PlacePod(*spec, node, rec.owner_kind == "DaemonSet", used);
    if (p.kind == Placement::kPlaced) used.insert(used.end(), ports.begin(), ports.end());
    return p;
  };
  for (const std::string& key : plan.restart) {
    const HeldPod& h = *by_key.at(key);
    errors.Add(backend.Restart(h, place(*h.record)));
  }
  for (const std::string& key : plan.create) {
    const PodRecord& rec = *want.at(key);
    Status c = backend.Create(key, rec, place(rec));
    if (!c) {
      errors.Add(std::move(c));
      continue;
    }
    if (report) report->created.push_back(key);
    if (rec.owner_kind == "DaemonSet")
      RecordEvent(events, backend, NamespaceOf(rec.pod), rec.owner_name, "SuccessfulCreate",
                  "Created pod: " + rec.pod["metadata"].value("name", ""));
  }
  backend.Finish(held);
  // The events of DaemonSets no longer applied go (after their pods' SuccessfulDelete).
  for (const std::string& error : events.Prune(desired)) backend.Warn(error);
  return std::move(errors).Result();
}

}  // namespace hp::agent
