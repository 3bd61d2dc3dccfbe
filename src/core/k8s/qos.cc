#include "core/k8s/qos.h"

#include <map>

namespace hp::k8s {
namespace {

// Only cpu and memory decide the class (isSupportedQoSComputeResource).
bool QoSResource(const std::string& name) { return name == "cpu" || name == "memory"; }

// Adds the positive quantities of `list` to `sum`; returns the names it added.
std::map<std::string, bool> AddPositive(const ResourceList& list,
                                        std::map<std::string, __int128>& sum) {
  std::map<std::string, bool> found;
  for (const auto& [name, q] : list) {
    if (!QoSResource(name) || q.Sign() <= 0) continue;
    sum[name] += q.nanos;
    found[name] = true;
  }
  return found;
}

}  // namespace

std::string ComputePodQOS(const PodSpec& spec) {
  std::map<std::string, __int128> requests, limits;
  bool guaranteed = true;
  for (const auto* list : {&spec.containers, &spec.init_containers}) {
    for (const Container& c : *list) {
      AddPositive(c.resources.requests, requests);
      auto found = AddPositive(c.resources.limits, limits);
      if (!found.count("cpu") || !found.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return kQOSBestEffort;
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto lim = limits.find(name);
      if (lim == limits.end() || lim->second != req) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return kQOSGuaranteed;
  return kQOSBurstable;
}

}  // namespace hp::k8s
