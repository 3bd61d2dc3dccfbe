// The node's pods as `logs` reads them: one `logs` verb (logs.cc) over the Linux agent's store
// (log_pods.cc) and the Windows node's (windows/log_pods.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "core/agent/pod_status.h"
#include "core/base/result.h"

namespace hp::cli {

struct LogPod {
  std::string name, ns, uid;
  std::string key;  // where the store keeps the pod (its directory)
  agent::PodStatus status;
  std::map<std::string, std::string> labels;
  std::string owner_kind, owner_name;  // "DaemonSet" and its name; empty for a bare pod
};

class LogPods {
 public:
  virtual ~LogPods() = default;
  // Every pod of the node, sorted by namespace and name.
  virtual Result<std::vector<LogPod>> List() = 0;
  virtual Result<std::optional<LogPod>> Get(const std::string& ns, const std::string& name) = 0;
  // The CRI log of `container`'s run `restart` (its restart count then).
  virtual std::string LogPath(const LogPod& pod, const std::string& container, int restart) = 0;
  // The pod's status as it is now (for `-f`); nothing when the pod is gone.
  virtual std::optional<agent::PodStatus> StatusNow(const LogPod& pod) = 0;
};

Result<std::unique_ptr<LogPods>> OpenLogPods(const GlobalOptions& global);

}  // namespace hp::cli
