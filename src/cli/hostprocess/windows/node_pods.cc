// node_pods.h on Windows: the Windows node's store, supervisors and DaemonSet controller
// (windows/pod_state.h) behind the verbs both builds share, and apply's --volume-root
// (apply_node.h).
#include "cli/hostprocess/node_pods.h"

#include <windows.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "cli/hostprocess/apply_node.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/resources.h"
#include "core/agent/apply_plan.h"
#include "core/agent/desired.h"
#include "core/agent/naming.h"
#include "core/agent/node.h"
#include "core/base/time.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/selector.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"
#include "core/windows/job_accounting.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;

class WindowsNodePods : public NodePods {
 public:
  explicit WindowsNodePods(std::string root, std::string volume_root = wn::kDefaultVolumeRoot)
      : root_(std::move(root)), volume_root_(std::move(volume_root)) {}

  std::vector<Result<std::string>> Apply(const std::vector<k8s::Object>& objects) override {
    std::vector<Result<std::string>> out;
    // Kinds the preview does not store are refused by name before anything is done.
    for (const k8s::Object& o : objects) {
      if (o.pod() || o.daemon_set() || wn::StoredKindOf(o.kind)) continue;
      out.push_back(Err(ErrorCode::kUnsupported,
                        "\"{}\": {} \"{}\": the Windows preview build applies Pods, DaemonSets, "
                        "ConfigMaps and Secrets only",
                        o.source().file, k8s::KindName(o.kind), o.metadata().name));
      return out;
    }
    auto lock = wn::StoreLock::Take(root_);
    if (!lock) {
      out.push_back(Err(lock.error()));
      return out;
    }
    // As Linux applies (agent/apply_plan.h): every object checked before any is written.
    auto steps = PlanSteps(objects);
    if (!steps) {
      out.push_back(Err(steps.error()));
      return out;
    }
    agent::DesiredObjects desired(root_);
    for (const agent::ApplyStep& step : *steps) {
      Status s = step.write.record.is_null()
                     ? Ok()
                     : desired.PutDesired(step.kind->dir, step.key, step.write.record);
      out.push_back(s ? Result<std::string>(step.Line()) : Err(s.error()));
    }
    if (Status s = wn::Reconcile(root_); !s) out.push_back(Err(s.error()));
    return out;
  }
  // The steps of an apply, with where the pods' container volumes go (a DaemonSet's or Pod's
  // volumeRoot: kept from the stored record, else --volume-root), and this build's limit: a
  // running pod's container images are not changed in place.
  Result<std::vector<agent::ApplyStep>> PlanSteps(const std::vector<k8s::Object>& objects) {
    agent::DesiredObjects desired(root_);
    TRY(agent::CheckPodNames(desired, objects));
    std::vector<std::string> warnings;
    ASSIGN_OR_RETURN(std::vector<agent::ApplyStep> steps,
                     agent::PlanApply(desired, objects, NodeName(), &warnings));
    Warn(warnings);
    for (agent::ApplyStep& step : steps) {
      if (step.write.record.is_null()) continue;
      if (step.kind->kind == k8s::Kind::kPod && step.existing)
        TRY(CheckImagesKept(step.name, agent::AppliedObject(*step.existing),
                            step.write.record["object"]));
      if (step.kind->kind != k8s::Kind::kPod && step.kind->kind != k8s::Kind::kDaemonSet) continue;
      std::string volume_root = volume_root_;
      if (step.existing) {
        auto kept = step.existing->find("volumeRoot");
        if (kept != step.existing->end() && kept->is_string()) volume_root = *kept;
      }
      step.write.record["volumeRoot"] = volume_root;
    }
    return steps;
  }
  // Kubernetes changes a running pod's container image in place (kubelet restarts the
  // container); the Windows supervisor does not reload its pod yet: refused, saying what to do.
  static Status CheckImagesKept(const std::string& name, const nlohmann::json& old_pod,
                                const nlohmann::json& new_pod) {
    auto images = [](const nlohmann::json& pod) {
      std::map<std::string, std::string> out;
      auto spec = pod.find("spec");
      if (spec == pod.end() || !spec->is_object()) return out;
      for (const char* list : {"initContainers", "containers"}) {
        auto cs = spec->find(list);
        if (cs == spec->end() || !cs->is_array()) continue;
        for (const nlohmann::json& c : *cs)
          if (c.is_object()) out[c.value("name", "")] = c.value("image", "");
      }
      return out;
    };
    std::map<std::string, std::string> before = images(old_pod), after = images(new_pod);
    for (const auto& [container, image] : after) {
      auto was = before.find(container);
      if (was == before.end() || was->second == image) continue;
      return Err(ErrorCode::kUnsupported,
                 "pod \"{}\": container \"{}\": the Windows preview build does not change a "
                 "pod's image in place (\"{}\" to \"{}\"): delete the pod and apply it again",
                 name, container, was->second, image);
    }
    return Ok();
  }

  Result<std::vector<NodePod>> List() override {
    std::vector<NodePod> pods;
    for (const std::string& key : wn::PodKeys(root_, ""))
      if (auto p = Read(key)) pods.push_back(std::move(*p));
    return pods;
  }
  // Everything below the pods directory (a pod made or removed, its status and supervisor files
  // renamed over, its `stop` marker made): not the pod's own directory, which a watch's handle
  // would keep from being made again after a delete (dir_watch.h).
  std::unique_ptr<PodWatch> WatchPod(const std::string&, const std::string&) override {
    return std::make_unique<DirPodWatch>(std::vector<std::string>{wn::PodsDir(root_)});
  }
  Result<std::optional<NodePod>> Get(const std::string& ns, const std::string& name) override {
    return Read(agent::ObjectKey(ns, name));
  }
  std::string LogPath(const NodePod& p, const std::string& container, int restart) override {
    return wn::LogPath(root_, p.key, container, restart);
  }
  Result<bool> HasDaemonSet(const std::string& ns, const std::string& name) override {
    // Its file (`delete` removes it; a damaged one is still applied): `wait` asks every 100 ms,
    // and decoding every DaemonSet for it is not needed.
    return sys::Exists(wn::DaemonSetPath(root_, agent::ObjectKey(ns, name)));
  }
  Result<std::vector<NodeDaemonSet>> DaemonSets() override {
    std::vector<NodeDaemonSet> out;
    wn::DaemonSetListing listing = wn::ListDaemonSets(root_);
    for (agent::DaemonSetView& d : listing.daemonsets) out.push_back(NodeDaemonSetOf(std::move(d)));
    Warn(listing.messages);
    return out;
  }
  Status UpdateDaemonSet(const std::string& ns, const std::string& name,
                         const nlohmann::json& object) override {
    ASSIGN_OR_RETURN(wn::StoreLock lock, wn::StoreLock::Take(root_));
    agent::DesiredObjects desired(root_);
    std::string key = agent::ObjectKey(ns, name);
    auto record = desired.GetDesired("daemonsets", key);
    if (!record || !*record)
      return Err(ErrorCode::kNotFound, "daemonsets.apps \"{}\" not found", name);
    agent::DesiredWrite w = agent::PlanDesiredWrite(object, **record, false);
    auto kept = (*record)->find("volumeRoot");
    bool has = kept != (*record)->end() && kept->is_string();
    w.record["volumeRoot"] = has ? kept->get<std::string>() : volume_root_;
    TRY(desired.PutDesired("daemonsets", key, w.record));
    return wn::Reconcile(root_);
  }
  std::vector<Result<std::string>> Delete(const std::vector<DeleteRequest>& requests) override {
    std::vector<Result<std::string>> out;
    auto lock = wn::StoreLock::Take(root_);
    if (!lock) {
      out.push_back(Err(lock.error()));
      return out;
    }
    for (const DeleteRequest& r : requests) out.push_back(DeleteOne(r));
    // The DaemonSet controller after every delete: a deleted DaemonSet's pod goes with it, a
    // deleted DaemonSet pod comes back.
    if (Status s = wn::Reconcile(root_); !s) out.push_back(Err(s.error()));
    return out;
  }
  Status Reconcile() override {
    ASSIGN_OR_RETURN(wn::StoreLock lock, wn::StoreLock::Take(root_));
    return wn::Reconcile(root_);
  }
  // The job accounting blocks of the pod's running containers (init containers included),
  // read from their Job Objects opened by name. A container not running, or whose supervisor is
  // gone, has none (no zeros for a job that is gone); a job that ended since the status was
  // written is skipped, a query that fails is warned about.
  ContainerBlocks ContainerAccounting(const NodePod& p) override {
    ContainerBlocks blocks;
    if (p.lost) return blocks;
    for (const auto* list : {&p.status.init_containers, &p.status.containers}) {
      for (const agent::ContainerStatus& c : *list) {
        std::optional<std::string> id = agent::RunningContainerId(c);
        if (!id) continue;
        auto job = job::JobObject::Open(*id);
        if (!job) continue;
        auto a = job->Accounting();
        if (!a) {
          Warn({"container \"" + c.name + "\": " + a.error().ToString()});
          continue;
        }
        blocks[c.name] = {"Job Object", job->name(), windows::JobAccountingLines(*a)};
      }
    }
    return blocks;
  }
  // Wine accepts the accounting queries and reads the CPU times and the peak as 0, and has no
  // I/O accounting (docs/windows.md): said by name rather than showing an idle container.
  std::string AccountingCaveat() override {
    std::optional<std::string> wine = sys::WineVersion();
    if (!wine) return "";
    return "Warning: Wine " + *wine +
           " does not account the CPU time, peak memory and I/O of Job Objects: CPU time and "
           "peak memory read 0 here\n";
  }
  Result<job::Stats> Usage(const NodePod& p, const std::string& container_id) override {
    std::vector<std::string> ids;  // the jobs' names: the container ids
    if (!container_id.empty()) {
      ids.push_back(container_id);
    } else {
      for (const agent::ContainerStatus& c : p.status.containers)
        if (std::optional<std::string> id = agent::RunningContainerId(c)) ids.push_back(*id);
    }
    job::Stats sum;
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(job::JobObject j, job::JobObject::Open(id));
      ASSIGN_OR_RETURN(job::Stats s, j.GetStats());
      sum.cpu_user_ns += s.cpu_user_ns;
      sum.cpu_system_ns += s.cpu_system_ns;
      sum.memory_current_bytes += s.memory_current_bytes;
      sum.pids_current += s.pids_current;
    }
    return sum;
  }
  // Wine accepts the accounting query and reads every time as 0 (docs/windows.md): said by
  // name rather than showing an idle pod.
  std::string UsageCaveat() override {
    std::optional<std::string> wine = sys::WineVersion();
    if (!wine) return "";
    return "Warning: Wine " + *wine +
           " does not account the CPU time of Job Objects: CPU(cores) reads 0 here\n";
  }
  std::string NodeName() override {
    if (node_name_.empty()) node_name_ = agent::LocalNode({}).name;
    return node_name_;
  }
  Result<std::vector<NodeObject>> Objects(const std::string& kind_dir,
                                          const std::string& ns) override {
    const wn::ObjectKind* kind = wn::StoredKindNamed(kind_dir);
    if (!kind)
      return Err(ErrorCode::kInvalidArgument, "no stored objects of kind \"{}\"", kind_dir);
    std::vector<std::string> damaged;
    std::vector<NodeObject> out;
    for (wn::StoredObject& o : wn::ListObjects(root_, *kind, ns, &damaged)) {
      std::string object_ns = o.object["metadata"].value("namespace", "default");
      out.push_back({std::move(object_ns), std::move(o.name), std::move(o.object), o.created});
    }
    Warn(damaged);
    std::stable_sort(out.begin(), out.end(),
                     [](const NodeObject& a, const NodeObject& b) { return a.ns < b.ns; });
    return out;
  }
  Result<nlohmann::json> LiveObject(const std::string& kind_dir, const std::string& ns,
                                    const std::string& name) override {
    if (kind_dir == "pods") {
      auto p = Read(agent::ObjectKey(ns, name));
      if (!p || p->owner_kind == "DaemonSet") return nlohmann::json();
      return PodApiObject(*p, NodeName());
    }
    if (wn::StoredKindNamed(kind_dir)) {
      ASSIGN_OR_RETURN(std::vector<NodeObject> objects, Objects(kind_dir, ns));
      for (NodeObject& o : objects)
        if (o.name == name) return std::move(o.object);
    }
    return nlohmann::json();
  }
  std::optional<agent::PodStatus> StatusNow(const NodePod& p) override {
    auto rec = wn::ReadPodRecord(root_, p.key);
    if (!rec) return std::nullopt;  // deleted
    // A dead supervisor's containers show as ended (ViewStatus): `-f` stops there too.
    return wn::ViewStatus(root_, p.key, *rec);
  }

 private:
  std::optional<NodePod> Read(const std::string& key) {
    auto rec = wn::ReadPodRecord(root_, key);
    if (!rec) return std::nullopt;
    const nlohmann::json meta = rec->pod.value("metadata", nlohmann::json::object());
    NodePod p;
    p.key = key;
    agent::KeyParts parts = agent::SplitObjectKey(key);
    p.ns = std::move(parts.ns);
    p.name = std::move(parts.name);
    p.uid = meta.value("uid", "");
    p.labels = k8s::LabelsOf(rec->pod);
    p.owner_kind = rec->owner_kind;
    p.owner_name = rec->owner_name;
    p.revision = rec->revision;
    agent::PodStatus recorded = wn::ReadStatus(root_, key).value_or(wn::InitialStatus(rec->pod));
    p.lost =
        !recorded.finished && !recorded.WithoutSupervisor() && !wn::SupervisorAlive(root_, key);
    p.status = wn::ViewStatus(std::move(recorded), !p.lost);
    p.pod = std::move(rec->pod);
    p.created = rec->created;
    return p;
  }
  // One object deleted (under the store's lock); its line or error.
  Result<std::string> DeleteOne(const DeleteRequest& r) {
    std::string key = agent::ObjectKey(r.ns, r.name);
    if (r.kind == "pods") {
      // The applied Pod and the pod that runs (a DaemonSet's pod comes back: Reconcile).
      agent::DesiredObjects desired(root_);
      bool applied = sys::Exists(desired.DesiredPath("pods", key));
      bool running = sys::Exists(wn::PodDir(root_, key));
      if (!applied && !running) return Err(ErrorCode::kNotFound, "pods \"{}\" not found", r.name);
      if (applied) TRY(desired.DeleteDesired("pods", key));
      if (running) TRY(wn::RemovePod(root_, key, r.grace_seconds));
      return "pod \"" + r.name + "\" deleted";
    }
    if (r.kind == "daemonsets") {
      if (!sys::Exists(wn::DaemonSetPath(root_, key)))
        return Err(ErrorCode::kNotFound, "daemonsets.apps \"{}\" not found", r.name);
      TRY(agent::DesiredObjects(root_).DeleteDesired("daemonsets", key));
      return "daemonset.apps \"" + r.name + "\" deleted";
    }
    // A stored ConfigMap or Secret; pods keep what their records took (as on Linux).
    if (const wn::ObjectKind* kind = wn::StoredKindNamed(r.kind))
      return wn::DeleteObject(root_, *kind, r.ns, r.name);
    return Err(ErrorCode::kUnsupported, "{} \"{}\": the Windows preview build deletes {} only",
               r.kind, r.name, wn::kResources);
  }
  static void Warn(const std::vector<std::string>& damaged) {
    for (const std::string& d : damaged) {
      std::string line = "Warning: " + d + "\n";
      fwrite(line.data(), 1, line.size(), stderr);
    }
  }

  std::string root_;
  std::string volume_root_;  // where apply's pods get their container volumes
  std::string node_name_;    // NodeName's, once asked
};

}  // namespace

Result<std::unique_ptr<NodePods>> OpenNodePods(const GlobalOptions& global) {
  wn::UpgradeOldLayout(global.root);
  return std::unique_ptr<NodePods>(new WindowsNodePods(global.root));
}

// apply's node flag on Windows (apply_node.h): where container volumes are made.
struct ApplyNodeFlags {
  std::string volume_root = wn::kDefaultVolumeRoot;
};

std::shared_ptr<ApplyNodeFlags> AddApplyNodeFlags(CLI::App* cmd) {
  auto f = std::make_shared<ApplyNodeFlags>();
  cmd->add_option("--volume-root", f->volume_root, "Where container volumes are made")
      ->capture_default_str();
  return f;
}

Result<std::unique_ptr<NodePods>> OpenNodeForApply(const GlobalOptions& global,
                                                   const ApplyNodeFlags& flags, CLI::App*) {
  wn::UpgradeOldLayout(global.root);
  return std::unique_ptr<NodePods>(new WindowsNodePods(global.root, flags.volume_root));
}

}  // namespace hp::cli
