// hp/oci: OCI lifecycle hooks. Each hook runs with exactly its `args` and `env`, the container
// state JSON on stdin, and is killed after its `timeout`. A failure names the hook and carries
// what it printed.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/oci/spec.h"

namespace hp::oci {

// The state JSON given to hooks (OCI runtime spec "State").
std::string HookState(const std::string& oci_version, const std::string& id,
                      const std::string& status, int pid, const std::string& bundle,
                      const std::map<std::string, std::string>& annotations);

Status RunHook(const Hook& hook, const std::string& state_json);
// Runs `hooks` in order; stops at the first failure ("<kind> hook #N: ...").
Status RunHooks(const std::vector<Hook>& hooks, const std::string& kind,
                const std::string& state_json);

}  // namespace hp::oci
