#include "core/agent/pod_status.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <type_traits>

#include "core/agent/desired.h"
#include "core/base/json.h"
#include "core/base/time.h"

namespace hp::agent {
namespace {

template <typename T>
void Get(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

// The typed reader (DecodePodStatus). `Once` declines a known member that comes twice: the tree
// keeps only the last one, where reading both would merge them.
class Once {
 public:
  bool operator()(int i) {
    uint64_t bit = uint64_t{1} << i;
    if (seen_ & bit) return false;
    seen_ |= bit;
    return true;
  }

 private:
  uint64_t seen_ = 0;
};

bool Read(JsonPull& in, std::string& v) { return in.String(v); }
bool Read(JsonPull& in, bool& v) { return in.Bool(v); }
template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) bool Read(JsonPull& in, T& v) {
  return in.Integer(v);
}
bool Read(JsonPull& in, ContainerState& s);
bool Read(JsonPull& in, ContainerStatus& s);
bool Read(JsonPull& in, Event& e);
template <typename T>
bool Read(JsonPull& in, std::vector<T>& v) {
  std::vector<T> items;
  if (!in.Array([&] { return Read(in, items.emplace_back()); })) return false;
  v = std::move(items);
  return true;
}

bool Read(JsonPull& in, ContainerState& s) {
  Once once;
  return in.Object([&](std::string_view k) {
    if (k == "kind") return once(0) && Read(in, s.kind);
    if (k == "reason") return once(1) && Read(in, s.reason);
    if (k == "message") return once(2) && Read(in, s.message);
    if (k == "exitCode") return once(3) && Read(in, s.exit_code);
    if (k == "signal") return once(4) && Read(in, s.signal);
    if (k == "startedAt") return once(5) && Read(in, s.started_at);
    if (k == "finishedAt") return once(6) && Read(in, s.finished_at);
    if (k == "containerID") return once(7) && Read(in, s.container_id);
    return in.Skip();
  });
}

bool Read(JsonPull& in, ContainerStatus& s) {
  Once once;
  return in.Object([&](std::string_view k) {
    if (k == "name") return once(0) && Read(in, s.name);
    if (k == "image") return once(1) && Read(in, s.image);
    if (k == "imageID") return once(2) && Read(in, s.image_id);
    if (k == "state") return once(3) && Read(in, s.state);
    if (k == "lastState") return once(4) && Read(in, s.last_state.emplace());
    if (k == "ready") return once(5) && Read(in, s.ready);
    if (k == "started") return once(6) && Read(in, s.started);
    if (k == "restartCount") return once(7) && Read(in, s.restart_count);
    if (k == "containerID") return once(8) && Read(in, s.container_id);
    if (k == "pid") return once(9) && Read(in, s.pid);
    return in.Skip();
  });
}

bool Read(JsonPull& in, Event& e) {
  Once once;
  return in.Object([&](std::string_view k) {
    if (k == "type") return once(0) && Read(in, e.type);
    if (k == "reason") return once(1) && Read(in, e.reason);
    if (k == "message") return once(2) && Read(in, e.message);
    if (k == "from") return once(3) && Read(in, e.from);
    if (k == "first") return once(4) && Read(in, e.first);
    if (k == "last") return once(5) && Read(in, e.last);
    if (k == "count") return once(6) && Read(in, e.count);
    return in.Skip();
  });
}

// The events of a row's read (ReadPodStatus without events): not built, but still the shape the
// whole read takes (an array of objects), so that a damaged member fails both reads.
bool SkipEvents(JsonPull& in) {
  return in.Array([&] { return in.Object([&](std::string_view) { return in.Skip(); }); });
}

bool Read(JsonPull& in, PodStatus& s, bool events) {
  Once once;
  return in.Object([&](std::string_view k) {
    if (k == "phase") return once(0) && Read(in, s.phase);
    if (k == "reason") return once(1) && Read(in, s.reason);
    if (k == "message") return once(2) && Read(in, s.message);
    if (k == "startTime") return once(3) && Read(in, s.start_time);
    if (k == "hostIP") return once(4) && Read(in, s.host_ip);
    if (k == "initialized") return once(5) && Read(in, s.initialized);
    if (k == "containersReady") return once(6) && Read(in, s.containers_ready);
    if (k == "ready") return once(7) && Read(in, s.ready);
    if (k == "initContainers") return once(8) && Read(in, s.init_containers);
    if (k == "containers") return once(9) && Read(in, s.containers);
    if (k == "events") return once(10) && (events ? Read(in, s.events) : SkipEvents(in));
    if (k == "supervisorPid") return once(11) && Read(in, s.supervisor_pid);
    if (k == "supervisorStart") return once(12) && Read(in, s.supervisor_start);
    if (k == "supervisorBoot") return once(13) && Read(in, s.supervisor_boot);
    if (k == "podUID") return once(14) && Read(in, s.pod_uid);
    if (k == "cgroupRoot") return once(15) && Read(in, s.job_root);
    if (k == "finished") return once(16) && Read(in, s.finished);
    if (k == "terminating") return once(17) && Read(in, s.terminating);
    if (k == "sandboxRefused") return once(18) && Read(in, s.sandbox_refused);
    if (k == "unscheduled") return once(19) && Read(in, s.unscheduled);
    if (k == "rejected") return once(20) && Read(in, s.rejected);
    if (k == "schedulingMessage") return once(21) && Read(in, s.scheduling_message);
    if (k == "liveContainers") return once(22) && Read(in, s.live_containers);
    if (k == "updated") return once(23) && Read(in, s.updated);
    if (k == "volumeRoot") return once(24) && Read(in, s.volume_root);
    return in.Skip();
  });
}

nlohmann::json ApiState(const ContainerState& s) {
  nlohmann::json inner = nlohmann::json::object();
  if (s.kind == "running") {
    inner["startedAt"] = Rfc3339(s.started_at);
  } else if (s.kind == "terminated") {
    inner["exitCode"] = s.exit_code;
    if (s.signal) inner["signal"] = s.signal;
    if (!s.reason.empty()) inner["reason"] = s.reason;
    if (!s.message.empty()) inner["message"] = s.message;
    if (s.started_at) inner["startedAt"] = Rfc3339(s.started_at);
    inner["finishedAt"] = Rfc3339(s.finished_at);
    if (!s.container_id.empty()) inner["containerID"] = s.container_id;
  } else {
    if (!s.reason.empty()) inner["reason"] = s.reason;
    if (!s.message.empty()) inner["message"] = s.message;
  }
  return nlohmann::json{{s.kind, inner}};
}

nlohmann::json ApiContainers(const std::vector<ContainerStatus>& list) {
  nlohmann::json a = nlohmann::json::array();
  for (const ContainerStatus& c : list) {
    nlohmann::json j{
        {"name", c.name},
        {"image", c.image},
        {"imageID", c.image_id},
        {"ready", c.ready},
        {"started", c.started},
        {"restartCount", c.restart_count},
        {"state", ApiState(c.state)},
        {"lastState", c.last_state ? ApiState(*c.last_state) : nlohmann::json::object()}};
    if (!c.container_id.empty()) j["containerID"] = c.container_id;
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace

void PodStatus::AddEvent(const std::string& type, const std::string& reason,
                         const std::string& message, int64_t now, const std::string& from) {
  agent::AddEvent(events, type, reason, message, now, from);
}

std::optional<std::string> RunningContainerId(const ContainerStatus& c) {
  size_t scheme = c.container_id.find("://");
  if (c.state.kind != "running" || scheme == std::string::npos) return std::nullopt;
  return c.container_id.substr(scheme + 3);
}

void AddEvent(std::vector<Event>& events, const std::string& type, const std::string& reason,
              const std::string& message, int64_t now, const std::string& from) {
  for (Event& e : events) {
    if (e.type == type && e.reason == reason && e.message == message && e.from == from) {
      e.count++;
      e.last = now;
      return;
    }
  }
  events.push_back(Event{type, reason, message, from, now, now, 1});
  if (events.size() > 50) events.erase(events.begin());
}

void to_json(nlohmann::json& j, const ContainerState& s) {
  j = nlohmann::json{{"kind", s.kind},
                     {"reason", s.reason},
                     {"message", s.message},
                     {"exitCode", s.exit_code},
                     {"signal", s.signal},
                     {"startedAt", s.started_at},
                     {"finishedAt", s.finished_at}};
  if (!s.container_id.empty()) j["containerID"] = s.container_id;
}
void from_json(const nlohmann::json& j, ContainerState& s) {
  Get(j, "kind", s.kind);
  Get(j, "reason", s.reason);
  Get(j, "message", s.message);
  Get(j, "exitCode", s.exit_code);
  Get(j, "signal", s.signal);
  Get(j, "startedAt", s.started_at);
  Get(j, "finishedAt", s.finished_at);
  Get(j, "containerID", s.container_id);
}

void to_json(nlohmann::json& j, const ContainerStatus& s) {
  j = nlohmann::json{{"name", s.name},
                     {"image", s.image},
                     {"imageID", s.image_id},
                     {"state", s.state},
                     {"ready", s.ready},
                     {"started", s.started},
                     {"restartCount", s.restart_count},
                     {"containerID", s.container_id},
                     {"pid", s.pid}};
  if (s.last_state) j["lastState"] = *s.last_state;
}
void from_json(const nlohmann::json& j, ContainerStatus& s) {
  Get(j, "name", s.name);
  Get(j, "image", s.image);
  Get(j, "imageID", s.image_id);
  Get(j, "state", s.state);
  if (j.contains("lastState")) s.last_state = j.at("lastState").get<ContainerState>();
  Get(j, "ready", s.ready);
  Get(j, "started", s.started);
  Get(j, "restartCount", s.restart_count);
  Get(j, "containerID", s.container_id);
  Get(j, "pid", s.pid);
}

void to_json(nlohmann::json& j, const Event& e) {
  j = nlohmann::json{{"type", e.type},  {"reason", e.reason}, {"message", e.message},
                     {"from", e.from},  {"first", e.first},   {"last", e.last},
                     {"count", e.count}};
}
void from_json(const nlohmann::json& j, Event& e) {
  Get(j, "type", e.type);
  Get(j, "reason", e.reason);
  Get(j, "message", e.message);
  Get(j, "from", e.from);
  Get(j, "first", e.first);
  Get(j, "last", e.last);
  Get(j, "count", e.count);
}

void to_json(nlohmann::json& j, const PodStatus& s) {
  j = nlohmann::json{{"phase", s.phase},
                     {"reason", s.reason},
                     {"message", s.message},
                     {"startTime", s.start_time},
                     {"hostIP", s.host_ip},
                     {"initialized", s.initialized},
                     {"containersReady", s.containers_ready},
                     {"ready", s.ready},
                     {"initContainers", s.init_containers},
                     {"containers", s.containers},
                     {"events", s.events},
                     {"supervisorPid", s.supervisor_pid},
                     {"supervisorStart", s.supervisor_start},
                     {"supervisorBoot", s.supervisor_boot},
                     {"podUID", s.pod_uid},
                     {"cgroupRoot", s.job_root},
                     {"finished", s.finished},
                     {"terminating", s.terminating},
                     {"sandboxRefused", s.sandbox_refused},
                     {"unscheduled", s.unscheduled},
                     {"rejected", s.rejected},
                     {"schedulingMessage", s.scheduling_message},
                     {"liveContainers", s.live_containers},
                     {"updated", s.updated}};
  if (!s.volume_root.empty()) j["volumeRoot"] = s.volume_root;  // Windows only
}
void from_json(const nlohmann::json& j, PodStatus& s) {
  Get(j, "phase", s.phase);
  Get(j, "reason", s.reason);
  Get(j, "message", s.message);
  Get(j, "startTime", s.start_time);
  Get(j, "hostIP", s.host_ip);
  Get(j, "initialized", s.initialized);
  Get(j, "containersReady", s.containers_ready);
  Get(j, "ready", s.ready);
  Get(j, "initContainers", s.init_containers);
  Get(j, "containers", s.containers);
  Get(j, "events", s.events);
  Get(j, "supervisorPid", s.supervisor_pid);
  Get(j, "supervisorStart", s.supervisor_start);
  Get(j, "supervisorBoot", s.supervisor_boot);
  Get(j, "podUID", s.pod_uid);
  Get(j, "cgroupRoot", s.job_root);
  Get(j, "finished", s.finished);
  Get(j, "terminating", s.terminating);
  Get(j, "sandboxRefused", s.sandbox_refused);
  Get(j, "unscheduled", s.unscheduled);
  Get(j, "rejected", s.rejected);
  Get(j, "schedulingMessage", s.scheduling_message);
  Get(j, "liveContainers", s.live_containers);
  Get(j, "updated", s.updated);
  Get(j, "volumeRoot", s.volume_root);
}

bool DecodePodStatus(std::string_view text, PodStatus& out, bool events) {
  JsonPull in(text);
  PodStatus s;
  if (!Read(in, s, events) || !in.AtEnd()) return false;
  out = std::move(s);
  return true;
}

nlohmann::json ApiPodStatus(const PodStatus& s) {
  if (s.unscheduled) {
    // Not on this node: no conditions but PodScheduled (kube-scheduler's), no container
    // statuses, no IPs.
    nlohmann::json j{{"phase", s.phase}};
    if (!s.scheduling_message.empty()) {
      nlohmann::json c{{"type", "PodScheduled"},
                       {"status", "False"},
                       {"reason", "Unschedulable"},
                       {"message", s.scheduling_message},
                       {"lastProbeTime", nullptr}};
      for (const Event& e : s.events)
        if (e.reason == "FailedScheduling") c["lastTransitionTime"] = Rfc3339(e.first);
      j["conditions"] = nlohmann::json::array({c});
    }
    return j;
  }
  if (s.rejected) {
    // Refused by kubelet's admission: phase, reason and message only.
    nlohmann::json j{{"phase", s.phase}};
    if (!s.reason.empty()) j["reason"] = s.reason;
    if (!s.message.empty()) j["message"] = s.message;
    if (s.start_time) j["startTime"] = Rfc3339(s.start_time);
    return j;
  }
  auto cond = [&](const char* type, bool v) {
    nlohmann::json c{{"type", type}, {"status", v ? "True" : "False"}};
    if (s.start_time) c["lastTransitionTime"] = Rfc3339(s.start_time);
    return c;
  };
  nlohmann::json j{{"phase", s.phase},
                   {"conditions",
                    {cond("Initialized", s.initialized), cond("Ready", s.ready),
                     cond("ContainersReady", s.containers_ready), cond("PodScheduled", true)}},
                   {"hostIP", s.host_ip},
                   {"podIP", s.host_ip},
                   {"podIPs", {{{"ip", s.host_ip}}}},
                   {"containerStatuses", ApiContainers(s.containers)}};
  if (!s.init_containers.empty()) j["initContainerStatuses"] = ApiContainers(s.init_containers);
  if (s.start_time) j["startTime"] = Rfc3339(s.start_time);
  if (!s.reason.empty()) j["reason"] = s.reason;
  if (!s.message.empty()) j["message"] = s.message;
  return j;
}

PodStatus InitialStatus(const nlohmann::json& pod) {
  PodStatus s;
  auto spec = pod.is_object() ? pod.find("spec") : pod.end();
  auto list = [&](const char* name) {
    if (spec == pod.end() || !spec->is_object()) return nlohmann::json::array();
    nlohmann::json l = spec->value(name, nlohmann::json::array());
    return l.is_array() ? l : nlohmann::json::array();
  };
  nlohmann::json init = list("initContainers"), app = list("containers");
  const char* reason = init.empty() ? "ContainerCreating" : "PodInitializing";
  for (const auto* l : {&init, &app}) {
    for (const nlohmann::json& c : *l) {
      ContainerStatus cs;
      if (c.is_object()) {
        cs.name = c.value("name", "");
        cs.image = c.value("image", "");
      }
      cs.state.reason = reason;
      (l == &init ? s.init_containers : s.containers).push_back(std::move(cs));
    }
  }
  s.initialized = init.empty();
  return s;
}

Result<PodStatus> ReadPodStatus(const std::string& path, bool events) {
  ASSIGN_OR_RETURN(std::string text, ReadStateFile(path));
  PodStatus status;
  if (DecodePodStatus(text, status, events)) return status;
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(path, text));
  try {
    status = j.get<PodStatus>();
    if (!events) status.events.clear();  // as the typed reader leaves them
    return status;
  } catch (const nlohmann::json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}\": {}", path, e.what());
  }
}

Status WritePodStatus(const std::string& path, const PodStatus& status) {
  return WriteJsonFileAtomic(path, status);
}

}  // namespace hp::agent
