#include "cli/hostprocess/windows/objects.h"

#include <windows.h>

#include <algorithm>
#include <filesystem>

#include "cli/hostprocess/windows/pod_state.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"

namespace hp::cli::windows_node {
namespace {

using nlohmann::json;

constexpr ObjectKind kStoredKinds[] = {
    {k8s::Kind::kConfigMap, "configmaps", "configmap"},
    {k8s::Kind::kSecret, "secrets", "secret"},
};

std::string ObjectPath(const std::string& root, const ObjectKind& kind, const std::string& ns,
                       const std::string& name) {
  return root + "\\" + kind.dir + "\\" + agent::ObjectKey(ns, name) + ".json";
}

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

Result<std::string> ApplyObject(const std::string& root, const ObjectKind& kind,
                                const std::string& ns, const std::string& name, json raw) {
  raw["metadata"]["namespace"] = ns;
  std::string path = ObjectPath(root, kind, ns, name);
  auto stored = ReadJson(path);
  std::string line = std::string(kind.singular) + "/" + name;
  if (stored && stored->is_object() && stored->value("object", json()) == raw)
    return line + " unchanged";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(root + "\\" + kind.dir)),
                                      ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\\{}\": {}", root, kind.dir, ec.message());
  bool existed = stored && stored->is_object();
  int64_t created = existed ? stored->value("created", NowUnixSeconds()) : NowUnixSeconds();
  TRY(WriteJson(path, {{"object", raw}, {"created", created}}));
  // A damaged file is replaced by what is applied (created), as on Linux.
  return line + (existed ? " configured" : " created");
}

Result<std::string> DeleteObject(const std::string& root, const ObjectKind& kind,
                                 const std::string& ns, const std::string& name) {
  std::string path = ObjectPath(root, kind, ns, name);
  if (!sys::Exists(path)) return Err(ErrorCode::kNotFound, "{} \"{}\" not found", kind.dir, name);
  if (!DeleteFileW(sys::Widen(path).c_str()))
    return Err(sys::Win32Error("remove \"" + path + "\""));
  return fmt::format("{} \"{}\" deleted", kind.singular, name);
}

std::vector<StoredObject> ListObjects(const std::string& root, const ObjectKind& kind,
                                      const std::string& ns, std::vector<std::string>* damaged) {
  std::vector<StoredObject> out;
  std::string dir = root + "\\" + kind.dir;
  std::string prefix = ns + "_";
  for (const std::string& file : sys::ListDir(dir).value_or(std::vector<std::string>{})) {
    if ((!ns.empty() && !StartsWith(file, prefix)) || !EndsWith(file, ".json")) continue;
    std::string path = dir + "\\" + file;
    auto stored = ReadJson(path);
    json obj = stored && stored->is_object() ? stored->value("object", json()) : json();
    if (!obj.is_object() || !obj["metadata"].is_object()) {
      if (damaged) damaged->push_back("\"" + path + "\": damaged; `delete` removes it");
      continue;
    }
    out.push_back({obj["metadata"].value("name", ""), obj, stored->value("created", int64_t{0})});
  }
  std::sort(out.begin(), out.end(),
            [](const StoredObject& a, const StoredObject& b) { return a.name < b.name; });
  return out;
}

std::vector<json> NamespaceObjects(const std::string& root, const std::string& ns) {
  std::vector<json> out;
  for (const ObjectKind& kind : kStoredKinds)
    for (StoredObject& o : ListObjects(root, kind, ns, nullptr)) out.push_back(std::move(o.object));
  return out;
}

Result<PodObjects> DecodeObjects(const std::vector<json>& objects, const std::string& source) {
  PodObjects out;
  for (const json& o : objects) {
    ASSIGN_OR_RETURN(k8s::Decoded decoded, k8s::DecodeString(o.dump(-1, ' ', true), source));
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
