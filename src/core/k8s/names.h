// hp/k8s: Kubernetes' string format checks (k8s.io/apimachinery/pkg/util/validation), each
// returning Kubernetes' messages (empty when valid).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hp::k8s::names {

using Msgs = std::vector<std::string>;

Msgs IsDNS1123Label(std::string_view v);
Msgs IsDNS1123Subdomain(std::string_view v);
// NameIsDNSSubdomain(name, prefix): with prefix a trailing '-' is allowed (generateName).
Msgs NameIsDNSSubdomain(std::string_view v, bool prefix);
Msgs NameIsDNSLabel(std::string_view v, bool prefix);
Msgs IsQualifiedName(std::string_view v);  // label keys
Msgs IsValidLabelValue(std::string_view v);
Msgs IsValidPortName(std::string_view v);
Msgs IsValidPortNum(int64_t port);
Msgs IsValidUserID(int64_t id);
Msgs IsValidGroupID(int64_t id);
Msgs IsConfigMapKey(std::string_view v);
Msgs IsRelaxedEnvVarName(std::string_view v);
Msgs IsHTTPHeaderName(std::string_view v);

std::string InclusiveRangeError(int64_t lo, int64_t hi);
std::string MaxLenError(size_t n);

// Character-class matchers used by the checks above (exposed for validation.cc).
bool MatchesDNS1123Label(std::string_view v);
bool MatchesDNS1123Subdomain(std::string_view v);

}  // namespace hp::k8s::names
