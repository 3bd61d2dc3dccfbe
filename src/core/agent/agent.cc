// hp/agent: the agent's API: open (node settings), apply, delete and the listings. Creating and
// stopping pods is in spawn.cc, bringing the node to what was applied in reconcile.cc.
#include "core/agent/agent.h"

#include <fmt/format.h>
#include <unistd.h>

#include <exception>
#include <map>

#include "core/agent/apply_plan.h"
#include "core/agent/naming.h"
#include "core/agent/node_flags.h"
#include "core/agent/supervisor.h"
#include "core/base/parallel.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/decode.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/pod_update.h"
#include "core/sys/file.h"
#include "core/sys/owner.h"
#include "core/sys/process.h"

namespace hp::agent {
namespace {

nlohmann::json SettingsJson(const NodeSettings& s) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : s.node.extra_labels) labels[k] = v;
  nlohmann::json taints = nlohmann::json::array();
  for (const Taint& t : s.node.taints) {
    taints.push_back({{"key", t.key}, {"value", t.value}, {"effect", t.effect}});
  }
  return {{"hostnameOverride", s.node.hostname_override},
          {"labels", labels},
          {"taints", taints},
          {"cgroupRoot", s.job_root},
          {"containerLogMaxSize", s.log_max_size},
          {"containerLogMaxFiles", s.log_max_files},
          {"featureGates",
           {{k8s::kWindowsHostProcessContainers, s.gates.windows_host_process_containers}}}};
}

NodeSettings SettingsFromJson(const nlohmann::json& j) {
  NodeSettings s;
  s.node.hostname_override = j.value("hostnameOverride", "");
  if (j.contains("labels")) {
    for (const auto& [k, v] : j.at("labels").items()) {
      s.node.extra_labels.emplace_back(k, v.get<std::string>());
    }
  }
  if (j.contains("taints")) {
    for (const auto& t : j.at("taints")) {
      s.node.taints.push_back({t.value("key", ""), t.value("value", ""), t.value("effect", "")});
    }
  }
  s.job_root = j.value("cgroupRoot", s.job_root);
  s.log_max_size = j.value("containerLogMaxSize", s.log_max_size);
  s.log_max_files = j.value("containerLogMaxFiles", s.log_max_files);
  if (auto g = j.find("featureGates"); g != j.end() && g->is_object())
    s.gates.windows_host_process_containers =
        g->value(k8s::kWindowsHostProcessContainers, s.gates.windows_host_process_containers);
  return s;
}

}  // namespace

Result<std::optional<NodeSettings>> ReadNodeSettings(const std::string& path) {
  if (!sys::Exists(path)) return std::nullopt;
  ASSIGN_OR_RETURN(nlohmann::json j, ReadJsonFile(path));
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) return Err(ErrorCode::kInvalidArgument, "\"{}\": not an object", path);
  try {
    return SettingsFromJson(j);
  } catch (const nlohmann::json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}\": {}", path, e.what());
  }
}

Result<std::unique_ptr<Agent>> Agent::Open(AgentOptions options) {
  std::unique_ptr<Agent> a(new Agent(std::move(options)));
  TRY(sys::CheckStateRoot(a->options_.root));
  TRY(sys::MkdirAll(a->options_.root, 0755));
  a->boot_id_ = a->options_.boot_id;
  if (a->boot_id_.empty()) {
    ASSIGN_OR_RETURN(a->boot_id_, KernelBootId());
  }
  FileLock lock;
  TRY(a->RecoverRunState(lock));
  auto stored = ReadNodeSettings(a->store_.NodeConfigPath());
  bool changed = stored && !stored->has_value();  // none yet: the defaults are written
  if (stored && stored->has_value()) a->settings_ = **stored;
  if (!stored) {
    // Damaged: the defaults serve (each pod's record keeps its own cgroup root); the file is
    // rewritten when a flag sets a value.
    a->Warn(stored.error().ToString() + ": using the default node settings");
  }
  // The settings as stored, to write them again only when a flag changes one: `apply
  // --cgroup-root R` at every call rewrote the file and synced it twice for nothing.
  nlohmann::json as_stored =
      stored && stored->has_value() ? SettingsJson(a->settings_) : nlohmann::json();
  const AgentOptions& o = a->options_;
  if (o.job_root) {
    TRY_CTX(CheckCgroupRoot(*o.job_root), "--cgroup-root");
    a->settings_.job_root = *o.job_root, changed = true;
  }
  if (o.node_labels) {
    ASSIGN_OR_RETURN_CTX(a->settings_.node.extra_labels, CheckedNodeLabels(*o.node_labels),
                         "--node-labels");
    changed = true;
  }
  if (o.taints) {
    ASSIGN_OR_RETURN_CTX(a->settings_.node.taints, CheckedTaints(*o.taints),
                         "--register-with-taints");
    changed = true;
  }
  if (o.hostname_override) {
    ASSIGN_OR_RETURN_CTX(a->settings_.node.hostname_override,
                         CheckedHostnameOverride(*o.hostname_override), "--hostname-override");
    changed = true;
  }
  if (o.log_max_size) a->settings_.log_max_size = *o.log_max_size, changed = true;
  if (o.log_max_files) a->settings_.log_max_files = *o.log_max_files, changed = true;
  if (o.feature_gates) {
    ASSIGN_OR_RETURN(a->settings_.gates, k8s::ParseFeatureGates(*o.feature_gates));
    changed = true;
  }
  if (changed && SettingsJson(a->settings_) != as_stored) {
    if (!lock.held()) {
      ASSIGN_OR_RETURN(lock, a->store_.Lock());
    }
    TRY(WriteJsonFileAtomic(a->store_.NodeConfigPath(), SettingsJson(a->settings_), true));
  }
  lock.Unlock();
  a->node_ = LocalNode(a->settings_.node);
  if (a->options_.self_exe.empty()) {
    ASSIGN_OR_RETURN(a->options_.self_exe, sys::SelfExe());
  }
  return a;
}

Result<std::vector<std::string>> Agent::Apply(const std::vector<k8s::Object>& objects) {
  ASSIGN_OR_RETURN(FileLock lock, store_.Lock());
  TRY(store_.RemoveStaleTempFiles());
  TRY(CheckPodNames(store_, objects));
  // Every update is checked before anything is written (one refusal stores nothing).
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(std::vector<ApplyStep> steps, PlanApply(store_, objects, node_.name, &warnings));
  for (const std::string& w : warnings) Warn(w);
  std::vector<std::string> lines;
  std::vector<DesiredObjects::Put> puts;
  for (const ApplyStep& step : steps) {
    if (!step.write.record.is_null())
      puts.push_back({step.kind->dir, step.key, &step.write.record});
    lines.push_back(step.Line());
  }
  TRY(store_.PutDesired(puts));
  TRY(ReconcileLocked());
  return lines;
}

Result<PodView> Agent::ReadPod(const std::string& key, PodDetail detail) {
  bool head = detail != PodDetail::kWhole;
  PodView v;
  v.key = key;
  v.dir = store_.PodDir(key);
  std::string record_path = v.dir + "/" + kPodFile;
  ASSIGN_OR_RETURN(v.record, head ? ReadPodRecordHead(record_path) : ReadPodRecord(record_path));
  const nlohmann::json& meta = v.record.pod["metadata"];
  v.ns = meta.value("namespace", "default");
  v.name = meta.value("name", "");
  v.uid = meta.value("uid", "");
  auto st = ReadPodStatus(v.dir + "/" + kStatusFile, /*events=*/detail != PodDetail::kRow);
  if (!st && head) {
    // The status a pod has before its supervisor writes one is made from its spec.
    ASSIGN_OR_RETURN(v.record, ReadPodRecord(record_path));
  }
  v.status = st ? std::move(*st) : InitialStatus(v.record);
  SetSupervisor(v);
  if (sys::Exists(v.dir + "/stop")) v.status.terminating = true;
  return v;
}

std::vector<Result<std::string>> Agent::Delete(const std::vector<DeleteRequest>& requests) {
  std::vector<Result<std::string>> out;
  auto lock = store_.Lock();
  if (!lock) {
    for (size_t i = 0; i < requests.size(); i++) out.push_back(Err(lock.error()));
    return out;
  }
  // Every object first, then every pod stopped at once (in parallel), then one reconcile.
  std::vector<std::string> pods;
  std::map<std::string, int64_t> grace;
  for (const DeleteRequest& r : requests) {
    const StoredKind* info = StoredKindOfDir(r.kind);
    if (!info) {
      out.push_back(Err(ErrorCode::kInvalidArgument,
                        "the server doesn't have a resource type \"{}\"", r.kind));
      continue;
    }
    std::string key = info->namespaced ? ObjectKey(r.ns, r.name) : r.name;
    auto desired = store_.GetDesired(info->dir, key);
    if (!desired) {
      // Damaged: deleted all the same, saying what was wrong with it.
      Warn(desired.error().ToString() + ": deleted");
      desired = std::optional<nlohmann::json>(nlohmann::json::object());
    }
    bool running_pod = r.kind == "pods" && sys::IsDir(store_.PodDir(key));
    if (!*desired && !running_pod) {
      out.push_back(Err(ErrorCode::kNotFound, "{} \"{}\" not found", info->plural, r.name));
      continue;
    }
    if (*desired) {
      if (auto s = store_.DeleteDesired(info->dir, key); !s) {
        out.push_back(Err(std::move(s).error()));
        continue;
      }
    }
    if (running_pod) {
      pods.push_back(key);  // a DaemonSet's pod comes back, as in a cluster
      if (r.grace_seconds) grace[key] = *r.grace_seconds;
    }
    out.push_back(fmt::format("{} \"{}\" deleted", info->singular, r.name));
  }
  Status s = RemovePods(pods, grace);
  if (s) s = ReconcileLocked();
  if (!s) {
    for (auto& r : out)
      if (r) r = Err(s.error());
  }
  return out;
}

void Agent::ReadPods(const std::vector<std::string>& keys, PodDetail detail,
                     std::vector<PodView>& views, std::vector<char>& read) {
  // A pod is three small reads (record, status, the supervisor's /proc entry) and two parses:
  // on a node with many pods they run on every core (`get pods` with 200 pods, `apply` and
  // `delete`'s reconcile, issue 16). An exception (a record of an unexpected shape) leaves this
  // call as it did when the reads were sequential, not from a worker thread.
  views.clear();
  views.resize(keys.size());
  read.assign(keys.size(), 0);
  std::vector<std::exception_ptr> thrown(keys.size());
  ParallelSlices(keys.size(), WorkerCount(keys.size(), 32), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      try {
        auto v = ReadPod(keys[i], detail);
        if (!v) continue;
        views[i] = std::move(*v);
        read[i] = 1;
      } catch (...) {
        thrown[i] = std::current_exception();
      }
    }
  });
  for (const std::exception_ptr& e : thrown) {
    if (e) std::rethrow_exception(e);
  }
}

Result<std::vector<PodView>> Agent::ListPods(PodDetail detail) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.ListPodKeys());
  // One array of views, read into in place and closed up over the pods that could not be read:
  // each new page costs a fault (~13 us on the VMs measured), and a view is over a kilobyte, so
  // a second array, or one grown by doubling, cost more than reading the files (issue 16).
  std::vector<PodView> views;
  std::vector<char> read;
  ReadPods(keys, detail, views, read);
  size_t kept = 0;
  for (size_t i = 0; i < views.size(); i++) {
    if (!read[i]) continue;
    if (kept != i) views[kept] = std::move(views[i]);
    kept++;
  }
  views.erase(views.begin() + static_cast<std::ptrdiff_t>(kept), views.end());
  return views;
}

Result<std::optional<PodView>> Agent::GetPod(const std::string& ns, const std::string& name) {
  std::string key = ObjectKey(ns, name);
  if (!sys::IsDir(store_.PodDir(key))) return std::optional<PodView>();
  ASSIGN_OR_RETURN(PodView v, ReadPod(key));
  return std::optional<PodView>(std::move(v));
}

Result<std::vector<DaemonSetView>> Agent::ListDaemonSets() { return DaemonSetViews(); }

}  // namespace hp::agent
