// The Windows node's ConfigMaps and Secrets (preview, docs/windows.md): stored as Linux's agent
// stores them, in the same store (agent/desired.h: the same kinds, names, namespaces, files and
// apply/delete lines), under --root:
//   desired\configmaps\<ns>_<name>.json   {"object": <ConfigMap>, "created"}
//   desired\secrets\<ns>_<name>.json      {"object": <Secret>, "created"}
// The root is the node's private directory (SYSTEM and Administrators only), so a Secret at
// rest is readable by no other account (on Windows; Wine does not enforce it).
// As on Linux, a pod's record takes the objects of its namespace when the pod is created
// (agent::PodRecord::objects): its containers' env and volumes read them from there.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/decode.h"
#include "core/k8s/types.h"

namespace hp::cli::windows_node {

// kubectl's words for the object kinds the Windows node stores besides pods and DaemonSets.
struct ObjectKind {
  k8s::Kind kind;
  const char* dir;       // <root>\desired\<dir>, and the plural: `configmaps "x" not found`
  const char* singular;  // `configmap/x created`, `configmap "x" deleted`
};
// The kind of a ConfigMap or Secret (null for any other).
const ObjectKind* StoredKindOf(k8s::Kind kind);
// The kind a resource word names (cm, configmap, configmaps, secret, secrets), or null.
const ObjectKind* StoredKindNamed(const std::string& word);

// Removes a stored object: `configmap "x" deleted`, or kNotFound `configmaps "x" not found`.
Result<std::string> DeleteObject(const std::string& root, const ObjectKind& kind,
                                 const std::string& ns, const std::string& name);

// A stored object as `get` lists it.
struct StoredObject {
  std::string name;
  nlohmann::json object;
  int64_t created = 0;
};
// The stored objects of a kind in namespace `ns` (every one when empty), sorted by name;
// `damaged` receives a line per file that cannot be read.
std::vector<StoredObject> ListObjects(const std::string& root, const ObjectKind& kind,
                                      const std::string& ns, std::vector<std::string>* damaged);

// Objects decoded for the containers (plan's PlanInput and plan/payload.h take the pointers).
struct PodObjects {
  std::vector<k8s::Object> storage;  // owns what the pointers point to
  std::vector<const k8s::ConfigMap*> config_maps;
  std::vector<const k8s::Secret*> secrets;
};
// Decodes recorded objects (`source` names the record in errors).
Result<PodObjects> DecodeObjects(const std::vector<nlohmann::json>& objects,
                                 const std::string& source);
// The ConfigMaps and Secrets among decoded objects (run -f's file), pointing into `objects`.
PodObjects ObjectsOf(const std::vector<k8s::Object>& objects);

}  // namespace hp::cli::windows_node
