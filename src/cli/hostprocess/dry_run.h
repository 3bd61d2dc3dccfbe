// What `apply` would do to each object of a manifest, without doing it (diff.cc): the object as
// this node has it (LIVE) and as it would be stored (MERGED). Used by `diff -f` and
// `apply --dry-run=client|server`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/agent.h"
#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::cli {

struct DryRunObject {
  std::string kind_dir;  // "pods", "daemonsets", "configmaps", ...
  std::string ns, name;
  std::string file_name;  // kubectl diff's: [group.]version.Kind.namespace.name
  nlohmann::json live;    // null when the object does not exist here
  nlohmann::json merged;
  std::string change;  // "created", "configured" or "unchanged" (kubectl apply's words)
};

// `objects` decoded with keep_raw.
Result<std::vector<DryRunObject>> DryRun(agent::Agent& a, const std::vector<k8s::Object>& objects,
                                         const std::string& default_ns);

}  // namespace hp::cli
