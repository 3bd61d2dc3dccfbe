#include "core/k8s/admission.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/base/parallel.h"
#include "core/base/strings.h"
#include "core/k8s/limits.h"

namespace hp::k8s {
namespace {

using podsecurity::LevelVersion;

const char* kEnforceLabel = "pod-security.kubernetes.io/enforce";
const char* kEnforceVersionLabel = "pod-security.kubernetes.io/enforce-version";

bool Namespaced(Kind k) { return k != Kind::kNamespace; }

// The PodSecurity plugin validates its own namespace labels.
field::ErrorList ValidatePodSecurityLabels(const Namespace& ns, std::optional<LevelVersion>* out) {
  field::ErrorList errs;
  const std::string* level = Lookup(ns.metadata.labels, kEnforceLabel);
  const std::string* version = Lookup(ns.metadata.labels, kEnforceVersionLabel);
  if (!level) return errs;
  auto lv = podsecurity::ParseLevel(*level, "latest");
  if (!lv) {
    errs.push_back(field::Invalid(field::Key("metadata.labels", kEnforceLabel), field::Str(*level),
                                  "must be one of privileged, baseline, restricted"));
    return errs;
  }
  if (version) {
    auto v = podsecurity::ParseLevel(*level, *version);
    if (!v) {
      errs.push_back(field::Invalid(field::Key("metadata.labels", kEnforceVersionLabel),
                                    field::Str(*version), "must be 'latest' or of the form v1.x"));
      return errs;
    }
    lv = v;
  }
  *out = *lv;
  return errs;
}

}  // namespace

std::vector<Verdict> Admit(const std::vector<Object>& objects, const AdmissionOptions& opts) {
  std::map<std::string, LevelVersion> levels;
  std::vector<Verdict> verdicts(objects.size());
  for (size_t i = 0; i < objects.size(); i++) {
    Verdict& v = verdicts[i];
    v.object = &objects[i];
    v.level = opts.default_level;
    if (const Namespace* ns = objects[i].namespace_()) {
      std::optional<LevelVersion> lv;
      v.errors = ValidatePodSecurityLabels(*ns, &lv);
      if (lv) levels[ns->metadata.name] = *lv;
    }
  }
  // Each object on its own from here: large inputs are checked on every core.
  auto check = [&](size_t i) {
    const Object& obj = objects[i];
    Verdict& v = verdicts[i];
    const ObjectMeta& meta = obj.metadata();
    if (Namespaced(obj.kind)) v.namespace_ = meta.namespace_.empty() ? "default" : meta.namespace_;
    if (obj.json_size > kMaxRequestBodyBytes) {  // the body is not even decoded
      v.outcome = Verdict::Outcome::kTooLarge;
      v.code = 413;
      v.message = RequestEntityTooLargeMessage();
      v.errors.clear();
      return;
    }
    field::ErrorList errs = ValidateObject(obj, opts.validation);
    for (auto& e : v.errors) errs.push_back(std::move(e));
    v.errors = std::move(errs);
    if (!v.errors.empty()) {
      v.outcome = Verdict::Outcome::kInvalid;
      return;
    }
    if (auto it = levels.find(v.namespace_); it != levels.end()) v.level = it->second;
    if (const Pod* pod = obj.pod()) {
      v.pod_security = podsecurity::Evaluate(v.level, pod->metadata, pod->spec);
    } else if (const DaemonSet* ds = obj.daemon_set()) {
      v.pod_security =
          podsecurity::Evaluate(v.level, ds->spec.template_.metadata, ds->spec.template_.spec);
    }
    if (!v.pod_security.allowed) {
      v.outcome = Verdict::Outcome::kForbidden;
    } else if (obj.json_size > kEtcdMaxRequestBytes) {  // storage is the last step
      v.outcome = Verdict::Outcome::kTooLarge;
      v.code = 500;
      v.message = kEtcdRequestTooLarge;
    }
  };
  ParallelSlices(objects.size(), WorkerCount(objects.size(), 512), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) check(i);
  });
  return verdicts;
}

namespace {

// kubectl's "<resource>/<name>" (pod/x, daemonset.apps/x).
std::string ResourceSlashName(const Object& obj) {
  std::string r = ResourceName(obj.kind);
  // ResourceName is plural; kubectl prints the singular resource.
  if (obj.kind == Kind::kDaemonSet) return "daemonset.apps/" + obj.metadata().name;
  r.pop_back();
  return r + "/" + obj.metadata().name;
}

// kubectl names standard input "STDIN" in "error when creating".
std::string SourceForKubectl(const Object& obj) {
  const std::string& file = obj.source().file;
  return file == "-" ? "STDIN" : file;
}

std::string QualifiedKind(Kind k) { return k == Kind::kDaemonSet ? "DaemonSet.apps" : KindName(k); }

}  // namespace

std::string KubectlText(const Verdict& v) {
  const Object& obj = *v.object;
  const std::string& name = obj.metadata().name;
  switch (v.outcome) {
    case Verdict::Outcome::kAllowed:
      return ResourceSlashName(obj) + " created (server dry run)";
    case Verdict::Outcome::kInvalid:
      return field::KubectlInvalid(KindName(obj.kind), name, v.errors);
    case Verdict::Outcome::kForbidden: {
      std::string violation = podsecurity::ViolationMessage(v.level, v.pod_security);
      if (obj.kind == Kind::kDaemonSet)
        return fmt::format("Warning: {}\nError: {}: its pods would be rejected by PodSecurity {}",
                           podsecurity::ViolationMessage(v.level, v.pod_security, true),
                           ResourceSlashName(obj), Quote(v.level.ToString()));
      return fmt::format("Error from server (Forbidden): {} {} is forbidden: {}",
                         ResourceName(obj.kind), Quote(name), violation);
    }
    case Verdict::Outcome::kTooLarge:
      return fmt::format("Error from server{}: error when creating {}: {}",
                         v.code == 413 ? " (RequestEntityTooLarge)" : "",
                         Quote(SourceForKubectl(obj)), v.message);
  }
  return "";
}

std::string VerdictJson(const Verdict& v) {
  using json = nlohmann::ordered_json;
  // Names and values come from the manifest as written, which need not be UTF-8: replace
  // invalid bytes with U+FFFD as Go's encoding/json does, instead of throwing type_error 316.
  auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  const Object& obj = *v.object;
  const std::string& name = obj.metadata().name;
  json j;
  j["kind"] = KindName(obj.kind);
  j["name"] = name;
  j["namespace"] = v.namespace_;
  j["source"] = fmt::format("{}:{}", obj.source().file, obj.source().line);
  j["allowed"] = v.allowed();
  if (v.allowed()) {
    j["status"] = nullptr;
    return dump(j);
  }
  json status;
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = json::object();
  status["status"] = "Failure";
  json details;
  details["name"] = name;
  if (v.outcome == Verdict::Outcome::kTooLarge) {
    status["message"] = v.message;
    if (v.code == 413) status["reason"] = "RequestEntityTooLarge";
    status["code"] = v.code;
  } else if (v.outcome == Verdict::Outcome::kInvalid) {
    std::string agg = field::Aggregate(v.errors);
    status["message"] =
        fmt::format("{} {} is invalid: {}", QualifiedKind(obj.kind), Quote(name), agg);
    status["reason"] = "Invalid";
    if (obj.kind == Kind::kDaemonSet) details["group"] = "apps";
    details["kind"] = KindName(obj.kind);
    json causes = json::array();
    for (const auto& e : v.errors) {
      json c;
      c["reason"] = field::TypeName(e.type);
      c["message"] = e.Body();
      c["field"] = e.field;
      causes.push_back(std::move(c));
    }
    details["causes"] = std::move(causes);
    status["details"] = std::move(details);
    status["code"] = 422;
  } else {
    std::string violation = podsecurity::ViolationMessage(v.level, v.pod_security);
    if (obj.kind == Kind::kDaemonSet) {
      status["message"] = podsecurity::ViolationMessage(v.level, v.pod_security, true);
      details["group"] = "apps";
      details["kind"] = "daemonsets";
    } else {
      status["message"] =
          fmt::format("{} {} is forbidden: {}", ResourceName(obj.kind), Quote(name), violation);
      details["kind"] = ResourceName(obj.kind);
    }
    status["reason"] = "Forbidden";
    status["details"] = std::move(details);
    status["code"] = 403;
  }
  j["status"] = std::move(status);
  return dump(j);
}

}  // namespace hp::k8s
