#include "core/plan/payload.h"

#include <fmt/format.h>

namespace hp::plan {

Status AddKeyItems(Payload& files, const k8s::StringMap& data, const k8s::StringMap* binary,
                   const std::vector<k8s::KeyToPath>& items, int32_t mode, bool optional,
                   const std::string& what) {
  if (items.empty()) {
    for (const auto& [k, v] : data) files[k] = {v, mode};
    if (binary) {
      for (const auto& [k, v] : *binary) files[k] = {v, mode};
    }
    return Ok();
  }
  for (const k8s::KeyToPath& item : items) {
    const std::string* v = k8s::Lookup(data, item.key);
    if (!v && binary) v = k8s::Lookup(*binary, item.key);
    if (!v) {
      if (optional) continue;
      return binary ? Err(ErrorCode::kNotFound,
                          "{}: configmap references non-existent config key: {}", what, item.key)
                    : Err(ErrorCode::kNotFound, "{}: secret references non-existent secret key: {}",
                          what, item.key);
    }
    files[item.path] = {*v, item.mode.value_or(mode)};
  }
  return Ok();
}

Result<Payload> ConfigMapPayload(const std::string& volume, const k8s::ConfigMapVolumeSource& src,
                                 const std::vector<const k8s::ConfigMap*>& config_maps) {
  std::string what = fmt::format("volume \"{}\"", volume);
  bool optional = src.optional.value_or(false);
  Payload files;
  const k8s::ConfigMap* cm = FindNamed(config_maps, src.name);
  if (!cm) {
    if (optional) return files;
    return Err(ErrorCode::kNotFound, "{}: configmaps \"{}\" not found", what, src.name);
  }
  TRY(AddKeyItems(files, cm->data, &cm->binary_data, src.items, src.default_mode.value_or(0644),
                  optional, what));
  return files;
}

Result<Payload> SecretPayload(const std::string& volume, const k8s::SecretVolumeSource& src,
                              const std::vector<const k8s::Secret*>& secrets) {
  std::string what = fmt::format("volume \"{}\"", volume);
  bool optional = src.optional.value_or(false);
  Payload files;
  const k8s::Secret* s = FindNamed(secrets, src.secret_name);
  if (!s) {
    if (optional) return files;
    return Err(ErrorCode::kNotFound, "{}: secrets \"{}\" not found", what, src.secret_name);
  }
  TRY(AddKeyItems(files, s->data, nullptr, src.items, src.default_mode.value_or(0644), optional,
                  what));
  return files;
}

}  // namespace hp::plan
