// ObjectMeta, labels, annotations and the non-pod kinds; DaemonSet and Pod entry points.
#include <fmt/format.h>

#include <algorithm>

#include "core/base/strings.h"
#include "core/k8s/defaults.h"
#include "core/k8s/validation.h"
#include "core/k8s/validation_internal.h"

namespace hp::k8s {
namespace internal {

std::string GoMapLiteral(const StringMap& m) {
  StringMap sorted = m;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(Quote(k) + ":" + Quote(v));
  return "map[string]string{" + Join(parts, ", ") + "}";
}

ErrorList ValidateLabels(const StringMap& labels, const std::string& path) {
  ErrorList errs;
  for (const auto& [k, v] : labels) {
    InvalidEach(errs, path, field::Str(k), names::IsQualifiedName(k));
    InvalidEach(errs, path, field::Str(v), names::IsValidLabelValue(v));
  }
  return errs;
}

ErrorList ValidateAnnotations(const StringMap& annotations, const std::string& path) {
  ErrorList errs;
  size_t total = 0;
  for (const auto& [k, v] : annotations) {
    InvalidEach(errs, path, field::Str(k), names::IsQualifiedName(ToLower(k)));
    total += k.size() + v.size();
  }
  if (total > 256 * 1024) errs.push_back(field::TooLong(path, 256 * 1024));
  return errs;
}

ErrorList ValidateObjectMeta(const ObjectMeta& meta, bool requires_namespace, bool dns_label_name,
                             const std::string& path) {
  ErrorList errs;
  auto name_fn = [&](std::string_view v, bool prefix) {
    return dns_label_name ? names::NameIsDNSLabel(v, prefix) : names::NameIsDNSSubdomain(v, prefix);
  };
  if (!meta.generate_name.empty())
    InvalidEach(errs, Child(path, "generateName"), field::Str(meta.generate_name),
                name_fn(meta.generate_name, true));
  if (meta.name.empty()) {
    errs.push_back(field::Required(Child(path, "name"), "name or generateName is required"));
  } else {
    InvalidEach(errs, Child(path, "name"), field::Str(meta.name), name_fn(meta.name, false));
  }
  if (requires_namespace) {
    if (meta.namespace_.empty()) {
      errs.push_back(field::Required(Child(path, "namespace"), ""));
    } else {
      InvalidEach(errs, Child(path, "namespace"), field::Str(meta.namespace_),
                  names::NameIsDNSLabel(meta.namespace_, false));
    }
  } else if (!meta.namespace_.empty()) {
    errs.push_back(field::Forbidden(Child(path, "namespace"), "not allowed on this type"));
  }
  Append(errs, ValidateLabels(meta.labels, Child(path, "labels")));
  Append(errs, ValidateAnnotations(meta.annotations, Child(path, "annotations")));
  return errs;
}

ErrorList ValidatePathNoBacksteps(const std::string& target, const std::string& path) {
  for (const auto& part : Split(target, '/')) {
    if (part == "..") return {field::Invalid(path, field::Str(target), "must not contain '..'")};
  }
  return {};
}

ErrorList ValidateLocalDescendingPath(const std::string& target, const std::string& path) {
  ErrorList errs;
  if (StartsWith(target, "/"))
    errs.push_back(field::Invalid(path, field::Str(target), "must be a relative path"));
  Append(errs, ValidatePathNoBacksteps(target, path));
  return errs;
}

ErrorList ValidateLocalNonReservedPath(const std::string& target, const std::string& path) {
  ErrorList errs = ValidateLocalDescendingPath(target, path);
  if (StartsWith(target, "..") && !StartsWith(target, "../"))
    errs.push_back(field::Invalid(path, field::Str(target), "must not start with '..'"));
  return errs;
}

void ValidateSelectorRequirement(ErrorList& errs, const std::string& path, const std::string& key,
                                 const std::string& op, const std::vector<std::string>& values,
                                 bool node_selector) {
  if (op == "In" || op == "NotIn") {
    if (values.empty())
      errs.push_back(field::Required(Child(path, "values"),
                                     "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!values.empty())
      errs.push_back(
          field::Forbidden(Child(path, "values"),
                           "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (node_selector && (op == "Gt" || op == "Lt")) {
    if (values.size() != 1)
      errs.push_back(field::Required(
          Child(path, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  } else {
    errs.push_back(
        field::Invalid(Child(path, "operator"), field::Str(op), "not a valid selector operator"));
  }
  InvalidEach(errs, Child(path, "key"), field::Str(key), names::IsQualifiedName(key));
}

}  // namespace internal

using namespace internal;

namespace {

bool SelectorMatches(const LabelSelector& sel, const StringMap& labels) {
  for (const auto& [k, v] : sel.match_labels) {
    const std::string* l = Lookup(labels, k);
    if (!l || *l != v) return false;
  }
  for (const auto& r : sel.match_expressions) {
    const std::string* l = Lookup(labels, r.key);
    bool in = l && std::find(r.values.begin(), r.values.end(), *l) != r.values.end();
    if (r.op == "In" && !in) return false;
    if (r.op == "NotIn" && in) return false;
    if (r.op == "Exists" && !l) return false;
    if (r.op == "DoesNotExist" && l) return false;
  }
  return true;
}

ErrorList ValidateLabelSelector(const LabelSelector& sel, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < sel.match_expressions.size(); i++) {
    const auto& r = sel.match_expressions[i];
    ValidateSelectorRequirement(errs, Index(Child(path, "matchExpressions"), i), r.key, r.op,
                                r.values, false);
  }
  Append(errs, ValidateLabels(sel.match_labels, Child(path, "matchLabels")));
  return errs;
}

std::string SelectorLiteral(const LabelSelector& sel) {
  // %#v of a *metav1.LabelSelector: Kubernetes prints the struct; we print the same shape.
  std::string s = "&v1.LabelSelector{MatchLabels:";
  s += sel.match_labels.empty() ? "map[string]string(nil)" : GoMapLiteral(sel.match_labels);
  s += ", MatchExpressions:[]v1.LabelSelectorRequirement(nil)}";
  return s;
}

}  // namespace

field::ErrorList ValidatePod(const Pod& in, const ValidationOptions& opts) {
  Pod pod = in;
  ApplyPodDefaults(pod);
  ErrorList errs = ValidateObjectMeta(pod.metadata, true, false, "metadata");
  Append(errs, ValidatePodSpec(pod.spec, "spec", opts, true));
  for (size_t i = 0; i < pod.spec.containers.size(); i++) {
    const std::string& image = pod.spec.containers[i].image;
    if (image.size() != TrimSpace(image).size())
      errs.push_back(field::Invalid(Child(Index("spec.containers", i), "image"), field::Str(image),
                                    "must not have leading or trailing whitespace"));
  }
  for (size_t i = 0; i < pod.spec.init_containers.size(); i++) {
    const std::string& image = pod.spec.init_containers[i].image;
    if (image.size() != TrimSpace(image).size())
      errs.push_back(field::Invalid(Child(Index("spec.initContainers", i), "image"),
                                    field::Str(image),
                                    "must not have leading or trailing whitespace"));
  }
  if (!pod.spec.ephemeral_containers.empty())
    errs.push_back(field::Forbidden("spec.ephemeralContainers", "cannot be set on create"));
  return errs;
}

field::ErrorList ValidateDaemonSet(const DaemonSet& in, const ValidationOptions& opts) {
  DaemonSet ds = in;
  ApplyDaemonSetDefaults(ds);
  ErrorList errs = ValidateObjectMeta(ds.metadata, true, false, "metadata");
  const PodTemplateSpec& tmpl = ds.spec.template_;
  if (!ds.spec.selector) {
    errs.push_back(field::Required("spec.selector", ""));
  } else {
    Append(errs, ValidateLabelSelector(*ds.spec.selector, "spec.selector"));
  }
  if (!ds.spec.selector || !SelectorMatches(*ds.spec.selector, tmpl.metadata.labels)) {
    std::string labels = tmpl.metadata.labels.empty() ? "map[string]string(nil)"
                                                      : GoMapLiteral(tmpl.metadata.labels);
    errs.push_back(field::Invalid("spec.template.metadata.labels", field::Raw(labels),
                                  "`selector` does not match template `labels`"));
  }
  if (ds.spec.selector && ds.spec.selector->match_labels.empty() &&
      ds.spec.selector->match_expressions.empty())
    errs.push_back(field::Invalid("spec.selector", field::Raw(SelectorLiteral(*ds.spec.selector)),
                                  "empty selector is invalid for daemonset"));
  // ValidatePodTemplateSpec
  Append(errs, ValidateLabels(tmpl.metadata.labels, "spec.template.labels"));
  Append(errs, ValidateAnnotations(tmpl.metadata.annotations, "spec.template.annotations"));
  Append(errs, ValidatePodSpec(tmpl.spec, "spec.template.spec", opts, false));
  if (!tmpl.spec.ephemeral_containers.empty())
    errs.push_back(field::Forbidden("spec.template.spec.ephemeralContainers",
                                    "ephemeral containers not allowed in pod template"));
  if (tmpl.spec.restart_policy != "Always")
    errs.push_back(field::NotSupported("spec.template.spec.restartPolicy",
                                       field::Str(tmpl.spec.restart_policy), {"Always"}));
  if (tmpl.spec.active_deadline_seconds)
    errs.push_back(field::Invalid("spec.template.spec.activeDeadlineSeconds",
                                  field::Int(*tmpl.spec.active_deadline_seconds),
                                  "activeDeadlineSeconds in DaemonSet is not Supported"));
  if (ds.spec.min_ready_seconds.value_or(0) < 0)
    errs.push_back(field::Invalid("spec.minReadySeconds", field::Int(*ds.spec.min_ready_seconds),
                                  "must be greater than or equal to 0"));
  const auto& us = ds.spec.update_strategy;
  if (us.type != "RollingUpdate" && us.type != "OnDelete")
    errs.push_back(field::NotSupported("spec.updateStrategy", field::Str(us.type),
                                       {"OnDelete", "RollingUpdate"}));
  if (ds.spec.revision_history_limit.value_or(0) < 0)
    errs.push_back(field::Invalid("spec.revisionHistoryLimit",
                                  field::Int(*ds.spec.revision_history_limit),
                                  "must be greater than or equal to 0"));
  return errs;
}

field::ErrorList ValidateNamespace(const Namespace& ns) {
  return ValidateObjectMeta(ns.metadata, false, true, "metadata");
}

field::ErrorList ValidateConfigMap(const ConfigMap& in) {
  ObjectMeta meta = in.metadata;
  if (meta.namespace_.empty()) meta.namespace_ = "default";
  ErrorList errs = ValidateObjectMeta(meta, true, false, "metadata");
  size_t total = 0;
  for (const auto& [k, v] : in.data) {
    InvalidEach(errs, Key("data", k), field::Str(k), names::IsConfigMapKey(k));
    if (Lookup(in.binary_data, k))
      errs.push_back(
          field::Invalid(Key("data", k), field::Str(k), "duplicate of key present in binaryData"));
    total += v.size();
  }
  for (const auto& [k, v] : in.binary_data) {
    InvalidEach(errs, Key("binaryData", k), field::Str(k), names::IsConfigMapKey(k));
    total += v.size();
  }
  if (total > 1024 * 1024) errs.push_back(field::TooLong("", 1024 * 1024));
  return errs;
}

field::ErrorList ValidateSecret(const Secret& in) {
  ObjectMeta meta = in.metadata;
  if (meta.namespace_.empty()) meta.namespace_ = "default";
  ErrorList errs = ValidateObjectMeta(meta, true, false, "metadata");
  size_t total = 0;
  for (const auto& [k, v] : in.data) {
    InvalidEach(errs, Key("data", k), field::Str(k), names::IsConfigMapKey(k));
    total += v.size();
  }
  if (total > 1024 * 1024) errs.push_back(field::TooLong("data", 1024 * 1024));
  if (in.type == "kubernetes.io/service-account-token") {
    const std::string* sa = Lookup(in.metadata.annotations, "kubernetes.io/service-account.name");
    if (!sa || sa->empty())
      errs.push_back(
          field::Required(Key("metadata.annotations", "kubernetes.io/service-account.name"), ""));
  } else if (in.type == "kubernetes.io/tls") {
    if (!Lookup(in.data, "tls.crt")) errs.push_back(field::Required(Key("data", "tls.crt"), ""));
    if (!Lookup(in.data, "tls.key")) errs.push_back(field::Required(Key("data", "tls.key"), ""));
  }
  return errs;
}

field::ErrorList ValidateServiceAccount(const ServiceAccount& in) {
  ObjectMeta meta = in.metadata;
  if (meta.namespace_.empty()) meta.namespace_ = "default";
  return ValidateObjectMeta(meta, true, false, "metadata");
}

field::ErrorList ValidateObject(const Object& obj, const ValidationOptions& opts) {
  switch (obj.kind) {
    case Kind::kPod:
      return ValidatePod(*obj.pod(), opts);
    case Kind::kDaemonSet:
      return ValidateDaemonSet(*obj.daemon_set(), opts);
    case Kind::kNamespace:
      return ValidateNamespace(*obj.namespace_());
    case Kind::kConfigMap:
      return ValidateConfigMap(*obj.config_map());
    case Kind::kSecret:
      return ValidateSecret(*obj.secret());
    case Kind::kServiceAccount:
      return ValidateServiceAccount(*obj.service_account());
  }
  return {};
}

}  // namespace hp::k8s
