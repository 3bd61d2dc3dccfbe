#include "core/agent/node.h"

#include <algorithm>
#include <cstdio>

#include "core/base/strings.h"

namespace hp::agent {

const std::string* Node::Label(std::string_view key) const {
  for (const auto& [k, v] : labels)
    if (k == key) return &v;
  return nullptr;
}

void Node::SetLabel(const std::string& key, const std::string& value) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto& kv, const std::string& k) { return kv.first < k; });
  if (it != labels.end() && it->first == key) {
    it->second = value;
  } else {
    labels.insert(it, {key, value});
  }
}

std::string KubeArch(std::string_view machine) {
  if (machine == "x86_64" || machine == "amd64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (StartsWith(machine, "armv") || machine == "arm") return "arm";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine == "ppc64le") return "ppc64le";
  if (machine == "s390x") return "s390x";
  if (machine == "riscv64") return "riscv64";
  return std::string(machine);
}

Result<std::vector<std::pair<std::string, std::string>>> ParseNodeLabels(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  if (TrimSpace(s).empty()) return out;
  for (const std::string& item : Split(s, ',')) {
    std::string_view kv = TrimSpace(item);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Err(ErrorCode::kInvalidArgument, "invalid node label \"{}\": want key=value", kv);
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Result<std::vector<Taint>> ParseTaints(std::string_view s) {
  std::vector<Taint> out;
  if (TrimSpace(s).empty()) return out;
  for (const std::string& item : Split(s, ',')) {
    std::string_view t = TrimSpace(item);
    size_t colon = t.rfind(':');
    if (colon == std::string_view::npos || t.find(':') != colon)
      return Err(ErrorCode::kInvalidArgument, "invalid taint spec: {}", t);
    Taint taint;
    taint.effect = std::string(t.substr(colon + 1));
    if (taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
        taint.effect != "NoExecute")
      return Err(ErrorCode::kInvalidArgument, "invalid taint effect: {}, unsupported taint effect",
                 taint.effect);
    std::string_view kv = t.substr(0, colon);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.find('=', eq + 1) != std::string_view::npos)
      return Err(ErrorCode::kInvalidArgument, "invalid taint spec: {}", t);
    taint.key = std::string(kv.substr(0, eq));
    if (eq != std::string_view::npos) taint.value = std::string(kv.substr(eq + 1));
    if (taint.key.empty())
      return Err(ErrorCode::kInvalidArgument, "invalid taint spec: {}, empty key", t);
    out.push_back(std::move(taint));
  }
  return out;
}

Node MakeNode(const NodeConfig& config, std::string_view machine, std::string_view hostname,
              std::string_view os) {
  Node node;
  node.name = ToLower(config.hostname_override.empty() ? hostname : config.hostname_override);
  std::string arch = KubeArch(machine);
  node.SetLabel("beta.kubernetes.io/arch", arch);
  node.SetLabel("beta.kubernetes.io/os", std::string(os));
  node.SetLabel("kubernetes.io/arch", arch);
  node.SetLabel("kubernetes.io/hostname", node.name);
  node.SetLabel("kubernetes.io/os", std::string(os));
  for (const auto& [k, v] : config.extra_labels) node.SetLabel(k, v);
  node.taints = config.taints;
  return node;
}

}  // namespace hp::agent
