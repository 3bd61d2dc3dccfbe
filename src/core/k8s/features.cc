#include "core/k8s/features.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "core/base/strings.h"

namespace hp::k8s {
namespace {

// Go's strconv.ParseBool.
bool ParseGoBool(std::string_view v, bool* out) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (v == t) return *out = true, true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (v == f) return *out = false, true;
  return false;
}

}  // namespace

Result<FeatureGates> ParseFeatureGates(std::string_view value, FeatureGates gates) {
  auto fail = [&](const std::string& why) {
    return Err(ErrorCode::kInvalidArgument, "invalid argument {} for \"--feature-gates\" flag: {}",
               Quote(value), why);
  };
  // As featureGate.Set: every item parsed first, then the names checked (SetFromMap).
  std::vector<std::pair<std::string, bool>> items;
  for (const std::string& item : hp::Split(value, ',')) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key(TrimSpace(std::string_view(item).substr(0, eq)));
    if (eq == std::string::npos) return fail("missing bool value for " + key);
    std::string v(TrimSpace(std::string_view(item).substr(eq + 1)));
    bool on = false;
    if (!ParseGoBool(v, &on))
      return fail(
          fmt::format("invalid value of {}={}, err: strconv.ParseBool: parsing {}: invalid "
                      "syntax",
                      key, v, Quote(v)));
    items.emplace_back(std::move(key), on);
  }
  for (const auto& [key, on] : items) {
    if (key != kWindowsHostProcessContainers) return fail("unrecognized feature gate: " + key);
    gates.windows_host_process_containers = on;
  }
  return gates;
}

std::string FeatureGatesString(const FeatureGates& gates) {
  if (gates.windows_host_process_containers) return "";
  return std::string(kWindowsHostProcessContainers) + "=false";
}

std::string FailedCreatePodSandBoxMessage() {
  return std::string("Failed to create pod sandbox: ") + kHostProcessGateOffKubelet;
}

bool HasWindowsHostProcessContainer(const PodSpec& spec) {
  std::optional<bool> pod;
  if (spec.security_context && spec.security_context->windows_options)
    pod = spec.security_context->windows_options->host_process;
  for (const auto* list : {&spec.init_containers, &spec.containers, &spec.ephemeral_containers}) {
    for (const Container& c : *list) {
      std::optional<bool> own;
      if (c.security_context && c.security_context->windows_options)
        own = c.security_context->windows_options->host_process;
      if (own.value_or(pod.value_or(false))) return true;
    }
  }
  return false;
}

}  // namespace hp::k8s
