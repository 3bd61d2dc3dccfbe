// `logs`'s pods on Windows: the Windows node's store (log_pods.h, windows/pod_state.h).
#include "cli/hostprocess/log_pods.h"

#include "cli/hostprocess/windows/pod_state.h"
#include "core/agent/naming.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;

class WindowsLogPods : public LogPods {
 public:
  explicit WindowsLogPods(std::string root) : root_(std::move(root)) {}

  Result<std::vector<LogPod>> List() override {
    std::vector<LogPod> pods;
    for (const std::string& key : wn::PodKeys(root_, ""))
      if (auto p = Read(key)) pods.push_back(std::move(*p));
    return pods;
  }
  Result<std::optional<LogPod>> Get(const std::string& ns, const std::string& name) override {
    return Read(agent::ObjectKey(ns, name));
  }
  std::string LogPath(const LogPod& p, const std::string& container, int restart) override {
    return wn::LogPath(root_, p.key, container, restart);
  }
  std::optional<agent::PodStatus> StatusNow(const LogPod& p) override {
    auto rec = wn::ReadPodRecord(root_, p.key);
    if (!rec) return std::nullopt;  // deleted
    // A dead supervisor's containers show as ended (ViewStatus): `-f` stops there too.
    return wn::ViewStatus(root_, p.key, *rec);
  }

 private:
  std::optional<LogPod> Read(const std::string& key) {
    auto rec = wn::ReadPodRecord(root_, key);
    if (!rec) return std::nullopt;
    const nlohmann::json meta = rec->pod.value("metadata", nlohmann::json::object());
    LogPod p;
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

Result<std::unique_ptr<LogPods>> OpenLogPods(const GlobalOptions& global) {
  return std::unique_ptr<LogPods>(new WindowsLogPods(global.root));
}

}  // namespace hp::cli
