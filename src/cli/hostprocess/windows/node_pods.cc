// The node's pods on Windows: the Windows node's store (node_pods.h, windows/pod_state.h).
#include "cli/hostprocess/node_pods.h"

#include "cli/hostprocess/windows/api_views.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "core/agent/naming.h"
#include "core/agent/node.h"
#include "core/k8s/selector.h"
#include "core/sys/file.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;

class WindowsNodePods : public NodePods {
 public:
  explicit WindowsNodePods(std::string root) : root_(std::move(root)) {}

  Result<std::vector<NodePod>> List() override {
    std::vector<NodePod> pods;
    for (const std::string& key : wn::PodKeys(root_, ""))
      if (auto p = Read(key)) pods.push_back(std::move(*p));
    return pods;
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
    return sys::Exists(wn::DaemonSetsDir(root_) + "\\" + agent::ObjectKey(ns, name) + ".json");
  }
  Result<std::vector<NodeDaemonSet>> DaemonSets() override {
    std::vector<NodeDaemonSet> out;
    for (wn::DaemonSetView& d : wn::ListDaemonSets(root_, nullptr)) {
      DaemonSetCounts n = wn::CountsOf(root_, d);
      out.push_back({std::move(d.ns), std::move(d.name), std::move(d.object), n.desired,
                     n.up_to_date, n.available, std::move(d.events)});
    }
    return out;
  }
  Status UpdateDaemonSet(const std::string& ns, const std::string& name,
                         const nlohmann::json& object) override {
    ASSIGN_OR_RETURN(wn::StoreLock lock, wn::StoreLock::Take(root_));
    std::string path = wn::DaemonSetsDir(root_) + "\\" + agent::ObjectKey(ns, name) + ".json";
    std::optional<nlohmann::json> record = wn::ReadJson(path);
    if (!record || !record->is_object())
      return Err(ErrorCode::kNotFound, "daemonsets.apps \"{}\" not found", name);
    (*record)["object"] = object;
    TRY(wn::WriteJson(path, *record));
    return wn::Reconcile(root_);
  }
  Result<nlohmann::json> LiveObject(const std::string& kind_dir, const std::string& ns,
                                    const std::string& name) override {
    std::string key = agent::ObjectKey(ns, name);
    if (kind_dir == "pods") {
      auto rec = wn::ReadPodRecord(root_, key);
      if (!rec || rec->owner_kind == "DaemonSet") return nlohmann::json();
      agent::PodStatus status = wn::ReadStatus(root_, key).value_or(wn::InitialStatus(rec->pod));
      bool alive = status.finished || wn::SupervisorAlive(root_, key);
      return wn::PodApiObject(ns, *rec, status, alive, agent::LocalNode({}).name);
    }
    if (kind_dir == "daemonsets") {
      for (const wn::DaemonSetView& d : wn::ListDaemonSets(root_, nullptr))
        if (d.key == key) return wn::DaemonSetApiObject(d, wn::CountsOf(root_, d));
      return nlohmann::json();
    }
    for (const char* word : {"configmaps", "secrets"}) {
      if (kind_dir != word) continue;
      for (wn::StoredObject& o : wn::ListObjects(root_, *wn::StoredKindNamed(word), ns, nullptr))
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
    size_t sep = key.find('_');  // <ns>_<name>: a namespace has no `_`
    p.ns = key.substr(0, sep);
    p.name = key.substr(sep + 1);
    p.uid = meta.value("uid", "");
    p.labels = k8s::LabelsOf(rec->pod);
    p.owner_kind = rec->owner_kind;
    p.owner_name = rec->owner_name;
    p.status = wn::ViewStatus(root_, key, *rec);
    return p;
  }

  std::string root_;
};

}  // namespace

Result<std::unique_ptr<NodePods>> OpenNodePods(const GlobalOptions& global) {
  return std::unique_ptr<NodePods>(new WindowsNodePods(global.root));
}

}  // namespace hp::cli
