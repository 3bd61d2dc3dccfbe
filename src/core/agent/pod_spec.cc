#include "core/agent/pod_spec.h"

#include "core/k8s/decode.h"
#include "core/k8s/defaults.h"
#include "core/k8s/qos.h"

namespace hp::agent {

std::optional<k8s::PodSpec> DecodePodSpec(const nlohmann::json& pod) {
  auto d = k8s::DecodeString(pod.dump(), "pod");
  if (!d || d->objects.empty() || !d->objects[0].pod()) return std::nullopt;
  k8s::PodSpec spec = d->objects[0].pod()->spec;
  k8s::ApplyPodSpecDefaults(spec);
  k8s::DefaultRequestsFromLimits(spec);
  return spec;
}

std::string QOSClassOf(const nlohmann::json& pod) {
  auto spec = DecodePodSpec(pod);
  return spec ? k8s::ComputePodQOS(*spec) : k8s::kQOSBestEffort;
}

}  // namespace hp::agent
