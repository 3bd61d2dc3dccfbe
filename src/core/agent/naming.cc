#include "core/agent/naming.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/sys/random.h"

namespace hp::agent {

std::string ControllerRevisionHash(std::string_view template_json) {
  std::string digits = std::to_string(Fnv32a(template_json));
  std::string out;
  for (unsigned char c : digits) out += kNameAlphabet[c % kNameAlphabet.size()];
  return out;
}

std::string DaemonPodName(std::string_view ns, std::string_view ds,
                          std::string_view revision_hash) {
  constexpr size_t kMaxGeneratedNameLength = 63 - 5;
  std::string base = std::string(ds) + "-";
  if (base.size() > kMaxGeneratedNameLength) base.resize(kMaxGeneratedNameLength);
  uint64_t h = Fnv64a(fmt::format("{}/{}/{}", ns, ds, revision_hash));
  for (int i = 0; i < 5; ++i) {
    base += kNameAlphabet[h % kNameAlphabet.size()];
    h /= kNameAlphabet.size();
  }
  return base;
}

namespace {

nlohmann::json PodTemplate(const nlohmann::json& daemonset) {
  if (!daemonset.is_object() || !daemonset.contains("spec") || !daemonset["spec"].is_object())
    return nlohmann::json::object();
  return daemonset["spec"].value("template", nlohmann::json::object());
}

}  // namespace

std::string DaemonSetRevision(const nlohmann::json& daemonset) {
  return ControllerRevisionHash(PodTemplate(daemonset).dump());
}

nlohmann::json DaemonSetPod(const nlohmann::json& daemonset, const std::string& ns,
                            const std::string& name, const std::string& revision) {
  nlohmann::json tmpl = PodTemplate(daemonset);
  nlohmann::json meta = tmpl.value("metadata", nlohmann::json::object());
  meta["name"] = DaemonPodName(ns, name, revision);
  meta["namespace"] = ns;
  meta.erase("generateName");
  meta["labels"]["controller-revision-hash"] = revision;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(meta)},
          {"spec", tmpl.value("spec", nlohmann::json::object())}};
}

std::string ObjectKey(std::string_view ns, std::string_view name) {
  return fmt::format("{}_{}", ns, name);
}

KeyParts SplitObjectKey(std::string_view key) {
  size_t sep = key.find('_');
  if (sep == std::string_view::npos) return {std::string(key), std::string(key)};
  return {std::string(key.substr(0, sep)), std::string(key.substr(sep + 1))};
}

std::string NewUid() {
  unsigned char b[16] = {};
  sys::RandomBytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:"
      "02x}"
      "{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

std::string ResourceKind(const std::string& name) {
  static const std::map<std::string, std::string> kAliases = {
      {"po", "pods"},
      {"pod", "pods"},
      {"pods", "pods"},
      {"ds", "daemonsets"},
      {"daemonset", "daemonsets"},
      {"daemonsets", "daemonsets"},
      {"daemonset.apps", "daemonsets"},
      {"daemonsets.apps", "daemonsets"},
      {"ns", "namespaces"},
      {"namespace", "namespaces"},
      {"namespaces", "namespaces"},
      {"cm", "configmaps"},
      {"configmap", "configmaps"},
      {"configmaps", "configmaps"},
      {"secret", "secrets"},
      {"secrets", "secrets"},
      {"sa", "serviceaccounts"},
      {"serviceaccount", "serviceaccounts"},
      {"serviceaccounts", "serviceaccounts"},
  };
  auto it = kAliases.find(ToLower(name));
  return it == kAliases.end() ? "" : it->second;
}

}  // namespace hp::agent
