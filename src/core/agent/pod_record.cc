#include "core/agent/pod_record.h"

#include "core/agent/desired.h"
#include "core/agent/grace.h"
#include "core/base/json.h"

namespace hp::agent {

void to_json(nlohmann::json& j, const PodRecord& r) {
  j = nlohmann::json{{"pod", r.pod},
                     {"objects", r.objects},
                     {"ownerKind", r.owner_kind},
                     {"ownerName", r.owner_name},
                     {"revision", r.revision},
                     {"created", r.created}};
  if (!r.job_root.empty()) {  // Linux's
    j["cgroupRoot"] = r.job_root;
    j["logMaxSize"] = r.log_max_size;
    j["logMaxFiles"] = r.log_max_files;
  }
  if (!r.volume_root.empty()) j["volumeRoot"] = r.volume_root;  // Windows'
}

void from_json(const nlohmann::json& j, PodRecord& r) {
  j.at("pod").get_to(r.pod);
  if (j.contains("objects")) j.at("objects").get_to(r.objects);
  r.owner_kind = j.value("ownerKind", "");
  r.owner_name = j.value("ownerName", "");
  r.revision = j.value("revision", "");
  r.created = j.value("created", int64_t{0});
  // A Windows record (its volume root) has no cgroup root; a Linux one written before the cgroup
  // root was recorded has the default.
  r.job_root = j.value("cgroupRoot", j.contains("volumeRoot") ? std::string() : r.job_root);
  r.log_max_size = j.value("logMaxSize", r.log_max_size);
  r.log_max_files = j.value("logMaxFiles", r.log_max_files);
  r.volume_root = j.value("volumeRoot", r.volume_root);
}

namespace {

// The record in `j`, read from `path`, with nlohmann's conversions (their error, naming it).
Result<PodRecord> RecordOf(const nlohmann::json& j, const std::string& path) {
  try {
    PodRecord r = j.get<PodRecord>();
    if (!r.pod.is_object())
      return Err(ErrorCode::kInvalidArgument, "\"{}\": its \"pod\" is not an object", path);
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}\": {}", path, e.what());
  }
}

}  // namespace

Result<PodRecord> ReadPodRecord(const std::string& path) {
  ASSIGN_OR_RETURN(nlohmann::json j, ReadJsonFile(path));
  return RecordOf(j, path);
}

namespace {

// The head of a record's text: everything but the pod's spec and the objects, which are read
// unbuilt. False when the text is not of the shape the agent writes (the caller then reads it
// whole, which takes or refuses it with nlohmann's conversions).
bool ReadHead(std::string_view text, PodRecord& r) {
  JsonPull in(text);
  bool job_root = false, volume_root = false;
  bool ok = in.Object([&](std::string_view key) {
    if (key == "pod") {
      r.pod = nlohmann::json::object();  // a duplicate key's last value wins, as in nlohmann
      return in.Object([&](std::string_view member) {
        if (member == "spec") return in.Skip();
        return in.Json(r.pod[std::string(member)]);
      });
    }
    if (key == "objects") return in.Array([&] { return in.Skip(); });  // an array, as whole
    if (key == "ownerKind") return in.String(r.owner_kind);
    if (key == "ownerName") return in.String(r.owner_name);
    if (key == "revision") return in.String(r.revision);
    if (key == "cgroupRoot") return job_root = true, in.String(r.job_root);
    if (key == "created") return in.Integer(r.created);
    if (key == "logMaxSize") return in.Integer(r.log_max_size);
    if (key == "logMaxFiles") return in.Integer(r.log_max_files);
    if (key == "volumeRoot") return volume_root = true, in.String(r.volume_root);
    return in.Skip();
  });
  if (volume_root && !job_root) r.job_root.clear();  // as from_json takes it
  return ok && in.AtEnd();
}

}  // namespace

Result<PodRecord> ReadPodRecordHead(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadStateFile(path));
  PodRecord r;
  if (ReadHead(text, r) && r.pod.is_object()) return r;
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(path, text));
  return RecordOf(j, path);
}

std::string NamespaceOf(const nlohmann::json& object) {
  auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return "default";
  std::string ns = m->value("namespace", "");
  return ns.empty() ? "default" : ns;
}

int64_t GraceSeconds(const PodRecord& r) {
  auto spec = r.pod.find("spec");
  if (spec == r.pod.end()) return GracePeriodSeconds(std::nullopt);
  auto g = spec->find("terminationGracePeriodSeconds");
  if (g == spec->end() || !g->is_number_integer()) return GracePeriodSeconds(std::nullopt);
  return GracePeriodSeconds(g->get<int64_t>());
}

PodStatus InitialStatus(const PodRecord& r) { return InitialStatus(r.pod); }

}  // namespace hp::agent
