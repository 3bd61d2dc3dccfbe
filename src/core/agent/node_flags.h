// hp/agent: kubelet's checks of the node flags that `apply` keeps, with kubelet's words, so that
// a bad value is a usage error (exit 2) before anything is stored (issue 13 item 10).
//
//   --node-labels            keys are qualified names, values label values (kubelet's
//                            "invalid node labels: 'k' - ...", cmd/kubelet/app/server.go)
//   --register-with-taints   pkg/util/taints parseTaint: "invalid taint spec: ..." and
//                            "invalid taint effect: ..."
//   --hostname-override      kubelet trims and lower-cases it (nodeutil.GetHostname) and the
//                            API server then refuses a Node name that is not a DNS-1123
//                            subdomain: `Node "x" is invalid: metadata.name: Invalid value: ...`
//   --cgroup-root            a path of cgroup names: not empty, no "." or ".." part, no NUL or
//                            newline (ours: kubelet's cgroupfs driver only joins it)
//   --container-log-max-size a quantity that is a whole number of bytes (kubelet's
//                            parseMaxSize); negative turns rotation off (kubelet's
//                            LogRotatePolicy); 0 is refused (kubelet would rotate at every check)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent/node.h"
#include "core/base/result.h"

namespace hp::agent {

// ParseNodeLabels with kubelet's checks of each key and value.
Result<std::vector<std::pair<std::string, std::string>>> CheckedNodeLabels(std::string_view s);
// ParseTaints with kubelet's checks of each key and value.
Result<std::vector<Taint>> CheckedTaints(std::string_view s);
// The node name a --hostname-override gives: trimmed, lower-cased, a DNS-1123 subdomain.
Result<std::string> CheckedHostnameOverride(std::string_view s);
Status CheckCgroupRoot(std::string_view s);
// Bytes; -1 when rotation is off.
Result<int64_t> CheckedLogMaxSize(std::string_view s);

}  // namespace hp::agent
