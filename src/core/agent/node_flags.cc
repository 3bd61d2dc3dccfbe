#include "core/agent/node_flags.h"

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/k8s/names.h"
#include "core/k8s/quantity.h"

namespace hp::agent {
Result<std::vector<std::pair<std::string, std::string>>> CheckedNodeLabels(std::string_view s) {
  ASSIGN_OR_RETURN(auto labels, ParseNodeLabels(s));
  std::vector<std::string> bad;
  for (const auto& [k, v] : labels) {
    if (auto m = k8s::names::IsQualifiedName(k); !m.empty())
      bad.push_back(fmt::format("'{}' - {}", k, Join(m, ", ")));
    if (auto m = k8s::names::IsValidLabelValue(v); !m.empty())
      bad.push_back(fmt::format("'{}' - {}", v, Join(m, ", ")));
  }
  if (!bad.empty())
    return Err(ErrorCode::kInvalidArgument, "invalid node labels: {}", Join(bad, "; "));
  return labels;
}

Result<std::vector<Taint>> CheckedTaints(std::string_view s) {
  ASSIGN_OR_RETURN(auto taints, ParseTaints(s));
  for (const Taint& t : taints) {
    std::string spec = t.key + (t.value.empty() ? "" : "=" + t.value) + ":" + t.effect;
    if (auto m = k8s::names::IsValidLabelValue(t.value); !m.empty())
      return Err(ErrorCode::kInvalidArgument, "invalid taint spec: {}, {}", spec, Join(m, "; "));
    if (auto m = k8s::names::IsQualifiedName(t.key); !m.empty())
      return Err(ErrorCode::kInvalidArgument, "invalid taint spec: {}, {}", spec, Join(m, "; "));
  }
  return taints;
}

Result<std::string> CheckedHostnameOverride(std::string_view s) {
  std::string name = ToLower(TrimSpace(s));
  if (name.empty()) return Err(ErrorCode::kInvalidArgument, "empty hostname is invalid");
  if (auto m = k8s::names::IsDNS1123Subdomain(name); !m.empty())
    return Err(ErrorCode::kInvalidArgument,
               "Node {} is invalid: metadata.name: Invalid value: {}: {}", Quote(name), Quote(name),
               Join(m, ", "));
  return name;
}

Status CheckCgroupRoot(std::string_view s) {
  if (s.empty()) return Err(ErrorCode::kInvalidArgument, "must not be empty");
  if (s.find('\0') != s.npos || s.find('\n') != s.npos)
    return Err(ErrorCode::kInvalidArgument, "{}: must not contain NUL or newline", Quote(s));
  for (const std::string& part : Split(s, '/')) {
    if (part == "." || part == "..")
      return Err(ErrorCode::kInvalidArgument, "{}: must not contain a {} part", Quote(s),
                 Quote(part));
  }
  return Ok();
}

Result<int64_t> CheckedLogMaxSize(std::string_view s) {
  auto q = k8s::ParseQuantity(s);
  if (!q)
    return Err(ErrorCode::kInvalidArgument, "failed to parse container log max size {}: {}",
               Quote(s), q.error().message());
  if (q->nanos % 1000000000 != 0)
    return Err(ErrorCode::kInvalidArgument,
               "failed to parse container log max size {}: invalid max log size", Quote(s));
  if (q->IsZero())
    return Err(ErrorCode::kInvalidArgument,
               "{}: must be positive, or negative to turn rotation off (kubelet would rotate at "
               "every check)",
               Quote(s));
  return q->Sign() < 0 ? -1 : q->Value();
}

}  // namespace hp::agent
