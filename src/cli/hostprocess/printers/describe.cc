#include "cli/hostprocess/printers/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cli/hostprocess/printers/table.h"
#include "core/agent/naming.h"
#include "core/agent/schedule.h"
#include "core/base/strings.h"

namespace hp::cli {

std::string IntOrString(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// DescribeProbe's text.
static std::string ProbeText(const nlohmann::json& p) {
  std::string attrs = fmt::format("delay={}s timeout={}s period={}s #success={} #failure={}",
                                  p.value("initialDelaySeconds", 0), p.value("timeoutSeconds", 1),
                                  p.value("periodSeconds", 10), p.value("successThreshold", 1),
                                  p.value("failureThreshold", 3));
  if (p.contains("exec")) {
    std::vector<std::string> cmd = p["exec"].value("command", std::vector<std::string>{});
    return "exec [" + Join(cmd, " ") + "] " + attrs;
  }
  if (p.contains("httpGet")) {
    const auto& h = p["httpGet"];
    return fmt::format("http-get {}://{}:{}{} {}", ToLower(h.value("scheme", "HTTP")),
                       h.value("host", ""), IntOrString(h["port"]), h.value("path", ""), attrs);
  }
  if (p.contains("tcpSocket")) {
    const auto& t = p["tcpSocket"];
    return fmt::format("tcp-socket {}:{} {}", t.value("host", ""), IntOrString(t["port"]), attrs);
  }
  return "unknown " + attrs;
}

static std::string DescribeTime(int64_t t) {
  return t ? Rfc1123(t) : "Mon, 01 Jan 0001 00:00:00 +0000";  // Go's zero time
}

static void State(Describer& d, const std::string& key, const agent::ContainerState& s) {
  if (s.kind == "running") {
    d.W(2, key + ":\tRunning\n");
    d.W(3, "Started:\t" + DescribeTime(s.started_at) + "\n");
  } else if (s.kind == "terminated") {
    d.W(2, key + ":\tTerminated\n");
    if (!s.reason.empty()) d.W(3, "Reason:\t" + s.reason + "\n");
    if (!s.message.empty()) d.W(3, "Message:\t" + s.message + "\n");
    d.W(3, fmt::format("Exit Code:\t{}\n", s.exit_code));
    if (s.signal > 0) d.W(3, fmt::format("Signal:\t{}\n", s.signal));
    d.W(3, "Started:\t" + DescribeTime(s.started_at) + "\n");
    d.W(3, "Finished:\t" + DescribeTime(s.finished_at) + "\n");
  } else {
    d.W(2, key + ":\tWaiting\n");
    if (!s.reason.empty()) d.W(3, "Reason:\t" + s.reason + "\n");
  }
}

// The env's fieldRef values kubectl's resolver reads from the pod.

static void Env(Describer& d, const nlohmann::json& c, const FieldResolver& resolve) {
  auto from = c.value("envFrom", nlohmann::json::array());
  if (!from.empty()) {
    d.W(2, "Environment Variables from:\n");
    for (const auto& e : from) {
      bool cm = e.contains("configMapRef");
      const auto& ref = cm ? e["configMapRef"] : e.value("secretRef", nlohmann::json::object());
      std::string kind = cm ? "ConfigMap" : "Secret";
      std::string prefix = e.value("prefix", "");
      if (!prefix.empty()) kind += " with prefix '" + prefix + "'";
      d.W(3, fmt::format("{}\t{}\tOptional: {}\n", ref.value("name", ""), kind,
                         ref.value("optional", false)));
    }
  }
  auto env = c.value("env", nlohmann::json::array());
  if (env.empty()) {
    d.W(2, "Environment:\t<none>\n");
    return;
  }
  d.W(2, "Environment:\n");
  for (const auto& e : env) {
    std::string name = e.value("name", "");
    if (!e.contains("valueFrom")) {
      std::vector<std::string> lines = Split(e.value("value", ""), '\n');
      if (lines.empty()) lines.push_back("");
      for (size_t i = 0; i < lines.size(); i++)
        d.W(3, (i == 0 ? name + ":\t" : "\t") + lines[i] + "\n");
      continue;
    }
    const auto& vf = e["valueFrom"];
    if (vf.contains("fieldRef")) {
      std::string path = vf["fieldRef"].value("fieldPath", "");
      d.W(3, fmt::format("{}:\t{} ({}:{})\n", name, resolve ? resolve(path) : "",
                         vf["fieldRef"].value("apiVersion", "v1"), path));
    } else if (vf.contains("resourceFieldRef")) {
      std::string res = vf["resourceFieldRef"].value("resource", "");
      auto r = c.value("resources", nlohmann::json::object());
      std::string kind = res.substr(0, res.find('.')), what = res.substr(res.find('.') + 1);
      auto q = r.value(kind, nlohmann::json::object());
      std::string value = q.contains(what) ? IntOrString(q[what]) : "";
      if (value.empty() && (res == "limits.cpu" || res == "limits.memory"))
        value = "node allocatable";
      d.W(3, fmt::format("{}:\t{} ({})\n", name, value, res));
    } else if (vf.contains("secretKeyRef")) {
      const auto& r = vf["secretKeyRef"];
      d.W(3, fmt::format("{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n", name,
                         r.value("key", ""), r.value("name", ""), r.value("optional", false)));
    } else if (vf.contains("configMapKeyRef")) {
      const auto& r = vf["configMapKeyRef"];
      d.W(3, fmt::format("{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n", name,
                         r.value("key", ""), r.value("name", ""), r.value("optional", false)));
    }
  }
}

// The service account volume the API server's admission adds to a pod (plan.h PlanMounts
// mounts its files): kube-api-access-<5 chars>, unless automountServiceAccountToken is false
// or a volume is mounted at its path. "" when there is none.
std::string ServiceAccountVolume(const nlohmann::json& spec, const std::string& uid) {
  if (!spec.is_object()) return "";
  auto automount = spec.find("automountServiceAccountToken");
  if (automount != spec.end() && automount->is_boolean() && !automount->get<bool>()) return "";
  // A record damaged on disk (a container list that is no list) shows what it can.
  auto items = [](const nlohmann::json& j, const char* key) {
    auto it = j.is_object() ? j.find(key) : j.end();
    return it != j.end() && it->is_array() ? *it : nlohmann::json::array();
  };
  for (const char* list : {"initContainers", "containers"})
    for (const auto& c : items(spec, list))
      for (const auto& m : items(c, "volumeMounts"))
        if (m.is_object() && m.value("mountPath", nlohmann::json()) ==
                                 "/var/run/secrets/kubernetes.io/serviceaccount")
          return "";
  uint32_t h = agent::Fnv32a(uid);
  std::string suffix;
  for (int i = 0; i < 5; i++) {
    suffix += agent::kNameAlphabet[h % agent::kNameAlphabet.size()];
    h /= agent::kNameAlphabet.size();
  }
  return "kube-api-access-" + suffix;
}

// describeContainers: `space` is "  " inside a pod template.
void Containers(Describer& d, const std::string& title, const nlohmann::json& specs,
                const std::vector<agent::ContainerStatus>* statuses, const std::string& space,
                const std::string& sa_volume, const FieldResolver& resolve,
                const ContainerBlocks* blocks) {
  if (!specs.is_array() || specs.empty()) {
    if (title == "Containers") d.W(0, space + title + ": <none>\n");
    return;
  }
  d.W(0, space + title + ":\n");
  for (const auto& c : specs) {
    std::string name = c.value("name", "");
    const agent::ContainerStatus* st = nullptr;
    if (statuses)
      for (const auto& s : *statuses)
        if (s.name == name) st = &s;
    d.W(1, (space.empty() ? "" : " ") + name + ":\n");
    if (st) d.W(2, "Container ID:\t" + st->container_id + "\n");
    d.W(2, "Image:\t" + c.value("image", "") + "\n");
    if (st) d.W(2, "Image ID:\t" + st->image_id + "\n");
    std::vector<std::string> ports, host_ports;
    for (const auto& p : c.value("ports", nlohmann::json::array())) {
      std::string proto = p.value("protocol", "TCP");
      ports.push_back(fmt::format("{}/{}", p.value("containerPort", 0), proto));
      host_ports.push_back(fmt::format("{}/{}", p.value("hostPort", 0), proto));
    }
    d.W(2, (ports.size() > 1 ? "Ports:\t" : "Port:\t") +
               (ports.empty() ? "<none>" : Join(ports, ",")) + "\n");
    d.W(2, (host_ports.size() > 1 ? "Host Ports:\t" : "Host Port:\t") +
               (host_ports.empty() ? "<none>" : Join(host_ports, ",")) + "\n");
    for (const char* list : {"command", "args"}) {
      if (!c.contains(list) || c[list].empty()) continue;
      d.W(2, std::string(list) == "command" ? "Command:\n" : "Args:\n");
      for (const auto& a : c[list])
        for (const auto& line : Split(a.get<std::string>(), '\n')) d.W(3, line + "\n");
    }
    if (st) {
      State(d, "State", st->state);
      if (st->last_state && st->last_state->kind == "terminated")
        State(d, "Last State", *st->last_state);
      d.W(2, std::string("Ready:\t") + (st->ready ? "True" : "False") + "\n");
      d.W(2, fmt::format("Restart Count:\t{}\n", st->restart_count));
    }
    const auto block = blocks ? blocks->find(name) : ContainerBlocks::const_iterator{};
    if (blocks && block != blocks->end()) {
      d.W(2, block->second.title + ":\t" + block->second.value + "\n");
      for (const auto& [k, v] : block->second.lines) d.W(3, k + ":\t" + v + "\n");
    }
    auto res = c.value("resources", nlohmann::json::object());
    for (const char* kind : {"limits", "requests"}) {
      if (!res.contains(kind) || res[kind].empty()) continue;
      d.W(2, std::string(kind) == "limits" ? "Limits:\n" : "Requests:\n");
      for (const auto& [k, v] : res[kind].items()) d.W(3, k + ":\t" + IntOrString(v) + "\n");
    }
    for (const auto& [key, label] :
         {std::pair{"livenessProbe", "Liveness"}, std::pair{"readinessProbe", "Readiness"},
          std::pair{"startupProbe", "Startup"}}) {
      if (c.contains(key)) d.W(2, std::string(label) + ":\t" + ProbeText(c[key]) + "\n");
    }
    Env(d, c, resolve);
    // Mounts, sorted by path as kubectl sorts them, the service account's included.
    std::vector<std::pair<std::string, std::string>> mounts;
    for (const auto& m : c.value("volumeMounts", nlohmann::json::array())) {
      std::string flags = m.value("readOnly", false) ? "ro" : "rw";
      if (!m.value("subPath", "").empty()) flags += ",path=\"" + m.value("subPath", "") + "\"";
      mounts.push_back(
          {m.value("mountPath", ""),
           fmt::format("{} from {} ({})", m.value("mountPath", ""), m.value("name", ""), flags)});
    }
    if (!sa_volume.empty()) {
      std::string path = "/var/run/secrets/kubernetes.io/serviceaccount";
      mounts.push_back({path, path + " from " + sa_volume + " (ro)"});
    }
    std::sort(mounts.begin(), mounts.end());
    if (mounts.empty()) {
      d.W(2, "Mounts:\t<none>\n");
    } else {
      d.W(2, "Mounts:\n");
      for (const auto& m : mounts) d.W(3, m.second + "\n");
    }
  }
}

// A projected source's `optional`, as describe prints a *bool: `true`, `false`, or `<nil>`.
static std::string OptionalField(const nlohmann::json& source) {
  auto it = source.find("optional");
  return it == source.end() ? "<nil>" : it->dump();
}

// describeVolumes with kubectl's wording per volume type.
void Volumes(Describer& d, const nlohmann::json& volumes, const std::string& space,
             const std::string& sa_volume) {
  if (volumes.empty() && sa_volume.empty()) {
    d.W(0, space + "Volumes:\t<none>\n");
    return;
  }
  d.W(0, space + "Volumes:\n");
  std::string ni = space.empty() ? "" : " ";
  auto optional = [](const nlohmann::json& v) {
    return v.value("optional", false) ? "true" : "false";
  };
  for (const auto& vol : volumes) {
    d.W(1, ni + vol.value("name", "") + ":\n");
    if (vol.contains("hostPath")) {
      const auto& h = vol["hostPath"];
      d.W(2, "Type:\tHostPath (bare host directory volume)\n");
      d.W(2, "Path:\t" + h.value("path", "") + "\n");
      d.W(2, "HostPathType:\t" + h.value("type", "") + "\n");
    } else if (vol.contains("emptyDir")) {
      const auto& e = vol["emptyDir"];
      d.W(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
      d.W(2, "Medium:\t" + e.value("medium", "") + "\n");
      d.W(2, "SizeLimit:\t" + (e.contains("sizeLimit") ? IntOrString(e["sizeLimit"]) : "<unset>") +
                 "\n");
    } else if (vol.contains("configMap")) {
      const auto& c = vol["configMap"];
      d.W(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
      d.W(2, "Name:\t" + c.value("name", "") + "\n");
      d.W(2, std::string("Optional:\t") + optional(c) + "\n");
    } else if (vol.contains("secret")) {
      const auto& c = vol["secret"];
      d.W(2, "Type:\tSecret (a volume populated by a Secret)\n");
      d.W(2, "SecretName:\t" + c.value("secretName", "") + "\n");
      d.W(2, std::string("Optional:\t") + optional(c) + "\n");
    } else if (vol.contains("downwardAPI")) {
      d.W(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
      d.W(2, "Items:\n");
      for (const auto& it : vol["downwardAPI"].value("items", nlohmann::json::array())) {
        std::string from =
            it.contains("fieldRef")
                ? it["fieldRef"].value("fieldPath", "")
                : it.value("resourceFieldRef", nlohmann::json::object()).value("resource", "");
        d.W(3, from + " -> " + it.value("path", "") + "\n");
      }
    } else if (vol.contains("projected")) {
      d.W(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      for (const auto& src : vol["projected"].value("sources", nlohmann::json::array())) {
        if (src.contains("secret")) {
          d.W(2, "SecretName:\t" + src["secret"].value("name", "") + "\n");
          d.W(2, "SecretOptionalName:\t" + OptionalField(src["secret"]) + "\n");
        } else if (src.contains("downwardAPI")) {
          d.W(2, "DownwardAPI:\ttrue\n");
        } else if (src.contains("configMap")) {
          d.W(2, "ConfigMapName:\t" + src["configMap"].value("name", "") + "\n");
          d.W(2, "ConfigMapOptional:\t" + OptionalField(src["configMap"]) + "\n");
        } else if (src.contains("serviceAccountToken")) {
          d.W(2, fmt::format("TokenExpirationSeconds:\t{}\n",
                             src["serviceAccountToken"].value("expirationSeconds", 3600)));
        }
      }
    } else {
      for (const auto& [k, val] : vol.items())
        if (k != "name") d.W(2, "Type:\t" + k + " (a volume of this node's unsupported kind)\n");
    }
  }
  if (!sa_volume.empty()) {
    d.W(1, ni + sa_volume + ":\n");
    d.W(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
    d.W(2, "TokenExpirationSeconds:\t3607\n");
    d.W(2, "ConfigMapName:\tkube-root-ca.crt\n");
    d.W(2, "ConfigMapOptional:\t<nil>\n");
    d.W(2, "DownwardAPI:\ttrue\n");
  }
}

// printTolerationsMultiline, sorted by key.
void Tolerations(Describer& d, const std::string& title, nlohmann::json tolerations) {
  if (!tolerations.is_array() || tolerations.empty()) {
    d.W(0, title + ":\t<none>\n");
    return;
  }
  std::vector<nlohmann::json> list(tolerations.begin(), tolerations.end());
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return a.value("key", "") < b.value("key", "");
  });
  bool first = true;
  for (const auto& t : list) {
    std::string s = first ? title + ":\t" : "\t";
    first = false;
    std::string key = t.value("key", ""), value = t.value("value", ""),
                effect = t.value("effect", "");
    s += key;
    if (!value.empty()) s += "=" + value;
    if (!effect.empty()) s += ":" + effect;
    if (t.value("operator", "") == "Exists" && value.empty())
      s += key.empty() && effect.empty() ? "op=Exists" : " op=Exists";
    if (t.contains("tolerationSeconds"))
      s += fmt::format(" for {}s", t["tolerationSeconds"].get<int64_t>());
    d.W(0, s + "\n");
  }
}

void Events(Describer& d, const std::vector<agent::Event>& events, int64_t now) {
  if (events.empty()) {
    d.W(0, "Events:\t<none>\n");
    return;
  }
  d.W(0, "Events:\n");
  d.W(1, "Type\tReason\tAge\tFrom\tMessage\n");
  d.W(1, "----\t------\t----\t----\t-------\n");
  for (const agent::Event& e : events) {
    std::string age = e.count > 1 ? LastSeenColumn(e, now) : HumanDuration(now - e.first);
    d.W(1, fmt::format("{}\t{}\t{}\t{}\t{}\n", e.type, e.reason, age, EventSource(e),
                       std::string(TrimSpace(e.message))));
  }
}
void AddDaemonSetTolerations(nlohmann::json& spec) {
  auto& tolerations = spec["tolerations"];
  if (!tolerations.is_array()) tolerations = nlohmann::json::array();
  for (const k8s::Toleration& t :
       agent::DaemonSetDefaultTolerations(spec.value("hostNetwork", false))) {
    nlohmann::json j{{"effect", t.effect}, {"key", t.key}, {"operator", t.op}};
    if (std::find(tolerations.begin(), tolerations.end(), j) == tolerations.end())
      tolerations.push_back(j);
  }
}

std::string DescribePodText(const PodDescription& p, int64_t now) {
  Describer d;
  const nlohmann::json& pod = p.pod;
  const agent::PodStatus& status = *p.status;
  const nlohmann::json meta = pod.value("metadata", nlohmann::json::object());
  const std::string name = meta.value("name", ""), ns = meta.value("namespace", "default"),
                    uid = meta.value("uid", "");
  const nlohmann::json spec = pod.value("spec", nlohmann::json::object());
  d.W(0, "Name:\t" + name + "\n");
  d.W(0, "Namespace:\t" + ns + "\n");
  d.W(0, fmt::format("Priority:\t{}\n", spec.value("priority", 0)));
  if (!spec.value("priorityClassName", "").empty())
    d.W(0, "Priority Class Name:\t" + spec.value("priorityClassName", "") + "\n");
  d.W(0, "Service Account:\t" + spec.value("serviceAccountName", std::string("default")) + "\n");
  const bool unscheduled = status.unscheduled;
  std::string bound = spec.value("nodeName", "");
  d.W(0,
      "Node:\t" +
          (unscheduled ? (bound.empty() ? "<none>" : bound) : p.node_name + "/" + status.host_ip) +
          "\n");
  if (!unscheduled && status.start_time)
    d.W(0, "Start Time:\t" + Rfc1123(status.start_time) + "\n");
  d.Multiline("Labels", meta.value("labels", nlohmann::json::object()));
  nlohmann::json annotations = meta.value("annotations", nlohmann::json::object());
  annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  d.Multiline("Annotations", annotations);
  if (p.lost) {
    d.W(0, "Status:\tUnknown\n");
    d.W(0, "Reason:\tSupervisorLost\n");
    d.W(0, fmt::format("Message:\tthe pod's supervisor (pid {}) is gone; `hostprocess apply` "
                       "cleans up and restarts the pod\n",
                       status.supervisor_pid));
  } else {
    d.W(0, std::string("Status:\t") + (status.terminating ? "Terminating" : status.phase) + "\n");
    if (!status.reason.empty()) d.W(0, "Reason:\t" + status.reason + "\n");
    if (!status.message.empty()) d.W(0, "Message:\t" + status.message + "\n");
  }
  bool has_ip = !status.host_ip.empty() && !unscheduled && !status.rejected;
  d.W(0, "IP:\t" + (has_ip ? status.host_ip : std::string()) + "\n");
  if (!has_ip) {
    d.W(0, "IPs:\t<none>\n");
  } else {
    d.W(0, "IPs:\n");
    d.W(1, "IP:\t" + status.host_ip + "\n");
  }
  if (p.owner_kind == "DaemonSet") d.W(0, "Controlled By:\tDaemonSet/" + p.owner_name + "\n");
  const std::string& sa = p.sa_volume;
  std::string node_name = p.node_name;
  FieldResolver resolve = [&](const std::string& path) -> std::string {
    if (path == "metadata.name") return name;
    if (path == "metadata.namespace") return ns;
    if (path == "metadata.uid") return uid;
    if (path == "spec.nodeName") return unscheduled ? "" : node_name;
    if (path == "spec.serviceAccountName") return spec.value("serviceAccountName", "");
    if (path == "status.hostIP" || path == "status.podIP") return status.host_ip;
    for (const char* m : {"labels", "annotations"}) {
      std::string prefix = std::string("metadata.") + m + "['";
      if (path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + 2) {
        std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
        return meta.value(m, nlohmann::json::object()).value(key, "");
      }
    }
    return "";
  };
  bool placed = !unscheduled && !status.rejected;
  Containers(d, "Init Containers", spec.value("initContainers", nlohmann::json::array()),
             placed ? &status.init_containers : nullptr, "", sa, resolve, &p.blocks);
  Containers(d, "Containers", spec.value("containers", nlohmann::json::array()),
             placed ? &status.containers : nullptr, "", sa, resolve, &p.blocks);
  auto conditions = pod["status"].value("conditions", nlohmann::json::array());
  if (!conditions.empty()) {
    d.W(0, "Conditions:\n");
    d.W(1, "Type\tStatus\n");
    for (const auto& c : conditions)
      d.W(1, c.value("type", "") + " \t" + c.value("status", "") + " \n");
  }
  Volumes(d, spec.value("volumes", nlohmann::json::array()), "", sa);
  d.W(0, "QoS Class:\t" + p.qos_class + "\n");
  d.Multiline("Node-Selectors", spec.value("nodeSelector", nlohmann::json::object()));
  Tolerations(d, "Tolerations", spec.value("tolerations", nlohmann::json::array()));
  Events(d, status.events, now);
  return d.str();
}

std::string DescribeDaemonSetText(const DaemonSetDescription& ds, int64_t now) {
  Describer d;
  const nlohmann::json& obj = ds.object;
  nlohmann::json spec = obj.value("spec", nlohmann::json::object());
  nlohmann::json meta = obj.value("metadata", nlohmann::json::object());
  auto tmpl = spec.value("template", nlohmann::json::object());
  auto tspec = tmpl.value("spec", nlohmann::json::object());
  auto tmeta = tmpl.value("metadata", nlohmann::json::object());
  auto labels_of = [](const nlohmann::json& m, const std::string& none) {
    std::vector<std::string> parts;
    for (const auto& [k, val] : m.items()) parts.push_back(k + "=" + IntOrString(val));
    return parts.empty() ? none : Join(parts, ",");
  };
  d.W(0, "Name:\t" + meta.value("name", "") + "\n");
  d.W(0, "Selector:\t" +
             labels_of(spec.value("selector", nlohmann::json::object())
                           .value("matchLabels", nlohmann::json::object()),
                       "") +
             "\n");
  d.W(0, "Node-Selector:\t" +
             labels_of(tspec.value("nodeSelector", nlohmann::json::object()), "<none>") + "\n");
  d.Multiline("Labels", meta.value("labels", nlohmann::json::object()));
  nlohmann::json annotations = meta.value("annotations", nlohmann::json::object());
  annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  d.Multiline("Annotations", annotations);
  d.W(0, fmt::format("Desired Number of Nodes Scheduled: {}\n", ds.desired));
  d.W(0, fmt::format("Current Number of Nodes Scheduled: {}\n", ds.current));
  d.W(0, fmt::format("Number of Nodes Scheduled with Up-to-date Pods: {}\n", ds.up_to_date));
  d.W(0, fmt::format("Number of Nodes Scheduled with Available Pods: {}\n", ds.available));
  d.W(0, "Number of Nodes Misscheduled: 0\n");
  d.W(0, fmt::format("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n",
                     ds.running, ds.waiting, ds.succeeded, ds.failed));
  if (!ds.fit.fits) {
    // Why this node gets no pod (not in kubectl's describe: a cluster would have other
    // nodes): kube-scheduler's reason, then each failing term.
    d.W(0, "Scheduling:\t" + ds.fit.Message() + "\n");
    for (const auto& why : ds.fit.details) d.W(0, "\t" + why + "\n");
  }
  // DescribePodTemplate.
  d.W(0, "Pod Template:\n");
  d.Multiline("  Labels", tmeta.value("labels", nlohmann::json::object()));
  if (!tmeta.value("annotations", nlohmann::json::object()).empty())
    d.Multiline("  Annotations", tmeta["annotations"]);
  if (!tspec.value("serviceAccountName", "").empty())
    d.W(1, "Service Account:\t" + tspec.value("serviceAccountName", "") + "\n");
  Containers(d, "Init Containers", tspec.value("initContainers", nlohmann::json::array()), nullptr,
             "  ", "", nullptr);
  Containers(d, "Containers", tspec.value("containers", nlohmann::json::array()), nullptr, "  ", "",
             nullptr);
  Volumes(d, tspec.value("volumes", nlohmann::json::array()), "  ", "");
  if (!tspec.value("priorityClassName", "").empty())
    d.W(1, "Priority Class Name:\t" + tspec.value("priorityClassName", "") + "\n");
  d.Multiline("  Node-Selectors", tspec.value("nodeSelector", nlohmann::json::object()));
  Tolerations(d, "  Tolerations", tspec.value("tolerations", nlohmann::json::array()));
  // The controller's events (SuccessfulCreate and SuccessfulDelete of its pods).
  Events(d, ds.events, now);
  return d.str();
}

}  // namespace hp::cli
