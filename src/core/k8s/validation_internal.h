// Internal to hp_k8s: helpers shared by validation_*.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/k8s/field.h"
#include "core/k8s/names.h"
#include "core/k8s/types.h"
#include "core/k8s/validation.h"

namespace hp::k8s::internal {

using field::Child;
using field::ErrorList;
using field::Index;
using field::Key;

inline void Append(ErrorList& to, ErrorList&& from) {
  for (auto& e : from) to.push_back(std::move(e));
}

// field.Invalid(path, value, msg) for every message of a names:: check.
inline void InvalidEach(ErrorList& errs, const std::string& path, const field::Value& v,
                        const names::Msgs& msgs) {
  for (const auto& m : msgs) errs.push_back(field::Invalid(path, v, m));
}

// Go's %#v of a map[string]string (keys sorted): map[string]string{"a":"b"}.
std::string GoMapLiteral(const StringMap& m);

ErrorList ValidateObjectMeta(const ObjectMeta& meta, bool requires_namespace, bool dns_label_name,
                             const std::string& path);
ErrorList ValidateLabels(const StringMap& labels, const std::string& path);
// One selector requirement at `path` (…matchExpressions[i]): the operator and its values, then
// the key. Label selectors know In/NotIn/Exists/DoesNotExist; node selectors also Gt/Lt.
void ValidateSelectorRequirement(ErrorList& errs, const std::string& path, const std::string& key,
                                 const std::string& op, const std::vector<std::string>& values,
                                 bool node_selector);
ErrorList ValidateAnnotations(const StringMap& annotations, const std::string& path);

// validateLocalDescendingPath / validatePathNoBacksteps / validateLocalNonReservedPath.
ErrorList ValidateLocalDescendingPath(const std::string& target, const std::string& path);
ErrorList ValidatePathNoBacksteps(const std::string& target, const std::string& path);
ErrorList ValidateLocalNonReservedPath(const std::string& target, const std::string& path);

// validateOS plus validateLinux / validateWindows (the spec.os consistency rules).
ErrorList ValidateOS(const PodSpec& spec, const std::string& path);

inline constexpr const char* kNegative = "must be greater than or equal to 0";
inline void NonNegative(ErrorList& errs, int64_t v, const std::string& path) {
  if (v < 0) errs.push_back(field::Invalid(path, field::Int(v), kNegative));
}

// validation_volumes.cc: validateVolumes; `valid` gets the names of the valid volumes.
ErrorList ValidateVolumes(const std::vector<Volume>& volumes, const std::string& path,
                          std::set<std::string>& valid);
// validation_container.cc: validateContainerCommon (name, image, ports, env, mounts of
// `volumes`, pull policy, resources, security context), the lifecycle handlers, one probe
// (`kind`: liveness, readiness, startup), the host port conflicts across `containers`, and a
// seccomp/AppArmor profile (`what` names the field).
ErrorList ValidateContainerCommon(const Container& c, const std::set<std::string>& volumes,
                                  const std::string& path, const ValidationOptions& opts,
                                  bool host_users);
ErrorList ValidateLifecycle(const Lifecycle& l, const std::string& path);
ErrorList ValidateProbe(const std::optional<Probe>& p, const std::string& path, const char* kind);
ErrorList CheckHostPortConflicts(const std::vector<const Container*>& containers,
                                 const std::string& path);
ErrorList ValidateProfile(const SeccompProfile* p, const std::string& path, const char* what);
ErrorList ValidateProfile(const AppArmorProfile* p, const std::string& path, const char* what);

}  // namespace hp::k8s::internal
