#include "core/image/record.h"

#include "core/image/reference.h"

namespace hp::image {
using nlohmann::json;

json ConfigToJson(const ImageConfig& c) {
  return json{{"env", c.env},
              {"working_dir", c.working_dir},
              {"entrypoint", c.entrypoint},
              {"cmd", c.cmd},
              {"user", c.user},
              {"labels", c.labels},
              {"os", c.os},
              {"architecture", c.architecture}};
}

json RecordToJson(const ImageRecord& r) {
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"digest", l.digest},
                      {"diff_id", l.diff_id},
                      {"media_type", l.media_type},
                      {"size", l.size}});
  return json{{"name", r.name},
              {"id", r.id},
              {"manifest_digest", r.manifest_digest},
              {"index_digest", r.index_digest},
              {"layers", layers},
              {"config", ConfigToJson(r.config)},
              {"size", r.size},
              {"created", r.created}};
}

ImageRecord RecordFromJson(const json& j) {
  ImageRecord r;
  r.name = j.value("name", "");
  r.id = j.value("id", "");
  r.manifest_digest = j.value("manifest_digest", "");
  r.index_digest = j.value("index_digest", "");
  r.size = j.value("size", int64_t{0});
  r.created = j.value("created", "");
  for (const auto& l : j.value("layers", json::array()))
    r.layers.push_back({l.value("digest", ""), l.value("diff_id", ""), l.value("media_type", ""),
                        l.value("size", int64_t{0})});
  const json c = j.value("config", json::object());
  r.config.env = c.value("env", std::vector<std::string>{});
  r.config.working_dir = c.value("working_dir", "");
  r.config.entrypoint = c.value("entrypoint", std::vector<std::string>{});
  r.config.cmd = c.value("cmd", std::vector<std::string>{});
  r.config.user = c.value("user", "");
  r.config.labels = c.value("labels", std::map<std::string, std::string>{});
  r.config.os = c.value("os", "");
  r.config.architecture = c.value("architecture", "");
  return r;
}

std::string ImageRecordToJson(const ImageRecord& rec, int indent) {
  return RecordToJson(rec).dump(indent);
}

Result<std::string> NormalImportName(std::string_view name) {
  ASSIGN_OR_RETURN(Reference r, ParseReference(name));
  if (!r.digest.empty())
    return Err(ErrorCode::kInvalidArgument, "import name \"{}\" must be NAME[:TAG], not a digest",
               name);
  return r.String();
}

void ApplyImportOptions(ImageConfig& c, const ImportOptions& o) {
  for (const auto& e : o.env) {
    std::string key = e.substr(0, e.find('='));
    std::erase_if(c.env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    c.env.push_back(e);
  }
  if (!o.cmd.empty()) c.cmd = o.cmd;
  if (!o.entrypoint.empty()) c.entrypoint = o.entrypoint;
  if (!o.working_dir.empty()) c.working_dir = o.working_dir;
}

}  // namespace hp::image
