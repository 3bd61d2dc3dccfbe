#include "core/k8s/defaults_json.h"

#include <string>

#include "core/k8s/defaults.h"

namespace hp::k8s {
namespace {

using nlohmann::json;

void Default(json& obj, const char* key, json value) {
  if (!obj.contains(key) || obj[key].is_null()) obj[key] = std::move(value);
}

void DefaultContainer(json& c, bool host_network) {
  if (!c.is_object()) return;
  Default(c, "imagePullPolicy", DefaultImagePullPolicy(c.value("image", "")));
  Default(c, "terminationMessagePath", "/dev/termination-log");
  Default(c, "terminationMessagePolicy", "File");
  Default(c, "resources", json::object());
  json& res = c["resources"];
  if (res.is_object() && res.contains("limits") && res["limits"].is_object()) {
    for (const auto& [name, q] : res["limits"].items()) {
      if (!res.contains("requests") || !res["requests"].is_object())
        res["requests"] = json::object();
      Default(res["requests"], name.c_str(), q);
    }
  }
  if (c.contains("ports") && c["ports"].is_array()) {
    for (json& p : c["ports"]) {
      if (!p.is_object()) continue;
      Default(p, "protocol", "TCP");
      if (host_network && p.contains("containerPort")) Default(p, "hostPort", p["containerPort"]);
    }
  }
}

bool Tolerated(const json& tolerations, const std::string& key) {
  if (!tolerations.is_array()) return false;
  for (const json& t : tolerations) {
    if (!t.is_object()) continue;
    std::string effect = t.value("effect", "");
    if (!effect.empty() && effect != "NoExecute") continue;
    std::string k = t.value("key", "");
    if (k.empty() && t.value("operator", "") == "Exists") return true;
    if (k == key) return true;
  }
  return false;
}

}  // namespace

void DefaultPodSpecJson(json& spec) {
  if (!spec.is_object()) return;
  bool host_network = spec.value("hostNetwork", false);
  Default(spec, "restartPolicy", "Always");
  Default(spec, "dnsPolicy", "ClusterFirst");
  Default(spec, "schedulerName", "default-scheduler");
  Default(spec, "securityContext", json::object());
  Default(spec, "terminationGracePeriodSeconds", 30);
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (json& c : spec[list]) DefaultContainer(c, host_network);
  }
}

void DefaultPodJson(json& pod) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) return;
  json& spec = pod["spec"];
  DefaultPodSpecJson(spec);
  std::string sa = spec.value("serviceAccountName", spec.value("serviceAccount", "default"));
  if (sa.empty()) sa = "default";
  spec["serviceAccountName"] = sa;
  spec["serviceAccount"] = sa;
  Default(spec, "enableServiceLinks", true);
  Default(spec, "priority", 0);
  Default(spec, "preemptionPolicy", "PreemptLowerPriority");
  // DefaultTolerationSeconds admission plugin.
  Default(spec, "tolerations", json::array());
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    if (Tolerated(spec["tolerations"], key)) continue;
    spec["tolerations"].push_back({{"effect", "NoExecute"},
                                   {"key", key},
                                   {"operator", "Exists"},
                                   {"tolerationSeconds", 300}});
  }
}

void DefaultDaemonSetJson(json& ds) {
  if (!ds.is_object() || !ds.contains("spec") || !ds["spec"].is_object()) return;
  json& spec = ds["spec"];
  Default(spec, "revisionHistoryLimit", 10);
  Default(spec, "updateStrategy", json::object());
  if (spec["updateStrategy"].is_object()) {
    json& us = spec["updateStrategy"];
    Default(us, "type", "RollingUpdate");
    if (us["type"] == "RollingUpdate") {
      Default(us, "rollingUpdate", json::object());
      Default(us["rollingUpdate"], "maxSurge", 0);
      Default(us["rollingUpdate"], "maxUnavailable", 1);
    }
  }
  if (spec.contains("template") && spec["template"].is_object() &&
      spec["template"].contains("spec"))
    DefaultPodSpecJson(spec["template"]["spec"]);
}

}  // namespace hp::k8s
