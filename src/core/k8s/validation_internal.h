// Internal to hp_k8s: helpers shared by validation_*.cc.
#pragma once

#include <string>
#include <string_view>

#include "core/k8s/field.h"
#include "core/k8s/names.h"
#include "core/k8s/types.h"

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

}  // namespace hp::k8s::internal
