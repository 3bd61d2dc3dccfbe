#include "core/agent/agent.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/agent/cleanup.h"
#include "core/agent/naming.h"
#include "core/agent/node_flags.h"
#include "core/agent/supervisor.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/image/plugin.h"
#include "core/image/store.h"
#include "core/k8s/decode.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/pod_update.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::agent {
namespace {

// The supervisor mounts image layers but cannot unpack them (it loads no libarchive; import and
// pull unpack every layer): a layer of the pod's images left packed (say, by an interrupted
// pull) is unpacked here, before the supervisor starts. Errors are the supervisor's to report,
// in the pod's status. The image module (plugin.h) is loaded only for a layer still packed.
void UnpackImageLayers(const std::string& root, const nlohmann::json& pod) {
  auto store = image::Store::Open(root);
  if (!store || !pod.contains("spec")) return;
  for (const char* list : {"initContainers", "containers"}) {
    auto it = pod["spec"].find(list);
    if (it == pod["spec"].end() || !it->is_array()) continue;
    for (const auto& c : *it) {
      auto image = c.find("image");
      if (image == c.end() || !image->is_string()) continue;
      auto rec = store->Resolve(image->get<std::string>());
      if (!rec) continue;
      for (const auto& layer : rec->layers) (void)image::UnpackLayer(*store, layer);
    }
  }
}

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

std::string NamespaceOf(const nlohmann::json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "default";
  std::string ns = m->value("namespace", "");
  return ns.empty() ? "default" : ns;
}

// The run key ("<ns>_<pod>") of a DaemonSet's pod: `<name>-<5 chars>` of its template's hash.
std::string DaemonPodKey(nlohmann::json obj) {
  std::string ns = NamespaceOf(obj);
  nlohmann::json tmpl = obj["spec"].is_object()
                            ? obj["spec"].value("template", nlohmann::json::object())
                            : nlohmann::json::object();
  std::string name = obj["metadata"].value("name", "");
  return ObjectKey(ns, DaemonPodName(ns, name, ControllerRevisionHash(tmpl.dump())));
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
          {"cgroupRoot", s.cgroup_root},
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
  s.cgroup_root = j.value("cgroupRoot", s.cgroup_root);
  s.log_max_size = j.value("containerLogMaxSize", s.log_max_size);
  s.log_max_files = j.value("containerLogMaxFiles", s.log_max_files);
  if (auto g = j.find("featureGates"); g != j.end() && g->is_object())
    s.gates.windows_host_process_containers =
        g->value(k8s::kWindowsHostProcessContainers, s.gates.windows_host_process_containers);
  return s;
}

// The grace period the pod was given (terminationGracePeriodSeconds, default 30).
int64_t GraceSeconds(const PodRecord& r) {
  auto spec = r.pod.find("spec");
  if (spec == r.pod.end()) return 30;
  auto g = spec->find("terminationGracePeriodSeconds");
  if (g == spec->end() || !g->is_number_integer()) return 30;
  return std::max<int64_t>(g->get<int64_t>(), 0);
}

// A status for a pod whose supervisor has not written one yet.
PodStatus InitialStatus(const PodRecord& r) {
  PodStatus s;
  auto spec = r.pod.value("spec", nlohmann::json::object());
  bool has_init = spec.contains("initContainers") && !spec["initContainers"].empty();
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list)) continue;
    bool init = std::string(list) == "initContainers";
    for (const auto& c : spec[list]) {
      ContainerStatus cs;
      cs.name = c.value("name", "");
      cs.image = c.value("image", "");
      cs.state.reason =
          init ? "PodInitializing" : (has_init ? "PodInitializing" : "ContainerCreating");
      (init ? s.init_containers : s.containers).push_back(cs);
    }
  }
  s.initialized = !has_init;
  return s;
}

}  // namespace

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

Result<std::unique_ptr<Agent>> Agent::Open(AgentOptions options) {
  std::unique_ptr<Agent> a(new Agent(std::move(options)));
  TRY(sys::MkdirAll(a->options_.root, 0755));
  a->boot_id_ = a->options_.boot_id;
  if (a->boot_id_.empty()) {
    ASSIGN_OR_RETURN(a->boot_id_, KernelBootId());
  }
  FileLock lock;
  TRY(a->RecoverRunState(lock));
  auto stored = sys::Exists(a->store_.NodeConfigPath()) ? ReadJsonFile(a->store_.NodeConfigPath())
                                                        : Result<nlohmann::json>(nullptr);
  bool changed = stored && stored->is_null();  // none yet: the defaults are written
  if (stored && stored->is_object()) {
    try {
      a->settings_ = SettingsFromJson(*stored);
    } catch (const nlohmann::json::exception& e) {
      stored = Err(ErrorCode::kInvalidArgument, "\"{}\": {}", a->store_.NodeConfigPath(), e.what());
    }
  } else if (stored && !stored->is_null()) {
    stored = Err(ErrorCode::kInvalidArgument, "\"{}\": not an object", a->store_.NodeConfigPath());
  }
  if (!stored) {
    // Damaged: the defaults serve (each pod's record keeps its own cgroup root); the file is
    // rewritten when a flag sets a value.
    a->Warn(stored.error().ToString() + ": using the default node settings");
  }
  const AgentOptions& o = a->options_;
  if (o.cgroup_root) {
    TRY_CTX(CheckCgroupRoot(*o.cgroup_root), "--cgroup-root");
    a->settings_.cgroup_root = *o.cgroup_root, changed = true;
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
  if (changed) {
    if (!lock.held()) {
      ASSIGN_OR_RETURN(lock, a->store_.Lock());
    }
    TRY(WriteJsonFileAtomic(a->store_.NodeConfigPath(), SettingsJson(a->settings_), true));
  }
  lock.Unlock();
  a->node_ = LocalNode(a->settings_.node);
  if (a->options_.self_exe.empty()) {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return SysErr("readlink \"/proc/self/exe\"");
    a->options_.self_exe.assign(buf, static_cast<size_t>(n));
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
  ASSIGN_OR_RETURN(auto stored_pods, ListDesired("pods"));
  for (const auto& e : stored_pods) add_pod(e["object"]);
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
    return Err(ErrorCode::kAlreadyExists,
               "{} and {} would both run the pod \"{}\" (namespace \"{}\"): rename the Pod", owner,
               ds->second, key.substr(key.find('_') + 1), key.substr(0, key.find('_')));
  }
  return Ok();
}

namespace {

// The stored object without what the server set on it (generation, resourceVersion): what was
// applied.
nlohmann::json StoredObject(const nlohmann::json& entry) {
  nlohmann::json obj = entry.value("object", nlohmann::json());
  if (obj.is_object() && obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("generation");
    obj["metadata"].erase("resourceVersion");
  }
  return obj;
}

}  // namespace

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
  };
  std::vector<Applying> list;
  for (const k8s::Object& o : objects) {
    Applying a{&InfoOf(o.kind), o.metadata().name, o.metadata().name, nullptr, std::nullopt};
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
    nlohmann::json stored = a.existing ? StoredObject(*a.existing) : nlohmann::json();
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
    std::string verb = "created";
    int64_t created = NowUnixSeconds();
    int64_t generation = 1;
    if (a.existing) {
      created = a.existing->value("created", created);
      nlohmann::json stored = StoredObject(*a.existing);
      bool same = stored == a.raw;
      if (!same && a.info->kind == k8s::Kind::kPod) {
        // Equal once defaulted: an omitted default is the default.
        nlohmann::json x = stored, y = a.raw;
        k8s::DefaultPodJson(x);
        k8s::DefaultPodJson(y);
        same = x == y;
      }
      verb = same ? "unchanged" : "configured";
      // metadata.generation: bumped by a change of the spec (the API server's rule for
      // DaemonSets, and for Pods since 1.33).
      const nlohmann::json& old_meta = (*a.existing)["object"]["metadata"];
      generation = old_meta.is_object() ? old_meta.value("generation", int64_t{1}) : 1;
      if (stored.value("spec", nlohmann::json()) != a.raw.value("spec", nlohmann::json()))
        generation++;
    }
    if (verb != "unchanged") {
      a.raw["metadata"]["generation"] = generation;
      // resourceVersion: opaque and growing at every write of the object (etcd's revision in a
      // cluster; here the write's time in microseconds).
      a.raw["metadata"]["resourceVersion"] =
          std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
      TRY(store_.PutDesired(a.info->dir, a.key, {{"object", a.raw}, {"created", created}}));
    }
    lines.push_back(fmt::format("{}/{} {}", a.info->singular, a.name, verb));
  }
  TRY(ReconcileLocked());
  return lines;
}

Status Agent::Reconcile() {
  ASSIGN_OR_RETURN(FileLock lock, store_.Lock());
  TRY(store_.RemoveStaleTempFiles());
  return ReconcileLocked();
}

Result<std::vector<nlohmann::json>> Agent::ListDesired(const std::string& kind) {
  std::vector<Store::Unreadable> bad;
  ASSIGN_OR_RETURN(auto list, store_.ListDesired(kind, &bad));
  for (const Store::Unreadable& b : bad) {
    if (unreadable_.insert(b.kind + "/" + b.key).second) {
      Warn(fmt::format("{}: skipped (`delete` removes it)", b.error));
    }
  }
  return list;
}

Result<std::vector<std::pair<std::string, PodRecord>>> Agent::WantedPods() {
  // The objects a pod may refer to, by namespace.
  std::map<std::string, std::vector<nlohmann::json>> by_ns;
  for (const char* kind : {"configmaps", "secrets", "serviceaccounts"}) {
    ASSIGN_OR_RETURN(auto list, ListDesired(kind));
    for (auto& e : list) {
      nlohmann::json obj = e.value("object", nlohmann::json::object());
      by_ns[NamespaceOf(obj)].push_back(std::move(obj));
    }
  }
  auto base = [&](const std::string& ns) {
    PodRecord r;
    r.objects = by_ns[ns];
    r.created = NowUnixSeconds();
    r.cgroup_root = settings_.cgroup_root;
    r.log_max_size = settings_.log_max_size;
    r.log_max_files = settings_.log_max_files;
    return r;
  };
  std::vector<std::pair<std::string, PodRecord>> out;
  ASSIGN_OR_RETURN(auto daemonsets, ListDesired("daemonsets"));
  for (const auto& e : daemonsets) {
    nlohmann::json obj = e.value("object", nlohmann::json::object());
    std::string ns = NamespaceOf(obj);
    auto decoded = k8s::DecodeString(obj.dump(), "desired daemonset");
    if (!decoded || decoded->objects.empty() || !decoded->objects[0].daemon_set()) continue;
    const k8s::DaemonSet& ds = *decoded->objects[0].daemon_set();
    if (!CheckFit(ds.spec.template_.spec, node_, true).fits) continue;
    nlohmann::json tmpl = obj["spec"].value("template", nlohmann::json::object());
    std::string revision = ControllerRevisionHash(tmpl.dump());
    std::string name = DaemonPodName(ns, ds.metadata.name, revision);  // as DaemonPodKey
    PodRecord r = base(ns);
    nlohmann::json meta = tmpl.value("metadata", nlohmann::json::object());
    meta["name"] = name;
    meta["namespace"] = ns;
    meta.erase("generateName");
    meta["labels"]["controller-revision-hash"] = revision;
    r.pod = {{"apiVersion", "v1"},
             {"kind", "Pod"},
             {"metadata", meta},
             {"spec", tmpl.value("spec", nlohmann::json::object())}};
    r.owner_kind = "DaemonSet";
    r.owner_name = ds.metadata.name;
    r.revision = revision;
    out.emplace_back(ObjectKey(ns, name), std::move(r));
  }
  ASSIGN_OR_RETURN(auto pods, ListDesired("pods"));
  for (const auto& e : pods) {
    nlohmann::json obj = e.value("object", nlohmann::json::object());
    std::string ns = NamespaceOf(obj);
    PodRecord r = base(ns);
    // What an update may change (images, labels, ...) is changed in place: not in the revision.
    r.revision = fmt::format("{:016x}", Fnv64a(k8s::ImmutablePart(obj).dump()));
    std::string name = obj["metadata"].value("name", "");
    r.pod = std::move(obj);
    out.emplace_back(ObjectKey(ns, name), std::move(r));
  }
  return out;
}

Result<PodView> Agent::ReadPod(const std::string& key) {
  PodView v;
  v.key = key;
  v.dir = store_.PodDir(key);
  ASSIGN_OR_RETURN(v.record, ReadPodRecord(v.dir + "/" + kPodFile));
  const nlohmann::json& meta = v.record.pod["metadata"];
  v.ns = meta.value("namespace", "default");
  v.name = meta.value("name", "");
  v.uid = meta.value("uid", "");
  auto st = ReadPodStatus(v.dir + "/" + kStatusFile);
  v.status = st ? std::move(*st) : InitialStatus(v.record);
  SetSupervisor(v);
  if (sys::Exists(v.dir + "/stop")) v.status.terminating = true;
  return v;
}

namespace {

// The kubelet with WindowsHostProcessContainers off does not create a HostProcess pod's
// sandbox: the pod stays Pending, each try adds to its FailedCreatePodSandBox event. True when
// the pod is refused (its status written).
Result<bool> RefusedByFeatureGate(const k8s::FeatureGates& gates, const std::string& dir) {
  if (gates.windows_host_process_containers) return false;
  ASSIGN_OR_RETURN(PodRecord record, ReadPodRecord(dir + "/" + kPodFile));
  ASSIGN_OR_RETURN(auto decoded, DecodeRecord(record, dir + "/" + kPodFile));
  if (!k8s::HasWindowsHostProcessContainer(decoded->pod.spec)) return false;
  auto stored = ReadPodStatus(dir + "/" + kStatusFile);
  PodStatus status = stored ? std::move(*stored) : InitialStatus(record);
  status.supervisor_pid = 0;
  status.supervisor_start = 0;
  status.sandbox_refused = true;
  status.AddEvent("Warning", k8s::kFailedCreatePodSandBox, k8s::FailedCreatePodSandBoxMessage(),
                  NowUnixSeconds());
  status.updated = NowUnixSeconds();
  TRY(WritePodStatus(dir + "/" + kStatusFile, status));
  return true;
}

// Records that `p` keeps the pod off this node: Pending with kube-scheduler's event (tried again
// at every reconcile), Failed with kubelet's admission event, or Pending bound elsewhere. No
// supervisor; the events of earlier tries are kept.
Status RecordUnplaced(const std::string& dir, const PodRecord& record, const Placement& p) {
  PodStatus status = InitialStatus(record);
  if (auto stored = ReadPodStatus(dir + "/" + kStatusFile)) status.events = stored->events;
  for (auto* list : {&status.init_containers, &status.containers})
    for (ContainerStatus& c : *list) c.state = ContainerState{};
  status.pod_uid = record.pod["metadata"].value("uid", "");
  status.cgroup_root = record.cgroup_root;
  int64_t now = NowUnixSeconds();
  if (p.kind == Placement::kRejected) {
    status.phase = "Failed";
    status.reason = p.reason;
    status.message = "Pod was rejected: " + p.message;
    status.rejected = true;
    status.finished = true;
    status.start_time = now;
  } else {
    status.phase = "Pending";
    status.unscheduled = true;
    status.scheduling_message = p.message;
  }
  if (!p.message.empty()) status.AddEvent("Warning", p.reason, p.message, now, p.from);
  status.updated = now;
  return WritePodStatus(dir + "/" + kStatusFile, status);
}

}  // namespace

Status Agent::SpawnSupervisor(const std::string& key) {
  std::string dir = store_.PodDir(key);
  ASSIGN_OR_RETURN(bool refused, RefusedByFeatureGate(settings_.gates, dir));
  if (refused) return Ok();
  std::string log = dir + "/" + kSupervisorLog;
  // The small supervisor binary next to this one when it is there, else this binary's hidden
  // `__supervise` verb.
  std::string small =
      options_.self_exe.substr(0, options_.self_exe.rfind('/') + 1) + "hostprocess-supervisor";
  bool use_small = ::access(small.c_str(), X_OK) == 0;
  std::vector<std::string> args =
      use_small
          ? std::vector<std::string>{"hostprocess-supervisor", options_.root, key}
          : std::vector<std::string>{"hostprocess", "--root", options_.root, "__supervise", key};
  // Detached (new session, double fork: hp/launch), waiting before exec for the go below.
  ASSIGN_OR_RETURN(UniqueFd null_fd, sys::Open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSIGN_OR_RETURN(UniqueFd log_fd,
                   sys::Open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  int go_pipe[2];
  if (::pipe2(go_pipe, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd go_r(go_pipe[0]), go_w(go_pipe[1]);
  launch::LaunchSpec spec;
  spec.path = use_small ? small : options_.self_exe;
  spec.argv = args;
  spec.env = launch::CurrentEnvironment();
  spec.stdin_fd = null_fd.get();
  spec.stdout_fd = log_fd.get();
  spec.stderr_fd = log_fd.get();
  spec.detach = true;
  spec.go_fd = go_r.get();
  ASSIGN_OR_RETURN_CTX(launch::Process proc, launch::Launch(spec),
                       "pod \"{}\": start the supervisor", key);
  go_r.reset();
  pid_t sup = proc.pid;  // until go, a failure here closes go_w: the supervisor never runs
  // The first status names the supervisor before it runs, so no reader ever sees a pod
  // without one; the supervisor writes every later status itself.
  ASSIGN_OR_RETURN(PodRecord rec, ReadPodRecord(dir + "/" + kPodFile));
  PodStatus status = InitialStatus(rec);
  // Earlier events (FailedScheduling, FailedCreatePodSandBox) stay, as a cluster keeps them.
  if (auto old = ReadPodStatus(dir + "/" + kStatusFile)) status.events = std::move(old->events);
  SupervisorId id{sup, ProcessStartTime(sup), boot_id_, rec.pod["metadata"].value("uid", ""),
                  rec.cgroup_root};
  status.supervisor_pid = id.pid;
  status.supervisor_start = id.start;
  status.supervisor_boot = id.boot;
  status.pod_uid = rec.pod["metadata"].value("uid", "");
  status.cgroup_root = rec.cgroup_root;
  status.updated = NowUnixSeconds();
  // Its identity twice, so that one damaged file never hides a live supervisor.
  TRY(WriteSupervisorId(dir, id));
  TRY(WritePodStatus(dir + "/" + kStatusFile, status));
  if (::write(go_w.get(), "g", 1) != 1) return SysErr("pod \"{}\": start the supervisor", key);
  go_w.reset();
  TRY_CTX(launch::AwaitExec(proc, spec), "pod \"{}\": start the supervisor", key);
  return Ok();
}

Status Agent::CreatePod(const std::string& key, PodRecord record, const Placement& placement) {
  std::string dir = store_.PodDir(key);
  std::string uid = NewUid();
  record.pod["metadata"]["uid"] = uid;
  record.created = NowUnixSeconds();
  if (sys::Exists(dir)) TRY(sys::RemoveAll(dir));
  TRY(sys::MkdirAll(dir, 0700));
  Status s = WriteJsonFileAtomic(dir + "/" + kPodFile, record);
  bool placed = placement.kind == Placement::kPlaced;
  if (s && placed) UnpackImageLayers(options_.root, record.pod);
  if (s) s = placed ? SpawnSupervisor(key) : RecordUnplaced(dir, record, placement);
  if (!s) {
    if (auto r = sys::RemoveAll(dir); !r) Warn(r.error().ToString());
    return Err(std::move(s).error().Context(fmt::format("create pod \"{}\"", key)));
  }
  return Ok();
}

Status Agent::UpdateInPlace(PodView& v, const PodRecord& wanted) {
  nlohmann::json pod = wanted.pod;
  pod["metadata"]["uid"] = v.uid;
  if (pod == v.record.pod) return Ok();
  // Same revision, other mutable fields (labels, annotations, images, activeDeadlineSeconds,
  // tolerations): the pod keeps its uid; its supervisor reloads pod.json and restarts a
  // container whose image changed, as kubelet does.
  v.record.pod = std::move(pod);
  TRY(WriteJsonFileAtomic(v.dir + "/" + kPodFile, v.record));
  if (v.supervisor_alive) ::kill(v.status.supervisor_pid, kSupervisorReloadSignal);
  return Ok();
}

Status Agent::RemovePods(const std::vector<std::string>& keys) {
  struct Removing {
    PodView view;
    std::chrono::steady_clock::time_point deadline;
  };
  std::vector<Removing> list;
  auto now = std::chrono::steady_clock::now();
  for (const std::string& key : keys) {
    auto v = ReadPod(key);
    if (!v) {
      // pod.json is unreadable (half-created, or damaged): the pod is still stopped and
      // cleaned up, found through its status and its supervisor's identity.
      Warn(fmt::format("pod \"{}\": {}: removing it", key, v.error().ToString()));
      v = SalvagePod(key);
    }
    if (auto s = sys::WriteFileAtomic(v->dir + "/stop", "\n"); !s && v->supervisor_alive) {
      return s;
    }
    if (v->supervisor_alive) ::kill(v->status.supervisor_pid, SIGTERM);
    auto grace = std::chrono::seconds(GraceSeconds(v->record) + 10);
    list.push_back({std::move(*v), now + grace});
  }
  // Wait for the supervisors to stop their containers.
  while (true) {
    bool any = false;
    for (Removing& r : list) {
      PodStatus& st = r.view.status;
      if (!r.view.supervisor_alive) continue;
      if (!ProcessAlive(st.supervisor_pid, st.supervisor_start)) {
        r.view.supervisor_alive = false;
        continue;
      }
      if (std::chrono::steady_clock::now() >= r.deadline) {
        ::kill(st.supervisor_pid, SIGKILL);
      }
      any = true;
    }
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Status first = Ok();
  for (Removing& r : list) {
    // The supervisor's last word on what exists (it may have removed everything itself).
    auto st = ReadPodStatus(r.view.dir + "/" + kStatusFile);
    if (st) r.view.status = std::move(*st);
    Status c = CleanupPod(
        {options_.root, r.view.record.cgroup_root, r.view.uid, r.view.status.live_containers});
    if (!c) {
      if (first) first = Err(std::move(c).error().Context(fmt::format("pod \"{}\"", r.view.key)));
      continue;  // keep its state: a later delete or apply tries again
    }
    if (auto l = sys::RemoveAll(
            fmt::format("{}/{}_{}_{}", store_.LogsDir(), r.view.ns, r.view.name, r.view.uid));
        !l) {
      Warn(fmt::format("pod \"{}\": remove its logs: {}", r.view.key, l.error().ToString()));
    }
    Status d = sys::RemoveAll(r.view.dir);
    if (!d && first) first = std::move(d);
  }
  return first;
}

Status Agent::ReconcileLocked() {
  ASSIGN_OR_RETURN(auto wanted, WantedPods());
  std::map<std::string, const PodRecord*> want;
  for (const auto& [key, rec] : wanted) want[key] = &rec;
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.ListPodKeys());
  std::vector<std::string> remove;
  std::vector<PodView> restart;
  std::map<std::string, bool> have;
  std::vector<PodView> kept;
  Status first_update = Ok();
  for (const std::string& key : keys) {
    auto v = ReadPod(key);
    auto w = want.find(key);
    if (v && w == want.end()) {
      // Its object is unreadable, not deleted: the pod is left as it is.
      bool owner_unreadable =
          v->record.owner_kind == "DaemonSet"
              ? unreadable_.count("daemonsets/" + ObjectKey(v->ns, v->record.owner_name)) != 0
              : unreadable_.count("pods/" + key) != 0;
      if (owner_unreadable) {
        have[key] = true;
        kept.push_back(std::move(*v));
        continue;
      }
    }
    if (!v || w == want.end() || w->second->revision != v->record.revision) {
      remove.push_back(key);
      continue;
    }
    have[key] = true;
    if (auto u = UpdateInPlace(*v, *w->second); !u && first_update) first_update = std::move(u);
    if (v->lost || v->status.sandbox_refused || v->status.unscheduled) {
      restart.push_back(std::move(*v));
    } else {
      kept.push_back(std::move(*v));
    }
  }
  Status first = RemovePods(remove);
  if (first) first = std::move(first_update);
  // Placement (schedule.h): the pods on this node hold their host ports; each pod to start is
  // then placed in turn, and takes its ports when it is placed.
  std::vector<HostPort> used;
  for (const PodView& v : kept) {
    if (v.status.unscheduled || v.status.rejected || v.status.phase == "Succeeded" ||
        v.status.phase == "Failed")
      continue;
    if (auto spec = DecodePodSpec(v.record.pod)) {
      auto ports = HostPortsOf(*spec);
      used.insert(used.end(), ports.begin(), ports.end());
    }
  }
  auto place = [&](const PodRecord& rec) {
    auto spec = DecodePodSpec(rec.pod);
    if (!spec) return Placement{};  // its supervisor reports why it does not decode
    Placement p = PlacePod(*spec, node_, rec.owner_kind == "DaemonSet", used);
    if (p.kind == Placement::kPlaced) {
      auto ports = HostPortsOf(*spec);
      used.insert(used.end(), ports.begin(), ports.end());
    }
    return p;
  };
  for (const PodView& v : restart) {
    // Re-adopt a pod whose supervisor died: what it left is removed and a new supervisor
    // starts the pod's containers again. An unscheduled pod is tried again.
    Placement p = place(v.record);
    Status c = CleanupPod({options_.root, v.record.cgroup_root, v.uid, v.status.live_containers});
    if (c) {
      c = p.kind == Placement::kPlaced ? SpawnSupervisor(v.key)
                                       : RecordUnplaced(v.dir, v.record, p);
    }
    if (!c && first) first = std::move(c);
  }
  for (const auto& [key, rec] : wanted) {
    if (have.count(key)) continue;
    Status c = CreatePod(key, rec, place(rec));
    if (!c && first) first = std::move(c);
  }
  SweepOrphanContainers();
  return first;
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

Result<std::vector<PodView>> Agent::ListPods() {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.ListPodKeys());
  std::vector<PodView> out;
  for (const std::string& key : keys) {
    auto v = ReadPod(key);
    if (v) out.push_back(std::move(*v));
  }
  return out;
}

Result<std::optional<PodView>> Agent::GetPod(const std::string& ns, const std::string& name) {
  std::string key = ObjectKey(ns, name);
  if (!sys::IsDir(store_.PodDir(key))) return std::optional<PodView>();
  ASSIGN_OR_RETURN(PodView v, ReadPod(key));
  return std::optional<PodView>(std::move(v));
}

Result<std::vector<DaemonSetView>> Agent::ListDaemonSets() {
  ASSIGN_OR_RETURN(auto daemonsets, ListDesired("daemonsets"));
  ASSIGN_OR_RETURN(auto pods, ListPods());
  std::vector<DaemonSetView> out;
  for (const auto& e : daemonsets) {
    DaemonSetView v;
    v.object = e.value("object", nlohmann::json::object());
    v.created = e.value("created", int64_t{0});
    v.ns = NamespaceOf(v.object);
    v.name = v.object["metadata"].value("name", "");
    auto decoded = k8s::DecodeString(v.object.dump(), "desired daemonset");
    if (decoded && !decoded->objects.empty() && decoded->objects[0].daemon_set()) {
      v.fit = CheckFit(decoded->objects[0].daemon_set()->spec.template_.spec, node_, true);
    }
    v.revision =
        ControllerRevisionHash(v.object["spec"].value("template", nlohmann::json::object()).dump());
    v.desired = v.fit.fits ? 1 : 0;
    for (const PodView& p : pods) {
      if (p.record.owner_kind != "DaemonSet" || p.record.owner_name != v.name || p.ns != v.ns)
        continue;
      v.current++;
      bool ready = p.status.ready && !p.lost;
      v.ready += ready;
      v.available += ready;
      v.up_to_date += p.record.revision == v.revision;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace hp::agent
