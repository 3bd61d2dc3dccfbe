#include "core/image/manifest.h"

#include <nlohmann/json.hpp>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/image/reference.h"

namespace hp::image {
namespace {
using nlohmann::json;

Result<json> ParseJson(std::string_view s, std::string_view what) {
  try {
    return ParseJsonOrThrow(s);
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "{}: invalid JSON: {}", what, e.what());
  }
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

Result<Descriptor> ParseDescriptor(const json& j, std::string_view what) {
  if (!j.is_object())
    return Err(ErrorCode::kInvalidArgument, "{}: descriptor is not an object", what);
  Descriptor d;
  d.media_type = Str(j, "mediaType");
  d.digest = Str(j, "digest");
  if (!IsValidDigest(d.digest))
    return Err(ErrorCode::kInvalidArgument, "{}: unsupported or invalid digest \"{}\"", what,
               d.digest);
  // The size bounds every download: an integer > 0 (as the OCI spec requires), not 0, a
  // float or a string.
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() <= 0)
    return Err(ErrorCode::kInvalidArgument, "{} \"{}\": size must be an integer > 0, not {}", what,
               d.digest, size == j.end() ? "missing" : size->dump());
  d.size = size->get<int64_t>();
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.os = Str(*p, "os");
    d.architecture = Str(*p, "architecture");
    d.variant = Str(*p, "variant");
  }
  if (auto a = j.find("annotations"); a != j.end() && a->is_object())
    d.ref_name = Str(*a, "org.opencontainers.image.ref.name");
  return d;
}

}  // namespace

Result<Platform> ParsePlatform(std::string_view spec) {
  if (spec.empty()) return HostPlatform();
  Platform p;
  auto parts = Split(spec, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return Err(ErrorCode::kInvalidArgument, "platform \"{}\": want os/arch[/variant]", spec);
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

bool IsIndexMediaType(std::string_view mt) {
  return mt == kMediaOciIndex || mt == kMediaDockerList;
}
bool IsManifestMediaType(std::string_view mt) {
  return mt == kMediaOciManifest || mt == kMediaDockerManifest;
}
bool IsLayerMediaType(std::string_view mt) {
  return mt == kMediaOciLayerGzip || mt == kMediaOciLayerZstd || mt == kMediaOciLayer ||
         mt == kMediaDockerLayer || mt == "application/vnd.docker.image.rootfs.diff.tar" ||
         mt == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
         mt == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}

Result<std::string> DetectMediaType(std::string_view s) {
  ASSIGN_OR_RETURN(json j, ParseJson(s, "manifest"));
  if (!j.is_object()) return Err(ErrorCode::kInvalidArgument, "manifest is not a JSON object");
  std::string mt = Str(j, "mediaType");
  if (!mt.empty()) return mt;
  if (j.contains("manifests")) return std::string(kMediaOciIndex);
  if (j.contains("layers")) return std::string(kMediaOciManifest);
  if (j.value("schemaVersion", 0) == 1)
    return Err(ErrorCode::kUnsupported, "Docker schema 1 manifests are not supported");
  return Err(ErrorCode::kInvalidArgument, "unrecognised manifest");
}

Result<std::vector<Descriptor>> ParseIndex(std::string_view s) {
  ASSIGN_OR_RETURN(json j, ParseJson(s, "index"));
  auto it = j.find("manifests");
  if (it == j.end() || !it->is_array())
    return Err(ErrorCode::kInvalidArgument, "index: no \"manifests\" array");
  std::vector<Descriptor> out;
  for (const auto& m : *it) {
    ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(m, "index entry"));
    out.push_back(std::move(d));
  }
  return out;
}

Result<Manifest> ParseManifest(std::string_view s) {
  ASSIGN_OR_RETURN(json j, ParseJson(s, "manifest"));
  ASSIGN_OR_RETURN(std::string mt, DetectMediaType(s));
  if (!IsManifestMediaType(mt))
    return Err(ErrorCode::kUnsupported, "manifest: unsupported media type \"{}\"", mt);
  Manifest m;
  m.media_type = mt;
  auto c = j.find("config");
  if (c == j.end()) return Err(ErrorCode::kInvalidArgument, "manifest: no \"config\"");
  ASSIGN_OR_RETURN(m.config, ParseDescriptor(*c, "manifest config"));
  if (m.config.media_type != kMediaOciConfig && m.config.media_type != kMediaDockerConfig)
    return Err(ErrorCode::kUnsupported, "manifest: config media type \"{}\" is not an image config",
               m.config.media_type);
  auto l = j.find("layers");
  if (l == j.end() || !l->is_array())
    return Err(ErrorCode::kInvalidArgument, "manifest: no \"layers\" array");
  if (l->size() > kMaxLayers)
    return Err(ErrorCode::kInvalidArgument, "manifest: {} layers (the limit is {})", l->size(),
               kMaxLayers);
  for (const auto& x : *l) {
    ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(x, "manifest layer"));
    if (!IsLayerMediaType(d.media_type))
      return Err(ErrorCode::kUnsupported, "manifest: unsupported layer media type \"{}\"",
                 d.media_type);
    m.layers.push_back(std::move(d));
  }
  return m;
}

Result<Descriptor> SelectPlatform(const std::vector<Descriptor>& entries, const Platform& p) {
  const Descriptor* best = nullptr;
  std::vector<std::string> offered;
  for (const auto& d : entries) {
    std::string plat = d.os + "/" + d.architecture + (d.variant.empty() ? "" : "/" + d.variant);
    offered.push_back(plat);
    if (d.os != p.os || d.architecture != p.architecture) continue;
    if (!p.variant.empty() && !d.variant.empty() && d.variant != p.variant) continue;
    if (!best || (!p.variant.empty() && d.variant == p.variant)) best = &d;
  }
  if (!best)
    return Err(ErrorCode::kNotFound, "no manifest for platform \"{}/{}{}\" (offered: {})", p.os,
               p.architecture, p.variant.empty() ? "" : "/" + p.variant, Join(offered, ", "));
  return *best;
}

Result<ParsedConfig> ParseImageConfig(std::string_view s) {
  ASSIGN_OR_RETURN(json j, ParseJson(s, "image config"));
  if (!j.is_object()) return Err(ErrorCode::kInvalidArgument, "image config is not an object");
  ParsedConfig pc;
  pc.config.os = Str(j, "os");
  pc.config.architecture = Str(j, "architecture");
  if (auto c = j.find("config"); c != j.end() && c->is_object()) {
    pc.config.env = Strings(*c, "Env");
    pc.config.working_dir = Str(*c, "WorkingDir");
    pc.config.entrypoint = Strings(*c, "Entrypoint");
    pc.config.cmd = Strings(*c, "Cmd");
    pc.config.user = Str(*c, "User");
    if (auto l = c->find("Labels"); l != c->end() && l->is_object())
      for (auto& [k, v] : l->items())
        if (v.is_string()) pc.config.labels[k] = v.get<std::string>();
  }
  if (auto r = j.find("rootfs"); r != j.end() && r->is_object())
    pc.diff_ids = Strings(*r, "diff_ids");
  for (const auto& d : pc.diff_ids)
    if (!IsValidDigest(d))
      return Err(ErrorCode::kInvalidArgument, "image config: invalid diff id \"{}\"", d);
  return pc;
}

}  // namespace hp::image
