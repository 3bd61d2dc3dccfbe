// node_pods.h on Linux: the node agent (core/agent) behind the verbs both builds share.
#include "cli/hostprocess/node_pods.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "cli/hostprocess/agent_cli.h"
#include "core/agent/naming.h"
#include "core/agent/record.h"
#include "core/agent/status.h"
#include "core/image/store.h"
#include "core/k8s/decode.h"
#include "core/pod/runner.h"
#include "core/sys/dir_watch.h"

namespace hp::cli {
namespace {

class AgentNodePods : public NodePods {
 public:
  AgentNodePods(std::unique_ptr<agent::Agent> agent, std::string root)
      : agent_(std::move(agent)), root_(std::move(root)) {}

  Result<std::vector<NodePod>> List() override {
    return ListViews(agent::Agent::PodDetail::kWhole);
  }
  Result<std::vector<NodePod>> ListHeads() override {
    return ListViews(agent::Agent::PodDetail::kHead);
  }
  Result<std::vector<NodePod>> ListRows() override {
    return ListViews(agent::Agent::PodDetail::kRow);
  }
  // The store's pod directories (a pod made or removed) and the pod's own (its status and
  // supervisor files are written aside and renamed over, its `stop` marker made).
  std::unique_ptr<PodWatch> WatchPod(const std::string& ns, const std::string& name) override {
    const agent::Store& store = agent_->store();
    return std::make_unique<DirPodWatch>(
        std::vector<std::string>{store.PodsRunDir(), store.PodDir(agent::ObjectKey(ns, name))});
  }
  Result<std::optional<NodePod>> Get(const std::string& ns, const std::string& name) override {
    ASSIGN_OR_RETURN(auto view, agent_->GetPod(ns, name));
    if (!view) return std::optional<NodePod>();
    return std::optional<NodePod>(From(std::move(*view)));
  }
  std::string LogPath(const NodePod& p, const std::string& container, int restart) override {
    k8s::Pod pod;
    pod.metadata.name = p.name;
    pod.metadata.namespace_ = p.ns;
    pod.metadata.uid = p.uid;
    return pod::ContainerLogPath(root_, pod, container, restart);
  }
  Result<bool> HasDaemonSet(const std::string& ns, const std::string& name) override {
    // Its stored object alone (`wait` asks every 100 ms): listing the DaemonSets would read
    // every pod too. A damaged one is still applied (`delete` removes it).
    auto stored = agent_->store().GetDesired("daemonsets", agent::ObjectKey(ns, name));
    if (!stored) return stored.error().code() != ErrorCode::kNotFound;
    return stored->has_value();
  }
  Result<std::vector<NodeDaemonSet>> DaemonSets() override {
    ASSIGN_OR_RETURN(auto list, agent_->ListDaemonSets());
    std::vector<NodeDaemonSet> out;
    for (auto& d : list) out.push_back(NodeDaemonSetOf(std::move(d)));
    return out;
  }
  Status UpdateDaemonSet(const std::string&, const std::string&,
                         const nlohmann::json& object) override {
    ASSIGN_OR_RETURN(k8s::Decoded decoded,
                     k8s::DecodeString(object.dump(), "rollout restart", {.keep_raw = true}));
    ASSIGN_OR_RETURN(auto lines, agent_->Apply(decoded.objects));
    return Ok();
  }
  Result<nlohmann::json> LiveObject(const std::string& kind_dir, const std::string& ns,
                                    const std::string& name) override {
    if (kind_dir == "pods") {
      ASSIGN_OR_RETURN(auto p, agent_->GetPod(ns, name));
      if (p && p->record.owner_kind != "DaemonSet")
        return PodApiObject(From(std::move(*p)), agent_->node().name);
      return nlohmann::json();
    }
    std::string key = ns.empty() ? name : agent::ObjectKey(ns, name);
    auto stored = agent_->store().GetDesired(kind_dir, key);
    if (!stored || !*stored) return nlohmann::json();
    return (*stored)->contains("object") ? (**stored)["object"] : **stored;
  }
  std::string NodeName() override { return agent_->node().name; }
  std::vector<Result<std::string>> Apply(const std::vector<k8s::Object>& objects) override {
    WarnMissingImages(objects);
    std::vector<Result<std::string>> out;
    auto lines = agent_->Apply(objects);
    if (!lines) {
      out.push_back(Err(lines.error()));
      return out;
    }
    for (std::string& l : *lines) out.push_back(std::move(l));
    return out;
  }
  std::vector<Result<std::string>> Delete(const std::vector<DeleteRequest>& requests) override {
    std::vector<agent::Agent::DeleteRequest> asked;
    for (const DeleteRequest& r : requests)
      asked.push_back({r.kind, r.ns, r.name, r.grace_seconds});
    return agent_->Delete(asked);
  }
  Status Reconcile() override { return agent_->Reconcile(); }
  ContainerBlocks ContainerAccounting(const NodePod&) override { return {}; }
  Result<job::Stats> Usage(const NodePod& p, const std::string& container_id) override {
    auto root = job_roots_.find(p.key);
    if (root == job_roots_.end())
      return Err(ErrorCode::kNotFound, "pod \"{}/{}\": not listed", p.ns, p.name);
    std::unique_ptr<job::JobManager>& m = managers_[root->second];
    if (!m) {
      ASSIGN_OR_RETURN(m, job::NewJobManager({root->second}));
    }
    if (container_id.empty()) return m->PodStats(p.uid);
    ASSIGN_OR_RETURN(auto j, m->Open(p.uid, container_id));
    return j->GetStats();
  }
  std::string UsageCaveat() override { return ""; }
  std::string AccountingCaveat() override { return ""; }
  Result<std::vector<NodeObject>> Objects(const std::string& kind_dir,
                                          const std::string& ns) override {
    std::vector<agent::Store::Unreadable> bad;
    ASSIGN_OR_RETURN(std::vector<nlohmann::json> stored,
                     agent_->store().ListDesired(kind_dir, &bad));
    for (const agent::Store::Unreadable& b : bad)
      Print(stderr, "Warning: " + b.error + ": skipped (`delete` removes it)\n");
    std::vector<NodeObject> out;
    for (nlohmann::json& entry : stored) {
      NodeObject o;
      o.object = entry.contains("object") ? std::move(entry["object"]) : std::move(entry);
      if (!o.object.is_object() || !o.object["metadata"].is_object()) continue;
      o.ns = agent::NamespaceOf(o.object);
      o.name = o.object["metadata"].value("name", "");
      o.created = entry.value("created", int64_t{0});
      if (ns.empty() || o.ns == ns) out.push_back(std::move(o));
    }
    std::sort(out.begin(), out.end(), [](const NodeObject& a, const NodeObject& b) {
      return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
    });
    return out;
  }
  std::optional<agent::PodStatus> StatusNow(const NodePod& p) override {
    auto st = agent::ReadPodStatus(p.key + "/status.json");
    if (!st) return std::nullopt;  // the pod is gone
    return std::move(*st);
  }

 private:
  Result<std::vector<NodePod>> ListViews(agent::Agent::PodDetail detail) {
    ASSIGN_OR_RETURN(auto views, agent_->ListPods(detail));
    std::vector<NodePod> pods;
    pods.reserve(views.size());
    for (agent::PodView& v : views) pods.push_back(From(std::move(v)));
    return pods;
  }
  NodePod From(agent::PodView v) {
    NodePod p;
    p.name = std::move(v.name);
    p.ns = std::move(v.ns);
    p.uid = std::move(v.uid);
    p.key = std::move(v.dir);
    p.status = std::move(v.status);
    p.labels = LabelsOf(v.record.pod);
    p.owner_kind = std::move(v.record.owner_kind);
    p.owner_name = std::move(v.record.owner_name);
    p.revision = std::move(v.record.revision);
    job_roots_[p.key] = v.record.job_root;
    p.pod = std::move(v.record.pod);
    p.created = v.record.created;
    p.lost = v.lost;
    return p;
  }
  // The images the pods will wait for (ErrImagePull / ErrImageNeverPull): this node never pulls
  // on its own, so say it now, with what fills the store.
  void WarnMissingImages(const std::vector<k8s::Object>& objects) {
    auto store = image::Store::Open(root_);
    if (!store) return;
    for (const k8s::Object& o : objects) {
      const k8s::PodSpec* spec = o.pod()          ? &o.pod()->spec
                                 : o.daemon_set() ? &o.daemon_set()->spec.template_.spec
                                                  : nullptr;
      if (!spec) continue;
      std::string what =
          fmt::format("{}/{}", o.pod() ? "pod" : "daemonset.apps", o.metadata().name);
      for (const auto* list : {&spec->init_containers, &spec->containers}) {
        for (const k8s::Container& c : *list) {
          auto rec = store->Resolve(c.image);
          if (rec || rec.error().code() != ErrorCode::kNotFound) continue;
          Print(stderr,
                fmt::format("Warning: {}: image \"{}\" of container \"{}\" is not in this "
                            "node's image store: the pod waits ({}) until `hostprocess pull "
                            "{}` or `hostprocess import DIR|TARBALL {}`\n",
                            what, c.image, c.name,
                            c.image_pull_policy == "Never" ? "ErrImageNeverPull" : "ErrImagePull",
                            c.image, c.image));
        }
      }
    }
  }

  std::unique_ptr<agent::Agent> agent_;
  std::string root_;
  // Each listed pod's cgroup root (its record's), and a job manager per root, for Usage.
  std::map<std::string, std::string> job_roots_;
  std::map<std::string, std::unique_ptr<job::JobManager>> managers_;
};

}  // namespace

Result<std::unique_ptr<NodePods>> OpenNodePods(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(auto agent, OpenAgent(global));
  return NodePodsOf(std::move(agent), global.root);
}

std::unique_ptr<NodePods> NodePodsOf(std::unique_ptr<agent::Agent> agent, const std::string& root) {
  return std::unique_ptr<NodePods>(new AgentNodePods(std::move(agent), root));
}

}  // namespace hp::cli
