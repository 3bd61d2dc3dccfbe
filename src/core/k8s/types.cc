#include "core/k8s/types.h"

namespace hp::k8s {

const std::string* Lookup(const StringMap& m, const std::string& key) {
  for (const auto& [k, v] : m)
    if (k == key) return &v;
  return nullptr;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kPod:
      return "Pod";
    case Kind::kDaemonSet:
      return "DaemonSet";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kConfigMap:
      return "ConfigMap";
    case Kind::kSecret:
      return "Secret";
    case Kind::kServiceAccount:
      return "ServiceAccount";
  }
  return "?";
}

const char* ResourceName(Kind kind) {
  switch (kind) {
    case Kind::kPod:
      return "pods";
    case Kind::kDaemonSet:
      return "daemonsets.apps";
    case Kind::kNamespace:
      return "namespaces";
    case Kind::kConfigMap:
      return "configmaps";
    case Kind::kSecret:
      return "secrets";
    case Kind::kServiceAccount:
      return "serviceaccounts";
  }
  return "?";
}

const ObjectMeta& Object::metadata() const {
  return std::visit([](const auto& o) -> const ObjectMeta& { return o.metadata; }, value);
}

const Source& Object::source() const {
  return std::visit([](const auto& o) -> const Source& { return o.source; }, value);
}

}  // namespace hp::k8s
