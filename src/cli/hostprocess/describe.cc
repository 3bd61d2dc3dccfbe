// `hostprocess describe pod|ds NAME`: kubectl describe for this node — the object, its
// containers' states (with last state, restart count, probes), conditions and events. For a
// DaemonSet that does not fit this node it says which selector term or taint did not match.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "core/agent/format.h"
#include "core/base/strings.h"

namespace hp::cli {
namespace {

struct DescribeFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
};

// kubectl describe's "Key:  value" lines: keys padded per block, nested blocks indented.
class Describer {
 public:
  void Line(int indent, const std::string& key, const std::string& value, int width = 0) {
    std::string k = key + ":";
    if (width < static_cast<int>(k.size()) + 2) width = static_cast<int>(k.size()) + 2;
    out_ += std::string(indent * 2, ' ') + fmt::format("{:<{}}{}", k, width, value);
    out_ += "\n";
  }
  void Raw(const std::string& s) { out_ += s; }
  // A kubectl table, each line indented by two spaces (Conditions, Events).
  void IndentedTable(const agent::Table& t) {
    std::string body = t.Render();
    for (size_t pos = 0; pos < body.size();) {
      size_t nl = body.find('\n', pos);
      out_ += "  " + body.substr(pos, nl - pos) + "\n";
      pos = nl == std::string::npos ? body.size() : nl + 1;
    }
  }
  // "Labels:  a=b" then further entries aligned below the first.
  void Map(int indent, const std::string& key, const nlohmann::json& m, int width) {
    if (!m.is_object() || m.empty()) return Line(indent, key, "<none>", width);
    bool first = true;
    for (const auto& [k, v] : m.items()) {
      std::string entry = k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      if (first) {
        Line(indent, key, entry, width);
        first = false;
      } else {
        out_ += std::string(indent * 2 + width, ' ') + entry + "\n";
      }
    }
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

std::string ProbeText(const nlohmann::json& p) {
  std::string what;
  if (p.contains("exec")) {
    std::vector<std::string> cmd = p["exec"].value("command", std::vector<std::string>{});
    what = "exec [" + Join(cmd, " ") + "]";
  } else if (p.contains("httpGet")) {
    const auto& h = p["httpGet"];
    std::string port = h["port"].is_string() ? h["port"].get<std::string>() : h["port"].dump();
    what = fmt::format("http-get {}://{}:{}{}", ToLower(h.value("scheme", "HTTP")),
                       h.value("host", ""), port, h.value("path", "/"));
  } else if (p.contains("tcpSocket")) {
    const auto& t = p["tcpSocket"];
    std::string port = t["port"].is_string() ? t["port"].get<std::string>() : t["port"].dump();
    what = fmt::format("tcp-socket {}:{}", t.value("host", ""), port);
  }
  return fmt::format("{} delay={}s timeout={}s period={}s #success={} #failure={}", what,
                     p.value("initialDelaySeconds", 0), p.value("timeoutSeconds", 1),
                     p.value("periodSeconds", 10), p.value("successThreshold", 1),
                     p.value("failureThreshold", 3));
}

void State(Describer& d, const std::string& key, const agent::ContainerState& s) {
  const int w = 16;
  if (s.kind == "running") {
    d.Line(2, key, "Running", w);
    d.Line(3, "Started", agent::Rfc1123(s.started_at), 14);
  } else if (s.kind == "terminated") {
    d.Line(2, key, "Terminated", w);
    d.Line(3, "Reason", s.reason, 14);
    if (!s.message.empty()) d.Line(3, "Message", s.message, 14);
    d.Line(3, "Exit Code", std::to_string(s.exit_code), 14);
    if (s.started_at) d.Line(3, "Started", agent::Rfc1123(s.started_at), 14);
    d.Line(3, "Finished", agent::Rfc1123(s.finished_at), 14);
  } else {
    d.Line(2, key, "Waiting", w);
    if (!s.reason.empty()) d.Line(3, "Reason", s.reason, 14);
    if (!s.message.empty()) d.Line(3, "Message", s.message, 14);
  }
}

// `placed_nowhere`: the pod is not on this node (unscheduled, or refused by kubelet's
// admission): its containers have no state, as kubectl shows them.
void Containers(Describer& d, const char* title, const nlohmann::json& specs,
                const std::vector<agent::ContainerStatus>& statuses, bool placed_nowhere) {
  if (!specs.is_array() || specs.empty()) return;
  d.Raw(std::string(title) + ":\n");
  const int w = 16;
  for (const auto& c : specs) {
    std::string name = c.value("name", "");
    const agent::ContainerStatus* st = nullptr;
    for (const auto& s : statuses)
      if (s.name == name) st = &s;
    d.Raw("  " + name + ":\n");
    if (!placed_nowhere) d.Line(2, "Container ID", st ? st->container_id : "", w);
    d.Line(2, "Image", c.value("image", ""), w);
    if (!placed_nowhere) d.Line(2, "Image ID", st ? st->image_id : "", w);
    std::vector<std::string> ports;
    for (const auto& p : c.value("ports", nlohmann::json::array())) {
      ports.push_back(
          fmt::format("{}/{}", p.value("containerPort", 0), p.value("protocol", "TCP")));
    }
    d.Line(2, "Port", ports.empty() ? "<none>" : Join(ports, ", "), w);
    d.Line(2, "Host Port", ports.empty() ? "<none>" : Join(ports, ", "), w);
    for (const char* list : {"command", "args"}) {
      if (!c.contains(list)) continue;
      d.Raw(std::string(4, ' ') + (std::string(list) == "command" ? "Command:" : "Args:") + "\n");
      for (const auto& a : c[list]) d.Raw(std::string(6, ' ') + a.get<std::string>() + "\n");
    }
    if (st && !placed_nowhere) {
      State(d, "State", st->state);
      if (st->last_state) State(d, "Last State", *st->last_state);
      d.Line(2, "Ready", st->ready ? "True" : "False", w);
      d.Line(2, "Restart Count", std::to_string(st->restart_count), w);
    }
    auto res = c.value("resources", nlohmann::json::object());
    for (const char* kind : {"limits", "requests"}) {
      if (!res.contains(kind) || res[kind].empty()) continue;
      d.Raw(std::string(4, ' ') + (std::string(kind) == "limits" ? "Limits:" : "Requests:") + "\n");
      for (const auto& [k, v] : res[kind].items()) {
        d.Line(3, k, v.is_string() ? v.get<std::string>() : v.dump(), 10);
      }
    }
    for (const auto& [key, label] :
         {std::pair{"livenessProbe", "Liveness"}, std::pair{"readinessProbe", "Readiness"},
          std::pair{"startupProbe", "Startup"}}) {
      if (c.contains(key)) d.Line(2, label, ProbeText(c[key]), w);
    }
    auto env = c.value("env", nlohmann::json::array());
    if (env.empty()) {
      d.Line(2, "Environment", "<none>", w);
    } else {
      d.Raw("    Environment:\n");
      for (const auto& e : env) {
        std::string v = e.contains("value") ? e.value("value", "")
                                            : "<set to the key or field named in valueFrom>";
        d.Raw(fmt::format("      {}:  {}\n", e.value("name", ""), v));
      }
    }
    auto mounts = c.value("volumeMounts", nlohmann::json::array());
    if (mounts.empty()) {
      d.Line(2, "Mounts", "<none>", w);
    } else {
      d.Raw("    Mounts:\n");
      for (const auto& m : mounts) {
        d.Raw(fmt::format("      {} from {} ({})\n", m.value("mountPath", ""), m.value("name", ""),
                          m.value("readOnly", false) ? "ro" : "rw"));
      }
    }
  }
}

void Events(Describer& d, const std::vector<agent::Event>& events, int64_t now) {
  if (events.empty()) {
    d.Raw("Events:                      <none>\n");
    return;
  }
  d.Raw("Events:\n");
  agent::Table t({"Type", "Reason", "Age", "From", "Message"});
  t.AddRow({"----", "------", "----", "----", "-------"});
  for (const agent::Event& e : events) {
    std::string age = agent::HumanDuration(now - e.last);
    if (e.count > 1) {
      age = fmt::format("{} (x{} over {})", age, e.count, agent::HumanDuration(now - e.first));
    }
    std::string from =
        e.reason == "Scheduled" || e.reason == "FailedScheduling" ? "default-scheduler" : e.from;
    t.AddRow({e.type, e.reason, age, from, e.message});
  }
  d.IndentedTable(t);
}

int DescribePod(agent::Agent& a, const agent::PodView& v) {
  Describer d;
  const int w = 18;
  const nlohmann::json& pod = v.record.pod;
  const nlohmann::json meta = pod.value("metadata", nlohmann::json::object());
  const nlohmann::json spec = pod.value("spec", nlohmann::json::object());
  int64_t now = agent::NowUnixSeconds();
  d.Line(0, "Name", v.name, w);
  d.Line(0, "Namespace", v.ns, w);
  d.Line(0, "Priority", "0", w);
  d.Line(0, "Service Account",
         spec.value("serviceAccountName", spec.value("serviceAccount", std::string("default"))), w);
  const bool unscheduled = v.status.unscheduled;
  std::string bound = spec.value("nodeName", "");  // bound to another node
  d.Line(0, "Node",
         unscheduled ? (bound.empty() ? "<none>" : bound) : a.node().name + "/" + v.status.host_ip,
         w);
  if (!unscheduled) {
    d.Line(0, "Start Time",
           agent::Rfc1123(v.status.start_time ? v.status.start_time : v.record.created), w);
  }
  d.Map(0, "Labels", meta.value("labels", nlohmann::json::object()), w);
  d.Map(0, "Annotations", meta.value("annotations", nlohmann::json::object()), w);
  if (v.lost) {
    d.Line(0, "Status", "Unknown", w);
    d.Line(0, "Reason", "SupervisorLost", w);
    d.Line(0, "Message",
           fmt::format("the pod's supervisor (pid {}) is gone; `hostprocess apply` cleans up and "
                       "restarts the pod",
                       v.status.supervisor_pid),
           w);
  } else {
    d.Line(0, "Status", v.status.terminating ? "Terminating" : v.status.phase, w);
    if (!v.status.reason.empty()) d.Line(0, "Reason", v.status.reason, w);
    if (!v.status.message.empty()) d.Line(0, "Message", v.status.message, w);
  }
  d.Line(0, "IP", v.status.host_ip, w);
  if (v.status.host_ip.empty() || unscheduled || v.status.rejected) {
    d.Line(0, "IPs", "<none>", w);
  } else {
    d.Raw("IPs:\n");
    d.Line(1, "IP", v.status.host_ip, 14);
  }
  if (v.record.owner_kind == "DaemonSet") {
    d.Line(0, "Controlled By", "DaemonSet/" + v.record.owner_name, 16);
  }
  Containers(d, "Init Containers", spec.value("initContainers", nlohmann::json::array()),
             v.status.init_containers, unscheduled || v.status.rejected);
  Containers(d, "Containers", spec.value("containers", nlohmann::json::array()),
             v.status.containers, unscheduled || v.status.rejected);
  if (v.status.rejected || (unscheduled && v.status.scheduling_message.empty())) {
    // kubelet's refusal and a pod bound elsewhere have no conditions.
  } else if (unscheduled) {
    d.Raw("Conditions:\n");
    agent::Table cond({"Type", "Status"});
    cond.AddRow({"PodScheduled", "False"});
    d.IndentedTable(cond);
  } else {
    d.Raw("Conditions:\n");
    agent::Table cond({"Type", "Status"});
    auto tf = [](bool b) { return std::string(b ? "True" : "False"); };
    cond.AddRow({"Initialized", tf(v.status.initialized)});
    cond.AddRow({"Ready", tf(v.status.ready)});
    cond.AddRow({"ContainersReady", tf(v.status.containers_ready)});
    cond.AddRow({"PodScheduled", "True"});
    d.IndentedTable(cond);
  }
  auto volumes = spec.value("volumes", nlohmann::json::array());
  if (volumes.empty()) {
    d.Line(0, "Volumes", "<none>", w);
  } else {
    d.Raw("Volumes:\n");
    for (const auto& vol : volumes) {
      d.Raw("  " + vol.value("name", "") + ":\n");
      for (const auto& [k, val] : vol.items()) {
        if (k == "name") continue;
        d.Line(2, "Type", k, 10);
        for (const auto& [fk, fv] : val.items()) {
          d.Line(2, fk, fv.is_string() ? fv.get<std::string>() : fv.dump(), 10);
        }
      }
    }
  }
  d.Line(0, "QoS Class", agent::QOSClassOf(pod), 29);
  d.Map(0, "Node-Selectors", spec.value("nodeSelector", nlohmann::json::object()), 29);
  auto tolerations = spec.value("tolerations", nlohmann::json::array());
  if (tolerations.empty()) {
    d.Line(0, "Tolerations", "<none>", 29);
  } else {
    bool first = true;
    for (const auto& t : tolerations) {
      std::string s = t.value("key", "");
      if (t.value("operator", "") != "Exists" && t.contains("value"))
        s += "=" + t.value("value", "");
      if (t.contains("effect")) s += ":" + t.value("effect", "");
      if (t.value("operator", "") == "Exists" && s.empty()) s = "op=Exists";
      if (first) {
        d.Line(0, "Tolerations", s, 29);
        first = false;
      } else {
        d.Raw(std::string(29, ' ') + s + "\n");
      }
    }
  }
  Events(d, v.status.events, now);
  Print(stdout, d.str());
  return 0;
}

int DescribeDaemonSet(const agent::DaemonSetView& v, const std::vector<agent::PodView>& pods) {
  Describer d;
  const int w = 16;
  const auto& obj = v.object;
  auto tmpl = obj["spec"].value("template", nlohmann::json::object());
  auto sel = obj["spec"]
                 .value("selector", nlohmann::json::object())
                 .value("matchLabels", nlohmann::json::object());
  std::vector<std::string> s;
  for (const auto& [k, val] : sel.items()) s.push_back(k + "=" + val.get<std::string>());
  d.Line(0, "Name", v.name, w);
  d.Line(0, "Selector", Join(s, ","), w);
  auto ns = tmpl["spec"].value("nodeSelector", nlohmann::json::object());
  std::vector<std::string> nsel;
  for (const auto& [k, val] : ns.items()) nsel.push_back(k + "=" + val.get<std::string>());
  d.Line(0, "Node-Selector", nsel.empty() ? "<none>" : Join(nsel, ","), w);
  d.Map(0, "Labels", obj["metadata"].value("labels", nlohmann::json::object()), w);
  d.Map(0, "Annotations", obj["metadata"].value("annotations", nlohmann::json::object()), w);
  d.Raw(fmt::format("Desired Number of Nodes Scheduled: {}\n", v.desired));
  d.Raw(fmt::format("Current Number of Nodes Scheduled: {}\n", v.current));
  d.Raw(fmt::format("Number of Nodes Scheduled with Up-to-date Pods: {}\n", v.up_to_date));
  d.Raw(fmt::format("Number of Nodes Scheduled with Available Pods: {}\n", v.available));
  d.Raw("Number of Nodes Misscheduled: 0\n");
  int running = 0, waiting = 0, succeeded = 0, failed = 0;
  for (const auto& p : pods) {
    if (p.record.owner_kind != "DaemonSet" || p.record.owner_name != v.name || p.ns != v.ns)
      continue;
    const std::string& ph = p.status.phase;
    running += ph == "Running";
    waiting += ph == "Pending";
    succeeded += ph == "Succeeded";
    failed += ph == "Failed";
  }
  d.Raw(fmt::format("Pods Status:  {} Running / {} Waiting / {} Succeeded / {} Failed\n", running,
                    waiting, succeeded, failed));
  if (!v.fit.fits) {
    // Why this node gets no pod: kube-scheduler's reason, then each failing term.
    d.Line(0, "Scheduling", v.fit.Message(), w);
    for (const auto& why : v.fit.details) d.Raw(std::string(w, ' ') + why + "\n");
  }
  d.Raw("Pod Template:\n");
  d.Map(1, "Labels",
        tmpl.value("metadata", nlohmann::json::object()).value("labels", nlohmann::json::object()),
        w);
  d.Raw("  Containers:\n");
  for (const auto& c : tmpl["spec"].value("containers", nlohmann::json::array())) {
    d.Raw("   " + c.value("name", "") + ":\n");
    d.Line(2, "Image", c.value("image", ""), 12);
  }
  d.Raw("Events:            <none>\n");
  Print(stdout, d.str());
  return 0;
}

int RunDescribe(const GlobalOptions& global, DescribeFlags f) {
  std::string kind = PodOrDaemonSetKind(f.resource, f.names);
  if (kind.empty()) return 1;
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  auto pods = (*agent)->ListPods();
  if (!pods) return Fail(pods.error());
  int rc = 0;
  bool first = true;
  auto matches = [&](const std::string& ns, const std::string& name) {
    if (ns != f.ns.ns) return false;
    if (f.names.empty()) return true;
    return std::find(f.names.begin(), f.names.end(), name) != f.names.end();
  };
  std::vector<std::string> seen;
  if (kind == "pods") {
    for (const auto& p : *pods) {
      if (!matches(p.ns, p.name)) continue;
      if (!first) Print(stdout, "\n\n");
      first = false;
      seen.push_back(p.name);
      rc |= DescribePod(**agent, p);
    }
  } else {
    auto list = (*agent)->ListDaemonSets();
    if (!list) return Fail(list.error());
    for (const auto& ds : *list) {
      if (!matches(ds.ns, ds.name)) continue;
      if (!first) Print(stdout, "\n\n");
      first = false;
      seen.push_back(ds.name);
      rc |= DescribeDaemonSet(ds, *pods);
    }
  }
  for (const auto& n : f.names) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) {
      rc = NotFound(kind == "pods" ? "pods" : "daemonsets.apps", n);
    }
  }
  return rc;
}

CommandRegistration describe_verb(32, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<DescribeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "describe", "Show a pod or DaemonSet in detail, with events (kubectl describe)");
  cmd->add_option("resource", flags->resource, "pods (po) or daemonsets (ds), or TYPE/NAME")
      ->required();
  cmd->add_option("names", flags->names, "Names (default: all in the namespace)");
  AddNamespaceFlags(cmd, flags->ns, false);
  cmd->callback([flags, &global, &exit_code] { exit_code = RunDescribe(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
