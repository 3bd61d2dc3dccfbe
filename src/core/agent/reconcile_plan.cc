// hp/agent: the reconcile decisions both nodes share (reconcile_plan.h).
#include "core/agent/reconcile_plan.h"

#include <map>

#include "core/agent/naming.h"

namespace hp::agent {

ReconcilePlan PlanReconcile(const ReconcileInput& in) {
  std::map<std::string, const WantedPod*> want;
  for (const WantedPod& w : in.wanted) want.emplace(w.key, &w);
  ReconcilePlan plan;
  std::set<std::string> stays;  // stored pods that are not made again
  for (const StoredPod& p : in.stored) {
    auto w = want.find(p.key);
    bool daemon = p.owner_kind == "DaemonSet";
    std::string owner = daemon ? ObjectKey(p.ns, p.owner_name) : p.key;
    if (p.readable && w == want.end() &&
        (daemon ? in.unreadable_daemonsets : in.unreadable_pods).count(owner) != 0) {
      plan.left.push_back(p.key);
      stays.insert(p.key);
      continue;
    }
    if (!p.readable || w == want.end() || w->second->revision != p.revision) {
      ReconcilePlan::Removal r{p.key, {}};
      if (p.readable && daemon && in.applied_daemonsets.count(owner) != 0)
        r.event_daemonset = owner;
      plan.remove.push_back(std::move(r));
      continue;
    }
    (p.restart ? plan.restart : plan.keep).push_back(p.key);
    stays.insert(p.key);
  }
  for (const WantedPod& w : in.wanted) {
    if (stays.insert(w.key).second) plan.create.push_back(w.key);  // once per key
  }
  return plan;
}

}  // namespace hp::agent
