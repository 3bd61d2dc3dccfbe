#include "core/agent/desired.h"

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/sys/file.h"

namespace hp::agent {

// A read of a regular file returns less than asked only at its end, so a file that fits the
// buffer is one read, not a second one to see the end (`get pods` reads two files per pod;
// issue 16).
Result<std::string> ReadStateFile(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDONLY));
  char buf[16384];
  auto n = sys::ReadSome(fd.get(), buf, sizeof buf);
  if (!n) return SysErrN(n.error().sys_errno(), "read \"{}\"", path);
  std::string text(buf, *n);
  if (*n < sizeof buf) return text;
  auto rest = sys::ReadFd(fd.get());
  if (!rest) return SysErrN(rest.error().sys_errno(), "read \"{}\"", path);
  return text + *rest;
}

Result<nlohmann::json> ParseJsonText(const std::string& path, std::string_view text) {
  try {
    return ParseJsonOrThrow(text);
  } catch (const std::exception& e) {
    return Err(ErrorCode::kInternal, "parse \"{}\": {}", path, e.what());
  }
}

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadStateFile(path));
  return ParseJsonText(path, text);
}

namespace {
// What a JSON state file holds: `value` with one space of indentation, and a final newline.
std::string JsonFileText(const nlohmann::json& value) { return value.dump(1) + "\n"; }
}  // namespace

Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& value, bool durable) {
  return sys::WriteFileAtomic(path, JsonFileText(value), 0644, durable);
}

namespace {
// A desired file is {"object": {"metadata": {"name": ...}, ...}, ...}: anything else was
// damaged (verbs rely on that shape).
Result<nlohmann::json> ReadDesired(const std::string& path) {
  ASSIGN_OR_RETURN(nlohmann::json v, ReadJsonFile(path));
  auto obj = v.is_object() ? v.find("object") : v.end();
  bool ok = obj != v.end() && obj->is_object() && obj->contains("metadata") &&
            (*obj)["metadata"].is_object() && (*obj)["metadata"].contains("name") &&
            (*obj)["metadata"]["name"].is_string();
  if (!ok) return Err(ErrorCode::kInvalidArgument, "\"{}\": not a stored object", path);
  return v;
}
}  // namespace

int64_t IntFieldOr(const nlohmann::json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<int64_t>();
}

nlohmann::json AppliedObject(const nlohmann::json& record) {
  nlohmann::json obj = record.is_object() ? record.value("object", nlohmann::json()) : nullptr;
  if (obj.is_object() && obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("generation");
    obj["metadata"].erase("resourceVersion");
  }
  return obj;
}

DesiredWrite PlanDesiredWrite(nlohmann::json raw, const std::optional<nlohmann::json>& existing,
                              bool same) {
  int64_t created = NowUnixSeconds();
  int64_t generation = 1;
  if (existing) {
    if (same) return {"unchanged", nullptr};
    created = IntFieldOr(*existing, "created", created);
    // metadata.generation: bumped by a change of the spec (the API server's rule for
    // DaemonSets, and for Pods since 1.33).
    nlohmann::json obj =
        existing->is_object() ? existing->value("object", nlohmann::json()) : nullptr;
    nlohmann::json meta = obj.is_object() ? obj.value("metadata", nlohmann::json()) : nullptr;
    generation = IntFieldOr(meta, "generation", 1);
    if (AppliedObject(*existing).value("spec", nlohmann::json()) !=
        raw.value("spec", nlohmann::json()))
      generation++;
  }
  raw["metadata"]["generation"] = generation;
  // resourceVersion: opaque and growing at every write of the object (etcd's revision in a
  // cluster; here the write's time in microseconds).
  raw["metadata"]["resourceVersion"] =
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  return {existing ? "configured" : "created", {{"object", std::move(raw)}, {"created", created}}};
}

std::string DesiredObjects::Join(const std::string& dir, const std::string& name) const {
  return dir + sys::kPathSeparator + name;
}

std::string DesiredObjects::DesiredDir() const { return Join(root_, "desired"); }

std::string DesiredObjects::DesiredPath(const std::string& kind, const std::string& key) const {
  return Join(Join(DesiredDir(), kind), key + ".json");
}

Status DesiredObjects::PutDesired(const std::string& kind, const std::string& key,
                                  const nlohmann::json& v) {
  return PutDesired(std::vector<Put>{{kind, key, &v}});
}

Status DesiredObjects::PutDesired(const std::vector<Put>& puts) {
  std::vector<std::string> kinds, texts;
  for (const Put& p : puts) {
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) {
      TRY(sys::MkdirAll(Join(DesiredDir(), p.kind), 0700));
      kinds.push_back(p.kind);
    }
    texts.push_back(JsonFileText(*p.record));
  }
  std::vector<sys::FileWrite> files;
  for (size_t i = 0; i < puts.size(); i++)
    files.push_back({DesiredPath(puts[i].kind, puts[i].key), texts[i]});
  // Durable: "a reboot restores what was applied" must hold after a power cut too.
  return sys::WriteFilesAtomic(files, 0644, true);
}

Result<std::optional<nlohmann::json>> DesiredObjects::GetDesired(const std::string& kind,
                                                                 const std::string& key) const {
  std::string path = DesiredPath(kind, key);
  auto v = ReadDesired(path);
  // Missing (ENOENT), or a name no file can have (ENAMETOOLONG, ENOTDIR): not stored.
  if (!v && (v.error().code() == ErrorCode::kNotFound || !sys::Exists(path)))
    return std::optional<nlohmann::json>();
  if (!v) return tl::unexpected(std::move(v.error()));
  return std::optional<nlohmann::json>(std::move(*v));
}

Result<std::vector<nlohmann::json>> DesiredObjects::ListDesired(
    const std::string& kind, std::vector<Unreadable>* bad) const {
  std::vector<nlohmann::json> out;
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ListDesiredKeys(kind));
  for (const std::string& key : keys) {
    auto v = ReadDesired(DesiredPath(kind, key));
    if (!v) {
      if (v.error().code() == ErrorCode::kNotFound) continue;  // deleted meanwhile
      // One damaged object never hides the others: it is skipped, and told.
      if (bad) bad->push_back({kind, key, v.error().ToString()});
      continue;
    }
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::vector<std::string>> DesiredObjects::ListDesiredKeys(const std::string& kind) const {
  std::string dir = Join(DesiredDir(), kind);
  std::vector<std::string> keys;
  if (!sys::IsDir(dir)) return keys;
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (EndsWith(n, ".json")) keys.push_back(n.substr(0, n.size() - 5));
  }
  return keys;
}

Status DesiredObjects::DeleteDesired(const std::string& kind, const std::string& key) {
  return sys::RemoveFile(DesiredPath(kind, key));
}

Status DesiredObjects::RemoveStaleDesiredTempFiles() {
  if (!sys::IsDir(DesiredDir())) return Ok();
  std::vector<std::string> dirs{DesiredDir()};
  ASSIGN_OR_RETURN(std::vector<std::string> kinds, sys::ListSubdirs(DesiredDir()));
  for (const auto& k : kinds) dirs.push_back(Join(DesiredDir(), k));
  for (const std::string& dir : dirs) TRY(sys::RemoveAtomicWriteTemps(dir));
  return Ok();
}

}  // namespace hp::agent
