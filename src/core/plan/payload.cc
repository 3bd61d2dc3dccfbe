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

namespace {

// Adds ConfigMap `name`'s keys (or `items`) to `files`; a missing ConfigMap is kubelet's error
// unless `optional`. The volume sources and the projected sources share these two.
Status AddConfigMap(Payload& files, const std::vector<const k8s::ConfigMap*>& config_maps,
                    const std::string& name, const std::vector<k8s::KeyToPath>& items, int32_t mode,
                    bool optional, const std::string& what) {
  const k8s::ConfigMap* cm = FindNamed(config_maps, name);
  if (!cm) {
    if (optional) return Ok();
    return Err(ErrorCode::kNotFound, "{}: configmaps \"{}\" not found", what, name);
  }
  return AddKeyItems(files, cm->data, &cm->binary_data, items, mode, optional, what);
}

Status AddSecret(Payload& files, const std::vector<const k8s::Secret*>& secrets,
                 const std::string& name, const std::vector<k8s::KeyToPath>& items, int32_t mode,
                 bool optional, const std::string& what) {
  const k8s::Secret* s = FindNamed(secrets, name);
  if (!s) {
    if (optional) return Ok();
    return Err(ErrorCode::kNotFound, "{}: secrets \"{}\" not found", what, name);
  }
  return AddKeyItems(files, s->data, nullptr, items, mode, optional, what);
}

}  // namespace

Result<Payload> ConfigMapPayload(const std::string& volume, const k8s::ConfigMapVolumeSource& src,
                                 const std::vector<const k8s::ConfigMap*>& config_maps) {
  Payload files;
  TRY(AddConfigMap(files, config_maps, src.name, src.items, src.default_mode.value_or(0644),
                   src.optional.value_or(false), fmt::format("volume \"{}\"", volume)));
  return files;
}

Result<Payload> SecretPayload(const std::string& volume, const k8s::SecretVolumeSource& src,
                              const std::vector<const k8s::Secret*>& secrets) {
  Payload files;
  TRY(AddSecret(files, secrets, src.secret_name, src.items, src.default_mode.value_or(0644),
                src.optional.value_or(false), fmt::format("volume \"{}\"", volume)));
  return files;
}

namespace {

std::string Base64Url(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(t[(n >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out.push_back(t[(n >> 18) & 63]);
    out.push_back(t[(n >> 12) & 63]);
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int s = 18; s >= 6; s -= 6) out.push_back(t[(n >> s) & 63]);
  }
  return out;
}

Status DownwardFiles(Payload& files, const std::vector<k8s::DownwardAPIVolumeFile>& items,
                     int32_t mode, const PayloadSources& in) {
  for (const k8s::DownwardAPIVolumeFile& f : items) {
    std::string value;
    if (f.field_ref) {
      ASSIGN_OR_RETURN(value, FieldRefValue(*f.field_ref, *in.input.pod, in.input.node));
    } else if (f.resource_field_ref) {
      const k8s::Container* c = in.input.container;
      for (const auto& list :
           {&in.input.pod->spec.containers, &in.input.pod->spec.init_containers}) {
        for (const k8s::Container& cc : *list) {
          if (cc.name == f.resource_field_ref->container_name) c = &cc;
        }
      }
      ASSIGN_OR_RETURN(value, ResourceFieldRefValue(*f.resource_field_ref, *c, in.input.node));
    }
    files[f.path] = {value, f.mode.value_or(mode)};
  }
  return Ok();
}

Status AddProjection(Payload& files, const k8s::VolumeProjection& p, int32_t mode,
                     const std::string& what, const PayloadSources& in) {
  if (p.service_account_token) {
    files[p.service_account_token->path] = {
        in.token ? *in.token
                 : LocalServiceAccountToken(
                       *in.input.pod, p.service_account_token->expiration_seconds.value_or(3600),
                       in.now),
        mode};
  } else if (p.config_map) {
    if (p.config_map->name == "kube-root-ca.crt" &&
        !FindNamed(in.input.config_maps, p.config_map->name)) {
      files["ca.crt"] = {in.ca.value_or(""), mode};  // the cluster CA: the node's, when it has one
    } else {
      TRY(AddConfigMap(files, in.input.config_maps, p.config_map->name, p.config_map->items, mode,
                       p.config_map->optional.value_or(false), what));
    }
  } else if (p.secret) {
    TRY(AddSecret(files, in.input.secrets, p.secret->name, p.secret->items, mode,
                  p.secret->optional.value_or(false), what));
  } else if (p.downward_api) {
    TRY(DownwardFiles(files, p.downward_api->items, mode, in));
  }
  return Ok();
}

}  // namespace

k8s::Volume ServiceAccountVolume(const std::string& name) {
  k8s::Volume v;
  v.name = name;
  k8s::ProjectedVolumeSource p;
  p.default_mode = 0644;
  k8s::VolumeProjection token;
  token.service_account_token = k8s::ServiceAccountTokenProjection{"", 3607, "token"};
  k8s::VolumeProjection ca;
  ca.config_map = k8s::ConfigMapProjection{"kube-root-ca.crt", {{"ca.crt", "ca.crt", {}}}, {}};
  k8s::VolumeProjection ns;
  k8s::DownwardAPIVolumeFile file;
  file.path = "namespace";
  file.field_ref = k8s::ObjectFieldSelector{"v1", "metadata.namespace"};
  ns.downward_api = k8s::DownwardAPIProjection{{file}};
  p.sources = {token, ca, ns};
  v.projected = p;
  return v;
}

std::string LocalServiceAccountToken(const k8s::Pod& pod, int64_t expiration, int64_t now) {
  std::string ns = pod.metadata.namespace_.empty() ? "default" : pod.metadata.namespace_;
  std::string sa =
      pod.spec.service_account_name.empty() ? "default" : pod.spec.service_account_name;
  std::string claims = fmt::format(
      R"({{"iss":"hostprocess","sub":"system:serviceaccount:{}:{}","iat":{},"exp":{},)"
      R"("kubernetes.io":{{"namespace":"{}","pod":{{"name":"{}","uid":"{}"}},"serviceaccount":{{"name":"{}"}}}}}})",
      ns, sa, now, now + expiration, ns, pod.metadata.name, pod.metadata.uid, sa);
  return Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + Base64Url(claims) + ".";
}

Result<Payload> VolumePayload(const k8s::Volume& v, const PayloadSources& in) {
  if (v.config_map) return ConfigMapPayload(v.name, *v.config_map, in.input.config_maps);
  if (v.secret) return SecretPayload(v.name, *v.secret, in.input.secrets);
  Payload files;
  std::string what = fmt::format("volume \"{}\"", v.name);
  if (v.downward_api) {
    TRY(DownwardFiles(files, v.downward_api->items, v.downward_api->default_mode.value_or(0644),
                      in));
  } else if (v.projected) {
    int32_t mode = v.projected->default_mode.value_or(0644);
    for (const k8s::VolumeProjection& p : v.projected->sources)
      TRY(AddProjection(files, p, mode, what, in));
  } else {
    return Err(ErrorCode::kInvalidArgument, "{}: not a file volume", what);
  }
  return files;
}

}  // namespace hp::plan
