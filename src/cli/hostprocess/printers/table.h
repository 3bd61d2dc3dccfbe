// kubectl's text output (pkg/printers): ages (`2m13s`, `5h`, `3d`), column tables, describe's
// times and the pod columns derived from a status (READY, STATUS, RESTARTS). The CLI's only:
// the node agent records states, it does not format them for kubectl.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/printers/tabwriter.h"
#include "core/agent/pod_status.h"
#include "core/base/time.h"

namespace hp::cli {

// k8s.io/apimachinery/pkg/util/duration.HumanDuration, as kubectl prints AGE: exact seconds
// below 2 minutes, "XmYs" below 10 minutes, minutes below 3 hours, "XhYm" below 8 hours,
// hours below 2 days, "XdYh" below 8 days, days below 2 years, then years.
std::string HumanDuration(int64_t seconds);

// kubectl's table printer (a text/tabwriter with min width 6, padding 3): every column but the
// last is padded to its widest cell plus three spaces; no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t rows() const { return rows_.size() - 1; }
  // Row `i` (0 is the header).
  const std::vector<std::string>& row(size_t i) const { return rows_[i]; }
  // Without the header when `no_headers` (kubectl --no-headers).
  std::string Render(bool no_headers = false) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// The wall clock in Unix seconds (what status times and AGE are measured in) and the API's
// timestamps ("2026-11-22T10:00:00Z"): base/time.h.
using hp::NowUnixSeconds;
using hp::Rfc3339;
// kubectl describe's time format: "Sun, 22 Nov 2026 10:00:00 +0000".
std::string Rfc1123(int64_t unix_seconds);

// kubectl get pods' columns.
std::string ReadyColumn(const agent::PodStatus& s);                  // "1/1"
std::string StatusColumn(const agent::PodStatus& s);                 // printPod's reason
std::string RestartsColumn(const agent::PodStatus& s, int64_t now);  // "3 (25s ago)"

// `get daemonsets`' NODE SELECTOR: the pod template's nodeSelector as k=v,... ("<none>").
std::string NodeSelectorColumn(const nlohmann::json& daemon_set);

// `get pods -o wide`'s columns after AGE: IP NODE NOMINATED NODE READINESS GATES. The IP is the
// status' (a hostNetwork pod's is the node's), "<none>" before the pod has one or when it was
// not scheduled here; NODE is `node` for a pod on this node, else the nodeName it was bound to.
std::vector<std::string> PodWideHeader();
std::vector<std::string> PodWideColumns(const agent::PodStatus& s, const nlohmann::json& pod,
                                        const std::string& node);
// `get daemonsets -o wide`'s columns after AGE: CONTAINERS IMAGES SELECTOR (the template's
// container names and images, the selector's matchLabels as k=v,... or "<none>").
std::vector<std::string> DaemonSetWideHeader();
std::vector<std::string> DaemonSetWideColumns(const nlohmann::json& daemon_set);

// The event's source as describe's From column prints it ("kubelet", "default-scheduler").
std::string EventSource(const agent::Event& e);
// kubectl's LAST SEEN: "5s", or "5s (x3 over 2m)" for an event seen several times.
std::string LastSeenColumn(const agent::Event& e, int64_t now);

}  // namespace hp::cli
