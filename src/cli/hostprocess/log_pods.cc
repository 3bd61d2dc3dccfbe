// `logs`'s pods on Linux: the agent's store (log_pods.h).
#include "cli/hostprocess/log_pods.h"

#include "cli/hostprocess/agent_cli.h"
#include "core/agent/status.h"
#include "core/pod/runner.h"

namespace hp::cli {
namespace {

class AgentLogPods : public LogPods {
 public:
  AgentLogPods(std::unique_ptr<agent::Agent> agent, std::string root)
      : agent_(std::move(agent)), root_(std::move(root)) {}

  Result<std::vector<LogPod>> List() override {
    ASSIGN_OR_RETURN(auto views, agent_->ListPods());
    std::vector<LogPod> pods;
    for (agent::PodView& v : views) pods.push_back(From(std::move(v)));
    return pods;
  }
  Result<std::optional<LogPod>> Get(const std::string& ns, const std::string& name) override {
    ASSIGN_OR_RETURN(auto view, agent_->GetPod(ns, name));
    if (!view) return std::optional<LogPod>();
    return std::optional<LogPod>(From(std::move(*view)));
  }
  std::string LogPath(const LogPod& p, const std::string& container, int restart) override {
    k8s::Pod pod;
    pod.metadata.name = p.name;
    pod.metadata.namespace_ = p.ns;
    pod.metadata.uid = p.uid;
    return pod::ContainerLogPath(root_, pod, container, restart);
  }
  std::optional<agent::PodStatus> StatusNow(const LogPod& p) override {
    auto st = agent::ReadPodStatus(p.key + "/status.json");
    if (!st) return std::nullopt;  // the pod is gone
    return std::move(*st);
  }

 private:
  LogPod From(agent::PodView v) {
    LogPod p;
    p.name = std::move(v.name);
    p.ns = std::move(v.ns);
    p.uid = std::move(v.uid);
    p.key = std::move(v.dir);
    p.status = std::move(v.status);
    p.labels = LabelsOf(v.record.pod);
    p.owner_kind = std::move(v.record.owner_kind);
    p.owner_name = std::move(v.record.owner_name);
    return p;
  }

  std::unique_ptr<agent::Agent> agent_;
  std::string root_;
};

}  // namespace

Result<std::unique_ptr<LogPods>> OpenLogPods(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(auto agent, OpenAgent(global));
  return std::unique_ptr<LogPods>(new AgentLogPods(std::move(agent), global.root));
}

}  // namespace hp::cli
