#include "cli/hostprocess/views.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "core/agent/format.h"
#include "core/base/strings.h"

namespace hp::cli {
namespace {

bool LooksTyped(const std::string& s) {
  if (s.empty()) return true;
  static const char* const kWords[] = {"true", "false", "yes", "no",   "on",
                                       "off",  "y",     "n",   "null", "~"};
  std::string lower = ToLower(s);
  for (const char* w : kWords)
    if (lower == w) return true;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

void Emit(YAML::Emitter& out, const nlohmann::json& j) {
  if (j.is_object()) {
    if (j.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      Emit(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    if (j.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& v : j) Emit(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    // A string that would read back as another type is quoted, as kubectl does; the emitter
    // quotes the ones with special characters itself.
    if (LooksTyped(s)) {
      out << YAML::DoubleQuoted << s;
    } else {
      out << s;
    }
  } else if (j.is_null()) {
    out << YAML::Null;
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else {
    out << j.dump();
  }
}

}  // namespace

std::string ToYaml(const nlohmann::json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, j);
  return std::string(out.c_str()) + "\n";
}

nlohmann::json PodObject(const agent::PodView& v, const agent::Node& node) {
  nlohmann::json pod = v.record.pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  auto& meta = pod["metadata"];
  meta["creationTimestamp"] = agent::Rfc3339(v.record.created);
  if (v.record.owner_kind == "DaemonSet") {
    meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                {"kind", "DaemonSet"},
                                {"name", v.record.owner_name},
                                {"controller", true},
                                {"blockOwnerDeletion", true}}};
  }
  pod["spec"]["nodeName"] = node.name;
  pod["status"] = agent::ApiPodStatus(v.status);
  if (v.lost) {
    pod["status"]["phase"] = "Unknown";
    pod["status"]["reason"] = "SupervisorLost";
    pod["status"]["message"] = "the pod's supervisor is gone; `hostprocess apply` restarts it";
  }
  return pod;
}

nlohmann::json DaemonSetObject(const agent::DaemonSetView& v) {
  nlohmann::json ds = v.object;
  ds["apiVersion"] = "apps/v1";
  ds["kind"] = "DaemonSet";
  ds["metadata"]["creationTimestamp"] = agent::Rfc3339(v.created);
  ds["status"] = {{"currentNumberScheduled", v.current},
                  {"desiredNumberScheduled", v.desired},
                  {"numberAvailable", v.available},
                  {"numberMisscheduled", 0},
                  {"numberReady", v.ready},
                  {"observedGeneration", 1},
                  {"updatedNumberScheduled", v.up_to_date}};
  return ds;
}

std::string PodStatusColumn(const agent::PodView& v) {
  if (v.lost && !v.status.terminating) return "Unknown";
  return agent::StatusColumn(v.status);
}

}  // namespace hp::cli
