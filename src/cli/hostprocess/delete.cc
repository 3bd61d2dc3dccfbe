// `hostprocess delete pod|ds|cm|secret NAME... | -f FILE`: kubectl delete for this node, both
// nodes' (the objects go through node_pods.h). A deleted DaemonSet or Pod is stopped with its
// grace period and everything it had on the host (jobs, mounts, sandboxes, ephemeral users,
// logs) is removed before this returns. A DaemonSet's pod deleted by name comes back, as the
// DaemonSet controller would recreate it.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"
#include "core/k8s/decode.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

struct DeleteFlags {
  std::vector<std::string> args;  // RESOURCE NAME... or TYPE/NAME...
  std::vector<std::string> files;
  bool recursive = false;  // -R
  NamespaceFlags ns;
  bool ignore_not_found = false;
  bool all = false;           // --all
  std::string selector;       // -l
  int64_t grace_period = -1;  // --grace-period: -1 the pod's own
  bool now = false;           // --now: 1 s
  bool force = false;         // --force: with --grace-period 0, at once
};

struct Target {
  std::string kind, ns, name;
};

int RunDelete(const GlobalOptions& global, const DeleteFlags& f) {
  // kubectl's grace rules (delete.go Complete): --now is 1 s; 0 without --force is 1 (against
  // accidental data loss); --force without a period is 0, which kills at once.
  int64_t grace = f.grace_period;
  if (f.now) {
    if (grace != -1) {
      Print(stderr, "error: --now and --grace-period cannot be specified together\n");
      return 1;
    }
    grace = 1;
  }
  if (grace == 0 && !f.force) grace = 1;
  if (f.force && grace < 0) grace = 0;
  std::optional<int64_t> grace_seconds;
  if (grace >= 0) grace_seconds = grace;
  bool forced = f.force && grace == 0;
  if (forced) {
    Print(stderr,
          "Warning: Immediate deletion does not wait for confirmation that the running resource "
          "has been terminated. The resource may continue to run on the cluster indefinitely.\n");
  }
  std::vector<Target> targets;
  // The node, opened once: for the listing of --all and -l, and for the deletes.
  std::unique_ptr<NodePods> node;
  auto open_node = [&]() -> Status {
    if (!node) {
      ASSIGN_OR_RETURN(node, OpenNodePods(global));
    }
    return Ok();
  };
  if (!f.files.empty()) {
    if (!f.args.empty()) {
      Print(stderr,
            "error: there is no need to specify a resource type as a separate argument "
            "when passing arguments in resource/name form or with -f\n");
      return 1;
    }
    auto decoded = DecodeManifests(f.files, {}, f.recursive);
    if (!decoded) return Fail(decoded.error());
    if (auto s = SetNamespaceOfObjects(decoded->objects, f.ns.ns, f.ns.given); !s)
      return Fail(s.error());
    for (const k8s::Object& o : decoded->objects) {
      std::string kind = agent::ResourceKind(std::string(k8s::KindName(o.kind)));
      std::string ns = o.metadata().namespace_.empty() ? f.ns.ns : o.metadata().namespace_;
      targets.push_back({kind, ns, o.metadata().name});
    }
  } else if (f.all || !f.selector.empty()) {
    // TYPE with --all or -l: every object of the type in the namespace (that matches).
    if (f.args.size() != 1 || f.args[0].find('/') != std::string::npos) {
      Print(stderr, f.args.empty() ? "error: You must provide one or more resources by argument "
                                     "or filename.\n"
                                   : "error: name cannot be provided when a selector or --all is "
                                     "specified\n");
      return 1;
    }
    if (f.all && !f.selector.empty()) {
      Print(stderr, "error: setting 'all' parameter but found a non empty selector.\n");
      return 1;
    }
    std::string kind = agent::ResourceKind(f.args[0]);
    if (kind != "pods" && kind != "daemonsets" && kind != "configmaps" && kind != "secrets") {
      Print(stderr,
            fmt::format("error: the server doesn't have a resource type \"{}\"\n", f.args[0]));
      return 1;
    }
    auto labels = k8s::LabelMatcher::Parse(f.selector);
    if (!labels) return Fail(labels.error());
    if (Status opened = open_node(); !opened) return Fail(opened.error());
    auto add = [&](const std::string& ns, const std::string& name, const nlohmann::json& obj) {
      if (ns == f.ns.ns && labels->Matches(k8s::LabelsOf(obj))) targets.push_back({kind, ns, name});
    };
    if (kind == "pods") {
      auto pods = node->ListRows();  // their names and labels
      if (!pods) return Fail(pods.error());
      for (const NodePod& p : *pods) add(p.ns, p.name, p.pod);
    } else if (kind == "daemonsets") {
      auto list = node->DaemonSets();
      if (!list) return Fail(list.error());
      for (const NodeDaemonSet& d : *list) add(d.ns, d.name, d.object);
    } else {
      auto list = node->Objects(kind, f.ns.ns);
      if (!list) return Fail(list.error());
      for (const NodeObject& o : *list) add(o.ns, o.name, o.object);
    }
    if (targets.empty()) {
      Print(stdout, "No resources found\n");
      return 0;
    }
  } else {
    std::string type;
    for (const std::string& a : f.args) {
      if (auto slash = a.find('/'); slash != std::string::npos) {
        targets.push_back({agent::ResourceKind(a.substr(0, slash)), f.ns.ns, a.substr(slash + 1)});
      } else if (type.empty()) {
        type = a;
      } else {
        targets.push_back({agent::ResourceKind(type), f.ns.ns, a});
      }
    }
    if (targets.empty()) {
      Print(stderr, type.empty() ? "error: You must provide one or more resources by argument or "
                                   "filename.\n"
                                 : fmt::format("error: resource(s) were provided, but no name was "
                                               "specified\n"));
      return 1;
    }
  }
  if (Status opened = open_node(); !opened) return Fail(opened.error());
  int rc = 0;
  std::vector<NodePods::DeleteRequest> requests;
  for (const Target& t : targets) {
    if (t.kind.empty()) {
      Print(stderr, "error: the server doesn't have that resource type\n");
      rc = 1;
      continue;
    }
    requests.push_back({t.kind, t.ns, t.name, grace_seconds});
  }
  for (auto& r : node->Delete(requests)) {
    if (r) {
      // kubectl's line for a forced delete: `pod "x" force deleted`.
      std::string line = *r;
      if (forced && EndsWith(line, " deleted")) line.insert(line.size() - 7, "force ");
      Print(stdout, line + "\n");
    } else if (r.error().code() == ErrorCode::kNotFound) {
      if (!f.ignore_not_found) {
        Print(stderr, "Error from server (NotFound): " + r.error().ToString() + "\n");
        rc = 1;
      }
    } else {
      rc = Fail(r.error());
    }
  }
  return rc;
}

CommandRegistration delete_verb(
    36, {"delete"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<DeleteFlags>();
      CLI::App* cmd = app.add_subcommand(
          "delete",
          "Delete pods, DaemonSets, ConfigMaps or Secrets from this node (kubectl delete): delete\n"
          "pod NAME, delete ds NAME, delete -f FILE. Waits until the pods are stopped and\n"
          "everything they had is gone.");
      cmd->add_option("args", flags->args, "RESOURCE NAME... or RESOURCE/NAME...");
      cmd->add_option("-f,--filename", flags->files, "Delete the objects of these manifests");
      cmd->add_flag("-R,--recursive", flags->recursive,
                    "Read the directories of -f with their subdirectories");
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_flag("--ignore-not-found", flags->ignore_not_found,
                    "Treat a missing object as deleted");
      cmd->add_flag("--all", flags->all, "Delete every object of the type in the namespace");
      cmd->add_option("-l,--selector", flags->selector,
                      "Delete the objects of the type with these labels (k=v, 'k in (a,b)', ...)");
      cmd->add_option("--grace-period", flags->grace_period,
                      "Seconds a pod's containers get to stop, instead of the pod's "
                      "terminationGracePeriodSeconds (-1: the pod's; 0 is 1 unless --force)")
          ->capture_default_str();
      cmd->add_flag("--now", flags->now, "Stop the pods at once (a grace period of 1 s)");
      cmd->add_flag("--force", flags->force,
                    "With --grace-period=0 (the default with --force): kill the pods' containers "
                    "at once");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunDelete(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
