// `hostprocess delete pod|ds NAME... | -f FILE`: kubectl delete for this node. A deleted
// DaemonSet or Pod is stopped with its grace period and everything it had on the host (jobs,
// mounts, sandboxes, ephemeral users, logs) is removed before this returns. A DaemonSet's pod
// deleted by name comes back, as the DaemonSet controller would recreate it.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/manifests.h"
#include "core/k8s/decode.h"

namespace hp::cli {
namespace {

struct DeleteFlags {
  std::vector<std::string> args;  // RESOURCE NAME... or TYPE/NAME...
  std::vector<std::string> files;
  NamespaceFlags ns;
  bool ignore_not_found = false;
};

struct Target {
  std::string kind, ns, name;
};

int RunDelete(const GlobalOptions& global, const DeleteFlags& f) {
  std::vector<Target> targets;
  if (!f.files.empty()) {
    if (!f.args.empty()) {
      Print(stderr,
            "error: there is no need to specify a resource type as a separate argument "
            "when passing arguments in resource/name form or with -f\n");
      return 2;
    }
    auto decoded = DecodeManifests(f.files);
    if (!decoded) return Fail(decoded.error());
    for (const k8s::Object& o : decoded->objects) {
      std::string kind = agent::ResourceKind(std::string(k8s::KindName(o.kind)));
      std::string ns = o.metadata().namespace_.empty() ? f.ns.ns : o.metadata().namespace_;
      targets.push_back({kind, ns, o.metadata().name});
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
      return 2;
    }
  }
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  int rc = 0;
  std::vector<agent::Agent::DeleteRequest> requests;
  for (const Target& t : targets) {
    if (t.kind.empty()) {
      Print(stderr, "error: the server doesn't have that resource type\n");
      rc = 1;
      continue;
    }
    requests.push_back({t.kind, t.ns, t.name});
  }
  for (auto& r : (*agent)->Delete(requests)) {
    if (r) {
      Print(stdout, *r + "\n");
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

CommandRegistration delete_verb(36, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<DeleteFlags>();
  CLI::App* cmd = app.add_subcommand(
      "delete",
      "Delete pods or DaemonSets from this node (kubectl delete): delete pod NAME, delete ds\n"
      "NAME, delete -f FILE. Waits until the pods are stopped and everything they had is gone.");
  cmd->add_option("args", flags->args, "RESOURCE NAME... or RESOURCE/NAME...");
  cmd->add_option("-f,--filename", flags->files, "Delete the objects of these manifests");
  AddNamespaceFlags(cmd, flags->ns, false);
  cmd->add_flag("--ignore-not-found", flags->ignore_not_found, "Treat a missing object as deleted");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunDelete(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
