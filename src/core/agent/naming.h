// hp/agent: names the agent derives, the way Kubernetes' controllers derive them.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/base/fnv.h"

namespace hp::agent {

// Kubernetes' "safe" alphabet for generated names (no vowels, no 0/1/3): rand.SafeEncodeString.
inline constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

using ::hp::Fnv32a;  // core/base/fnv.h
using ::hp::Fnv64a;

// The DaemonSet controller's `controller-revision-hash`: SafeEncodeString of the decimal
// FNV-32a hash of the pod template (here: its canonical JSON).
std::string ControllerRevisionHash(std::string_view template_json);

// The pod of DaemonSet `ds` in `ns` at revision `revision_hash`: `<ds>-<5 chars>` like
// generateName (base cut to 58 characters), the suffix derived from the three inputs so the
// same revision always gets the same name and a rollout gets a new one.
std::string DaemonPodName(std::string_view ns, std::string_view ds, std::string_view revision_hash);

// The revision of DaemonSet `daemonset` (as JSON): ControllerRevisionHash of its
// spec.template (an empty one when it has none).
std::string DaemonSetRevision(const nlohmann::json& daemonset);

// The pod the DaemonSet controller makes on this node from DaemonSet `name` in `ns` (`daemonset`
// as JSON) at `revision` (DaemonSetRevision): named DaemonPodName, with the template's metadata
// (without generateName) and the controller-revision-hash label, and the template's spec. The
// one definition for both nodes' controllers (Linux's agent, the Windows node).
nlohmann::json DaemonSetPod(const nlohmann::json& daemonset, const std::string& ns,
                            const std::string& name, const std::string& revision);

// "<namespace>_<name>": the key used for directories of a namespaced object.
std::string ObjectKey(std::string_view ns, std::string_view name);
// An ObjectKey's namespace and name (a namespace holds no '_'); a key without one is both.
struct KeyParts {
  std::string ns, name;
};
KeyParts SplitObjectKey(std::string_view key);

// A random RFC 4122 version-4 UUID (pod uid), from the system generator (sys::RandomBytes).
std::string NewUid();

// The kind directory for a kubectl resource name or alias ("po", "pod", "pods", "ds",
// "daemonset", "daemonset.apps", "cm", ...); "" when unknown.
std::string ResourceKind(const std::string& name);

}  // namespace hp::agent
