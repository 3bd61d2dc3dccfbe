// What `apply` would do to each object of a manifest, without doing it (dry_run.cc): the object
// as this node has it (LIVE) and as it would be stored (MERGED). Used by `diff -f` and
// `apply --dry-run=client|server`, on both nodes (the live objects come from node_pods.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/node_pods.h"
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
Result<std::vector<DryRunObject>> DryRun(NodePods& node, const std::vector<k8s::Object>& objects,
                                         const std::string& default_ns);

// Checks apply's --dry-run and -o values, printing kubectl's error for a bad one.
bool DryRunFlagsValid(const std::string& dry_run, const std::string& output);

// apply --dry-run=client|server [-o yaml|json|name]: what would be created or configured,
// nothing stored or started; kubectl's output. client: the objects as kubectl would send them
// (with the last-applied annotation); server: as the API server would store them (defaults,
// server-set metadata, status).
int PrintDryRun(NodePods& node, const std::vector<k8s::Object>& objects, const std::string& dry_run,
                const std::string& output);

// kubectl's singular resource name in apply's lines: "pod", "daemonset.apps", "configmap".
std::string SingularOf(const std::string& kind_dir);

}  // namespace hp::cli
