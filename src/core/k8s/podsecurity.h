// hp/k8s: Pod Security Standards, as the PodSecurity admission plugin evaluates them
// (k8s.io/pod-security-admission/policy): levels privileged / baseline / restricted, checks in
// upstream order with upstream reason and detail texts.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::k8s::podsecurity {

enum class Level { kPrivileged, kBaseline, kRestricted };

// A level and a policy version ("latest" or "v1.N"), printed "baseline:latest".
struct LevelVersion {
  Level level = Level::kPrivileged;
  int minor = -1;  // -1 = latest
  std::string ToString() const;
};

// Parses "privileged" / "baseline" / "restricted" (and an optional version "latest" / "v1.30").
Result<LevelVersion> ParseLevel(const std::string& level, const std::string& version = "latest");
// The enforce level of a namespace from its labels pod-security.kubernetes.io/enforce and
// enforce-version; nullopt when the label is absent.
Result<std::optional<LevelVersion>> NamespaceEnforceLevel(const Namespace& ns);

struct CheckResult {
  std::string reason;  // "host namespaces"
  std::string detail;  // "hostNetwork=true" (may be empty)
};

struct Result_ {
  bool allowed = true;
  std::vector<CheckResult> forbidden;  // in upstream check order
  // "host namespaces (hostNetwork=true), hostProcess (...)" (AggregateCheckResult.ForbiddenDetail)
  std::string ForbiddenDetail() const;
};
using Evaluation = Result_;

// EvaluatePod: the checks of `lv` applied to a pod's metadata and spec.
Evaluation Evaluate(const LevelVersion& lv, const ObjectMeta& meta, const PodSpec& spec);

// "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), ..."; with
// `would`, the warning form for workload resources: "would violate PodSecurity ...".
std::string ViolationMessage(const LevelVersion& lv, const Evaluation& e, bool would = false);

}  // namespace hp::k8s::podsecurity
