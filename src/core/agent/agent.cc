// hp/agent: the agent's API: open (node settings), apply, delete and the listings. Creating and
// stopping pods is in spawn.cc, bringing the node to what was applied in reconcile.cc.
#include "core/agent/agent.h"

#include <fmt/format.h>
#include <unistd.h>

#include <exception>
#include <map>

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
#include "core/sys/process.h"

namespace hp::agent {
namespace {

struct KindInfo {
  k8s::Kind kind;
  const char* dir;       // desired/<dir>
  const char* singular;  // kubectl's `pod/x created`
  const char* plural;    // kubectl's `pods "x" deleted`
  bool namespaced;
};
constexpr KindInfo kKinds[] = {
    {k8s::Kind::kPod, "pods", "pod", "pods", true},
    {k8s::Kind::kDaemonSet, "daemonsets", "daemonset.apps", "daemonsets.apps", true},
    {k8s::Kind::kNamespace, "namespaces", "namespace", "namespaces", false},
    {k8s::Kind::kConfigMap, "configmaps", "configmap", "configmaps", true},
    {k8s::Kind::kSecret, "secrets", "secret", "secrets", true},
    {k8s::Kind::kServiceAccount, "serviceaccounts", "serviceaccount", "serviceaccounts", true},
};
const KindInfo& InfoOf(k8s::Kind k) {
  for (const KindInfo& i : kKinds)
    if (i.kind == k) return i;
  return kKinds[0];
}
const KindInfo* InfoOfDir(const std::string& dir) {
  for (const KindInfo& i : kKinds)
    if (dir == i.dir) return &i;
  return nullptr;
}

// The run key ("<ns>_<pod>") of a DaemonSet's pod: `<name>-<5 chars>` of its template's hash.
std::string DaemonPodKey(nlohmann::json obj) {
  std::string ns = NamespaceOf(obj);
  std::string name = obj["metadata"].value("name", "");
  return ObjectKey(ns, DaemonPodName(ns, name, DaemonSetRevision(obj)));
}

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

Status Agent::CheckPodNames(const std::vector<k8s::Object>& objects) {
  // Run keys of the pods DaemonSets own and of bare Pods, with their owners' names: the stored
  // objects, then the applied ones (which replace stored ones of the same key).
  std::map<std::string, std::string> ds_pods, pods;  // pod key -> owner's kubectl name
  std::map<std::string, std::string> ds_of, pod_of;  // object key -> pod key
  auto add_ds = [&](const nlohmann::json& obj) {
    std::string key = ObjectKey(NamespaceOf(obj), obj["metadata"].value("name", ""));
    if (auto old = ds_of.find(key); old != ds_of.end()) ds_pods.erase(old->second);
    std::string pod = DaemonPodKey(obj);
    ds_of[key] = pod;
    ds_pods[pod] = fmt::format("daemonset.apps \"{}\"", obj["metadata"].value("name", ""));
  };
  auto add_pod = [&](const nlohmann::json& obj) {
    std::string key = ObjectKey(NamespaceOf(obj), obj["metadata"].value("name", ""));
    pod_of[key] = key;
    pods[key] = fmt::format("pod \"{}\"", obj["metadata"].value("name", ""));
  };
  ASSIGN_OR_RETURN(auto stored_ds, ListDesired("daemonsets"));
  for (const auto& e : stored_ds) add_ds(e["object"]);
  // A stored Pod holds its key ("<ns>_<name>": neither holds a '_'), damaged or not: its file
  // is not read (on a node with many pods, every apply read them all twice).
  ASSIGN_OR_RETURN(auto stored_pods, store_.ListDesiredKeys("pods"));
  for (const std::string& key : stored_pods) {
    pod_of[key] = key;
    pods[key] = fmt::format("pod \"{}\"", SplitObjectKey(key).name);
  }
  for (const k8s::Object& o : objects) {
    if (o.kind != k8s::Kind::kDaemonSet && o.kind != k8s::Kind::kPod) continue;
    nlohmann::json raw = nlohmann::json::parse(o.raw_json, nullptr, false);
    if (!raw.is_object() || !raw["metadata"].is_object()) continue;  // Apply reports it
    if (o.kind == k8s::Kind::kDaemonSet) {
      add_ds(raw);
    } else {
      add_pod(raw);
    }
  }
  for (const auto& [key, owner] : pods) {
    auto ds = ds_pods.find(key);
    if (ds == ds_pods.end()) continue;
    // Both would run as one pod: the later would silently stop the other.
    KeyParts parts = SplitObjectKey(key);
    return Err(ErrorCode::kAlreadyExists,
               "{} and {} would both run the pod \"{}\" (namespace \"{}\"): rename the Pod", owner,
               ds->second, parts.name, parts.ns);
  }
  return Ok();
}

Result<std::vector<std::string>> Agent::Apply(const std::vector<k8s::Object>& objects) {
  ASSIGN_OR_RETURN(FileLock lock, store_.Lock());
  TRY(store_.RemoveStaleTempFiles());
  TRY(CheckPodNames(objects));
  // Each object as it will be stored, with what is stored now: every update is checked before
  // anything is written (one refusal stores nothing).
  struct Applying {
    const KindInfo* info;
    std::string name, key;
    nlohmann::json raw;
    std::optional<nlohmann::json> existing;
    nlohmann::json applied;  // AppliedObject(*existing): what was applied before
  };
  std::vector<Applying> list;
  for (const k8s::Object& o : objects) {
    Applying a{&InfoOf(o.kind), o.metadata().name, o.metadata().name,
               nullptr,         std::nullopt,      nullptr};
    try {
      a.raw = nlohmann::json::parse(o.raw_json);
    } catch (const std::exception& e) {
      return Err(ErrorCode::kInvalidArgument, "{}: object is not JSON (decode with keep_raw): {}",
                 o.source().file, e.what());
    }
    if (a.info->namespaced) {
      std::string ns = NamespaceOf(a.raw);
      a.raw["metadata"]["namespace"] = ns;
      a.key = ObjectKey(ns, a.name);
    }
    auto existing = store_.GetDesired(a.info->dir, a.key);
    if (!existing) {  // damaged: replaced by what is applied now
      Warn(existing.error().ToString() + ": replaced");
    } else if (*existing) {
      a.existing = std::move(**existing);
    }
    // What the server set (status, uid, generation, resourceVersion, the scheduler's nodeName)
    // is no change of the user's (re-applying `get -o yaml`).
    if (a.existing) a.applied = AppliedObject(*a.existing);
    const nlohmann::json& stored = a.applied;
    k8s::StripServerSetFields(a.raw, stored, node_.name);
    if (o.kind == k8s::Kind::kPod) {
      // The API server's update rules.
      if (a.existing) {
        k8s::field::ErrorList errs = k8s::ValidatePodUpdate(stored, a.raw);
        if (!errs.empty())
          return Err(ErrorCode::kInvalidArgument, "{}",
                     k8s::field::KubectlInvalid("Pod", a.name, errs));
      }
    }
    list.push_back(std::move(a));
  }
  std::vector<std::string> lines;
  for (Applying& a : list) {
    bool same = false;
    if (a.existing) {
      same = a.applied == a.raw;
      if (!same && a.info->kind == k8s::Kind::kPod) {
        // Equal once defaulted: an omitted default is the default.
        nlohmann::json x = a.applied, y = a.raw;
        k8s::DefaultPodJson(x);
        k8s::DefaultPodJson(y);
        same = x == y;
      }
    }
    DesiredWrite w = PlanDesiredWrite(std::move(a.raw), a.existing, same);
    if (!w.record.is_null()) TRY(store_.PutDesired(a.info->dir, a.key, w.record));
    lines.push_back(fmt::format("{}/{} {}", a.info->singular, a.name, w.verb));
  }
  TRY(ReconcileLocked());
  return lines;
}

Result<PodView> Agent::ReadPod(const std::string& key, bool head) {
  PodView v;
  v.key = key;
  v.dir = store_.PodDir(key);
  std::string record_path = v.dir + "/" + kPodFile;
  ASSIGN_OR_RETURN(v.record, head ? ReadPodRecordHead(record_path) : ReadPodRecord(record_path));
  const nlohmann::json& meta = v.record.pod["metadata"];
  v.ns = meta.value("namespace", "default");
  v.name = meta.value("name", "");
  v.uid = meta.value("uid", "");
  auto st = ReadPodStatus(v.dir + "/" + kStatusFile);
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
  for (const DeleteRequest& r : requests) {
    const KindInfo* info = InfoOfDir(r.kind);
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
    if (running_pod) pods.push_back(key);  // a DaemonSet's pod comes back, as in a cluster
    out.push_back(fmt::format("{} \"{}\" deleted", info->singular, r.name));
  }
  Status s = RemovePods(pods);
  if (s) s = ReconcileLocked();
  if (!s) {
    for (auto& r : out)
      if (r) r = Err(s.error());
  }
  return out;
}

void Agent::ReadPods(const std::vector<std::string>& keys, bool heads, std::vector<PodView>& views,
                     std::vector<char>& read) {
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
        auto v = ReadPod(keys[i], heads);
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

Result<std::vector<PodView>> Agent::ListPods(bool heads) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.ListPodKeys());
  // One array of views, read into in place and closed up over the pods that could not be read:
  // each new page costs a fault (~13 us on the VMs measured), and a view is over a kilobyte, so
  // a second array, or one grown by doubling, cost more than reading the files (issue 16).
  std::vector<PodView> views;
  std::vector<char> read;
  ReadPods(keys, heads, views, read);
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
