// hp/agent: the applied DaemonSets as the DaemonSet controller sees them on this node, one
// listing for both nodes: what `get`/`describe daemonsets` show and what the reconcile makes
// pods of.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/desired.h"
#include "core/agent/node.h"
#include "core/agent/pod_status.h"
#include "core/agent/schedule.h"
#include "core/base/result.h"

namespace hp::agent {

struct DaemonSetView {
  std::string key;  // <ns>_<name>
  std::string ns, name;
  nlohmann::json object;  // as applied (with the store's generation and resourceVersion)
  // The stored record's fields beside "object" and "created" (the Windows node's volumeRoot).
  nlohmann::json fields = nlohmann::json::object();
  int64_t created = 0;
  FitResult fit;         // whether its pod template fits this node, and why not
  std::string revision;  // controller-revision-hash of its template
  int desired = 0;       // 1 when its template fits this node (its pods are counted by the CLI)
  // The DaemonSet controller's events: SuccessfulCreate and SuccessfulDelete of its pods.
  std::vector<Event> events;
};

// A stored DaemonSet that cannot be read, or does not decode as one: not listed, and its pod is
// left as it is (an unreadable object is no deleted one; `delete daemonset` removes it).
struct UnreadableDaemonSet {
  std::string key, path, error;
};

struct DaemonSetListing {
  std::vector<DaemonSetView> daemonsets;  // in key order
  std::vector<UnreadableDaemonSet> unreadable;
};

// The DaemonSets `desired` holds, each with its fit on `node`, its revision and its events.
Result<DaemonSetListing> ListDaemonSetViews(const DesiredObjects& desired, const Node& node);

}  // namespace hp::agent
