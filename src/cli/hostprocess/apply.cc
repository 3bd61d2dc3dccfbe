// `hostprocess apply -f FILE`: kubectl apply against this node, both nodes' (the objects go
// through node_pods.h, the node flags through apply_node.h). The manifests are admitted as the
// API server would (validate's text and exit 1 on a rejection: nothing is stored), stored as
// the node's desired state, and reconciled: each DaemonSet that fits this node runs one pod,
// each Pod runs, each under its own supervisor, so the pods outlive this command. Without -f,
// only reconciles (after a reboot or a crashed supervisor) and prints what it started or
// removed (hostprocess.service runs it at boot).
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/apply_node.h"
#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/dry_run.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/node_pods.h"
#include "core/k8s/decode.h"

namespace hp::cli {
namespace {

struct ApplyFlags {
  std::vector<std::string> files;
  bool recursive = false;  // -R
  NamespaceFlags ns;
  AdmissionFlags admission;
  std::shared_ptr<ApplyNodeFlags> node;
  std::string dry_run = "none";  // none | client | server
  std::string output;            // with --dry-run: yaml | json | name
};

int RunApply(const GlobalOptions& global, const ApplyFlags& flags, CLI::App* cmd) {
  if (!DryRunFlagsValid(flags.dry_run, flags.output)) return 1;
  k8s::AdmissionOptions admission;
  if (!MakeAdmissionOptions(flags.admission, &admission)) return 1;
  std::vector<k8s::Object> objects;
  if (!flags.files.empty()) {
    auto decoded = DecodeManifests(flags.files, {.keep_raw = true}, flags.recursive);
    if (!decoded) return Fail(decoded.error());
    if (flags.ns.given) {
      if (auto s = SetNamespaceOfObjects(decoded->objects, flags.ns.ns, true); !s)
        return Fail(s.error());
    }
    // Nothing to admit in an empty input: its warnings come before the error, as before.
    if (!WarnAndAdmit(*decoded, admission)) return 1;
    if (decoded->objects.empty()) {
      Print(stderr, "error: no objects passed to apply\n");
      return 1;
    }
    objects = std::move(decoded->objects);
  }
  if (flags.dry_run != "none") {
    if (objects.empty()) {
      Print(stderr, "error: must specify one of -f and -k\n");
      return 1;
    }
    // Opened without the node flags: a dry run keeps none of them.
    auto node = OpenNodePods(global);
    if (!node) return Fail(node.error());
    return PrintDryRun(**node, objects, flags.dry_run, flags.output);
  }
  auto node = OpenNodeForApply(global, *flags.node, cmd);
  if (!node) return Fail(node.error());
  if (objects.empty()) return RestoreNode(**node);
  int rc = 0;
  std::string out;
  for (Result<std::string>& line : (*node)->Apply(objects)) {
    if (line) {
      out += *line + "\n";
      continue;
    }
    rc = 1;
    // The API server's refusal of an update is printed as kubectl prints it.
    const Error& e = line.error();
    if (e.code() == ErrorCode::kInvalidArgument && e.message().rfind("The ", 0) == 0) {
      Print(stderr, e.message() + "\n");
    } else {
      Fail(e);
    }
  }
  Print(stdout, out);
  return rc;
}

CommandRegistration apply_verb(
    30, {"apply"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<ApplyFlags>();
      CLI::App* cmd = app.add_subcommand(
          "apply",
          "Apply manifests to this node, as kubectl apply does to a cluster: ConfigMaps and\n"
          "Secrets are stored, DaemonSets that fit this node and Pods run as HostProcess pods,\n"
          "each kept running by its own supervisor. A changed DaemonSet template replaces its\n"
          "pod. Without -f: bring the node back to the applied state (after a reboot or a\n"
          "crash).");
      cmd->add_option("-f,--filename", flags->files,
                      "Manifest file, directory (*.yaml, *.yml, *.json) or - for stdin");
      cmd->add_flag("-R,--recursive", flags->recursive,
                    "Read the directories of -f with their subdirectories");
      AddNamespaceFlags(cmd, flags->ns, false);
      AddAdmissionFlags(cmd, flags->admission);
      flags->node = AddApplyNodeFlags(cmd);
      cmd->add_option("--dry-run", flags->dry_run,
                      "none, client or server: print what would be applied, change nothing")
          ->capture_default_str();
      cmd->add_option("-o,--output", flags->output, "yaml, json or name (the applied objects)");
      cmd->callback(
          [flags, &global, &exit_code, cmd] { exit_code = RunApply(global, *flags, cmd); });
    });

}  // namespace
}  // namespace hp::cli
