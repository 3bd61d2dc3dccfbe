#include "cli/hostprocess/windows/objects.h"

#include <algorithm>

#include "cli/hostprocess/windows/pod_state.h"
#include "core/agent/desired.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::cli::windows_node {
namespace {

using nlohmann::json;

constexpr ObjectKind kStoredKinds[] = {
    {k8s::Kind::kConfigMap, "configmaps", "configmap"},
    {k8s::Kind::kSecret, "secrets", "secret"},
};

}  // namespace

const ObjectKind* StoredKindOf(k8s::Kind kind) {
  for (const ObjectKind& k : kStoredKinds)
    if (k.kind == kind) return &k;
  return nullptr;
}

const ObjectKind* StoredKindNamed(const std::string& word) {
  std::string w = ToLower(word);
  if (w == "cm" || w == "configmap" || w == "configmaps") return &kStoredKinds[0];
  if (w == "secret" || w == "secrets") return &kStoredKinds[1];
  return nullptr;
}

Result<std::string> DeleteObject(const std::string& root, const ObjectKind& kind,
                                 const std::string& ns, const std::string& name) {
  agent::DesiredObjects desired(root);
  std::string key = agent::ObjectKey(ns, name);
  if (!sys::Exists(desired.DesiredPath(kind.dir, key)))
    return Err(ErrorCode::kNotFound, "{} \"{}\" not found", kind.dir, name);
  TRY(desired.DeleteDesired(kind.dir, key));
  return fmt::format("{} \"{}\" deleted", kind.singular, name);
}

std::vector<StoredObject> ListObjects(const std::string& root, const ObjectKind& kind,
                                      const std::string& ns, std::vector<std::string>* damaged) {
  std::vector<StoredObject> out;
  agent::DesiredObjects desired(root);
  std::string prefix = ns + "_";
  for (const std::string& key :
       desired.ListDesiredKeys(kind.dir).value_or(std::vector<std::string>{})) {
    if (!ns.empty() && !StartsWith(key, prefix)) continue;
    auto stored = desired.GetDesired(kind.dir, key);
    if (stored && !*stored) continue;  // deleted meanwhile
    if (!stored) {
      if (damaged)
        damaged->push_back("\"" + desired.DesiredPath(kind.dir, key) +
                           "\": damaged; `delete` removes it");
      continue;
    }
    json obj = (**stored)["object"];
    out.push_back(
        {obj["metadata"].value("name", ""), obj, agent::IntFieldOr(**stored, "created", 0)});
  }
  std::sort(out.begin(), out.end(),
            [](const StoredObject& a, const StoredObject& b) { return a.name < b.name; });
  return out;
}

Result<PodObjects> DecodeObjects(const std::vector<json>& objects, const std::string& source) {
  PodObjects out;
  for (const json& o : objects) {
    ASSIGN_OR_RETURN(k8s::Decoded decoded, k8s::DecodeString(o.dump(), source));
    for (k8s::Object& d : decoded.objects) out.storage.push_back(std::move(d));
  }
  // The pointers are taken once storage no longer grows.
  for (const k8s::Object& o : out.storage) {
    if (o.config_map()) out.config_maps.push_back(o.config_map());
    if (o.secret()) out.secrets.push_back(o.secret());
  }
  return out;
}

PodObjects ObjectsOf(const std::vector<k8s::Object>& objects) {
  PodObjects out;
  for (const k8s::Object& o : objects) {
    if (o.config_map()) out.config_maps.push_back(o.config_map());
    if (o.secret()) out.secrets.push_back(o.secret());
  }
  return out;
}

}  // namespace hp::cli::windows_node
