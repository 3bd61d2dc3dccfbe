// The manifest's environment, as kubelet's makeEnvironmentVariables computes it, and the
// downward API values (fieldRef, resourceFieldRef).
#include <algorithm>

#include "core/base/strings.h"
#include "core/plan/expand.h"
#include "core/plan/payload.h"
#include "core/plan/plan.h"

namespace hp::plan {
namespace {

k8s::Quantity FromInt(int64_t v) {
  k8s::Quantity q;
  q.nanos = static_cast<__int128>(v) * 1000000000;
  q.original = std::to_string(v);
  return q;
}
k8s::Quantity FromMillis(int64_t m) {
  k8s::Quantity q;
  q.nanos = static_cast<__int128>(m) * 1000000;
  q.original = std::to_string(m) + "m";
  return q;
}

int64_t CeilDiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  int64_t q = a / b;
  if ((a % b != 0) && ((a > 0) == (b > 0))) ++q;
  return q;
}

// Kubernetes' validation.IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
bool IsEnvVarName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '-' || c == '.' || c == '_' || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// fieldpath.FormatMap: sorted `key="value"` lines.
std::string FormatMap(const k8s::StringMap& m) {
  k8s::StringMap sorted = m;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> lines;
  for (const auto& [k, v] : sorted) lines.push_back(k + "=" + Quote(v));
  return Join(lines, "\n");
}

// "metadata.labels['app']" → ("metadata.labels", "app").
bool SplitSubscript(std::string_view path, std::string_view& base, std::string& key) {
  size_t open = path.find("['");
  if (open == std::string_view::npos || !EndsWith(path, "']")) return false;
  base = path.substr(0, open);
  key = std::string(path.substr(open + 2, path.size() - open - 4));
  return true;
}

std::string Namespace(const k8s::Pod& pod) {
  return pod.metadata.namespace_.empty() ? "default" : pod.metadata.namespace_;
}

}  // namespace

const k8s::Quantity* FindResource(const k8s::ResourceList& list, const std::string& name) {
  for (const auto& [k, v] : list) {
    if (k == name) return &v;
  }
  return nullptr;
}

void SetEnv(EnvList& env, const std::string& name, std::string value) {
  for (auto& [k, v] : env) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  env.emplace_back(name, std::move(value));
}

const std::string* GetEnv(const EnvList& env, const std::string& name) {
  for (const auto& [k, v] : env) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool IsHostIpField(std::string_view p) {
  return p == "status.hostIP" || p == "status.hostIPs" || p == "status.podIP" ||
         p == "status.podIPs";
}

bool UsesHostIp(const k8s::PodSpec& spec) {
  for (const auto* list : {&spec.init_containers, &spec.containers, &spec.ephemeral_containers})
    for (const k8s::Container& c : *list)
      for (const k8s::EnvVar& e : c.env)
        if (e.value_from && e.value_from->field_ref &&
            IsHostIpField(e.value_from->field_ref->field_path))
          return true;
  return false;
}

Result<std::string> FieldRefValue(const k8s::ObjectFieldSelector& ref, const k8s::Pod& pod,
                                  const NodeInfo& node) {
  const std::string& p = ref.field_path;
  if (p == "spec.nodeName") return pod.spec.node_name.empty() ? node.hostname : pod.spec.node_name;
  if (p == "spec.serviceAccountName") {
    if (!pod.spec.service_account_name.empty()) return pod.spec.service_account_name;
    if (!pod.spec.service_account.empty()) return pod.spec.service_account;
    return std::string("default");
  }
  // hostNetwork: the pod's IPs are the host's.
  if (IsHostIpField(p)) return node.host_ip;
  if (p == "metadata.name") return pod.metadata.name;
  if (p == "metadata.namespace") return Namespace(pod);
  if (p == "metadata.uid") return pod.metadata.uid;
  if (p == "metadata.labels") return FormatMap(pod.metadata.labels);
  if (p == "metadata.annotations") return FormatMap(pod.metadata.annotations);
  std::string_view base;
  std::string key;
  if (SplitSubscript(p, base, key)) {
    const k8s::StringMap* m = base == "metadata.labels"        ? &pod.metadata.labels
                              : base == "metadata.annotations" ? &pod.metadata.annotations
                                                               : nullptr;
    if (m) {
      const std::string* v = k8s::Lookup(*m, key);
      return v ? *v : std::string();
    }
  }
  return Err(ErrorCode::kInvalidArgument, "unsupported fieldPath: {}", p);
}

Result<std::string> ResourceFieldRefValue(const k8s::ResourceFieldSelector& ref,
                                          const k8s::Container& container, const NodeInfo& node) {
  const std::string& r = ref.resource;
  std::string_view kind;
  std::string res;
  if (StartsWith(r, "limits.")) {
    kind = "limits";
    res = r.substr(7);
  } else if (StartsWith(r, "requests.")) {
    kind = "requests";
    res = r.substr(9);
  } else {
    return Err(ErrorCode::kInvalidArgument, "unsupported container resource : {}", r);
  }
  if (res != "cpu" && res != "memory" && res != "ephemeral-storage" &&
      !StartsWith(res, "hugepages-")) {
    return Err(ErrorCode::kInvalidArgument, "unsupported container resource : {}", r);
  }
  const k8s::Quantity* limit = FindResource(container.resources.limits, res);
  const k8s::Quantity* request = FindResource(container.resources.requests, res);
  k8s::Quantity value;
  if (kind == "limits") {
    if (limit) {
      value = *limit;
    } else if (res == "cpu") {  // kubelet: unset limits default to the node's allocatable
      value = FromMillis(node.allocatable_cpu_millis);
    } else if (res == "memory") {
      value = FromInt(node.allocatable_memory_bytes);
    }
  } else {
    // The API server defaults unset requests to the limits.
    if (request) {
      value = *request;
    } else if (limit) {
      value = *limit;
    }
  }
  k8s::Quantity divisor = ref.divisor ? *ref.divisor : FromInt(1);
  if (res == "cpu") {
    int64_t d = divisor.MilliValue();
    if (d <= 0) return Err(ErrorCode::kInvalidArgument, "invalid divisor for {}", r);
    return std::to_string(CeilDiv(value.MilliValue(), d));
  }
  int64_t d = divisor.Value();
  if (d <= 0) return Err(ErrorCode::kInvalidArgument, "invalid divisor for {}", r);
  return std::to_string(CeilDiv(value.Value(), d));
}

Result<EnvList> ManifestEnv(const PlanInput& in) {
  const k8s::Pod& pod = *in.pod;
  const k8s::Container& c = *in.container;
  const std::string ns = Namespace(pod);
  EnvList env;
  for (const k8s::EnvFromSource& from : c.env_from) {
    if (from.config_map_ref) {
      const std::string& name = from.config_map_ref->name;
      const k8s::ConfigMap* cm = FindNamed(in.config_maps, name);
      if (!cm) {
        if (from.config_map_ref->optional.value_or(false)) continue;
        return Err(ErrorCode::kNotFound,
                   "couldn't get configMap {}/{}: configmaps \"{}\" not found", ns, name, name);
      }
      for (const auto& [k, v] : cm->data) {
        std::string key = from.prefix + k;
        if (IsEnvVarName(key)) SetEnv(env, key, v);  // kubelet skips invalid keys (event only)
      }
    } else if (from.secret_ref) {
      const std::string& name = from.secret_ref->name;
      const k8s::Secret* s = FindNamed(in.secrets, name);
      if (!s) {
        if (from.secret_ref->optional.value_or(false)) continue;
        return Err(ErrorCode::kNotFound, "couldn't get secret {}/{}: secrets \"{}\" not found", ns,
                   name, name);
      }
      for (const auto& [k, v] : s->data) {
        std::string key = from.prefix + k;
        if (IsEnvVarName(key)) SetEnv(env, key, v);
      }
    }
  }
  for (const k8s::EnvVar& var : c.env) {
    std::string value = var.value.value_or("");
    if (!value.empty()) {
      value = ExpandKubernetes(value, LookupIn(&env));
    } else if (var.value_from) {
      const k8s::EnvVarSource& from = *var.value_from;
      if (from.field_ref) {
        ASSIGN_OR_RETURN(value, FieldRefValue(*from.field_ref, pod, in.node));
      } else if (from.resource_field_ref) {
        ASSIGN_OR_RETURN(value, ResourceFieldRefValue(*from.resource_field_ref, c, in.node));
      } else if (from.config_map_key_ref) {
        const k8s::KeySelector& ref = *from.config_map_key_ref;
        bool optional = ref.optional.value_or(false);
        const k8s::ConfigMap* cm = FindNamed(in.config_maps, ref.name);
        if (!cm) {
          if (optional) continue;
          return Err(ErrorCode::kNotFound, "configmaps \"{}\" not found", ref.name);
        }
        const std::string* v = k8s::Lookup(cm->data, ref.key);
        if (!v) v = k8s::Lookup(cm->binary_data, ref.key);
        if (!v) {
          if (optional) continue;
          return Err(ErrorCode::kNotFound, "couldn't find key {} in ConfigMap {}/{}", ref.key, ns,
                     ref.name);
        }
        value = *v;
      } else if (from.secret_key_ref) {
        const k8s::KeySelector& ref = *from.secret_key_ref;
        bool optional = ref.optional.value_or(false);
        const k8s::Secret* s = FindNamed(in.secrets, ref.name);
        if (!s) {
          if (optional) continue;
          return Err(ErrorCode::kNotFound, "secrets \"{}\" not found", ref.name);
        }
        const std::string* v = k8s::Lookup(s->data, ref.key);
        if (!v) {
          if (optional) continue;
          return Err(ErrorCode::kNotFound, "couldn't find key {} in Secret {}/{}", ref.key, ns,
                     ref.name);
        }
        value = *v;
      }
    }
    SetEnv(env, var.name, std::move(value));
  }
  return env;
}

}  // namespace hp::plan
