// `hostprocess apply -f FILE`: kubectl apply against this node. The manifests are admitted as
// the API server would (validate's text and exit 1 on a rejection: nothing is stored), stored
// as the node's desired state, and reconciled: each DaemonSet that fits this node runs one pod,
// each Pod runs, each under its own supervisor, so the pods outlive this command. Without -f,
// only reconciles (after a reboot or a crashed supervisor) and prints what it started or
// removed (hostprocess.service runs it at boot).
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/dry_run.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/node_flags.h"
#include "core/image/store.h"
#include "core/k8s/decode.h"
#include "core/k8s/features.h"

namespace hp::cli {
namespace {

struct ApplyFlags {
  std::vector<std::string> files;
  AdmissionFlags admission;
  std::string job_root;
  std::string node_labels;
  std::string taints;
  std::string hostname_override;
  std::string log_max_size;
  int log_max_files = 0;
  std::string feature_gates;
  std::string dry_run = "none";  // none | client | server
  std::string output;            // with --dry-run: yaml | json | name
};

// The images the pods will wait for (ErrImagePull / ErrImageNeverPull): this node never pulls
// on its own, so say it now, with what fills the store.
void WarnMissingImages(const GlobalOptions& global, const std::vector<k8s::Object>& objects) {
  auto store = image::Store::Open(global.root);
  if (!store) return;
  for (const k8s::Object& o : objects) {
    const k8s::PodSpec* spec = o.pod()          ? &o.pod()->spec
                               : o.daemon_set() ? &o.daemon_set()->spec.template_.spec
                                                : nullptr;
    if (!spec) continue;
    std::string what = fmt::format("{}/{}", o.pod() ? "pod" : "daemonset.apps", o.metadata().name);
    for (const auto* list : {&spec->init_containers, &spec->containers}) {
      for (const k8s::Container& c : *list) {
        auto rec = store->Resolve(c.image);
        if (rec || rec.error().code() != ErrorCode::kNotFound) continue;
        Print(stderr,
              fmt::format("Warning: {}: image \"{}\" of container \"{}\" is not in this "
                          "node's image store: the pod waits ({}) until `hostprocess pull "
                          "{}` or `hostprocess import DIR|TARBALL {}`\n",
                          what, c.image, c.name,
                          c.image_pull_policy == "Never" ? "ErrImageNeverPull" : "ErrImagePull",
                          c.image, c.image));
      }
    }
  }
}

int RunApply(const GlobalOptions& global, const ApplyFlags& flags, CLI::App* cmd) {
  if (!DryRunFlagsValid(flags.dry_run, flags.output)) return 1;
  k8s::AdmissionOptions admission;
  if (!MakeAdmissionOptions(flags.admission, &admission)) return 1;
  // The node flags are checked here, with kubelet's words, so that a bad one is a usage error
  // (exit 1) before anything is stored; Agent::Open applies the same checks.
  agent::AgentOptions opts;
  auto usage = [](const char* flag, const Error& e) {
    Print(stderr, fmt::format("error: {}: {}\n", flag, e.ToString()));
    return 1;
  };
  if (cmd->count("--cgroup-root")) {
    if (auto s = agent::CheckCgroupRoot(flags.job_root); !s)
      return usage("--cgroup-root", s.error());
    opts.job_root = flags.job_root;
  }
  if (cmd->count("--node-labels")) {
    if (auto l = agent::CheckedNodeLabels(flags.node_labels); !l)
      return usage("--node-labels", l.error());
    opts.node_labels = flags.node_labels;
  }
  if (cmd->count("--register-with-taints")) {
    if (auto t = agent::CheckedTaints(flags.taints); !t)
      return usage("--register-with-taints", t.error());
    opts.taints = flags.taints;
  }
  if (cmd->count("--hostname-override")) {
    if (auto h = agent::CheckedHostnameOverride(flags.hostname_override); !h)
      return usage("--hostname-override", h.error());
    opts.hostname_override = flags.hostname_override;
  }
  if (cmd->count("--container-log-max-size")) {
    auto size = agent::CheckedLogMaxSize(flags.log_max_size);
    if (!size) return usage("--container-log-max-size", size.error());
    opts.log_max_size = *size;
  }
  if (cmd->count("--container-log-max-files")) {
    if (flags.log_max_files < 1) {
      Print(stderr, "error: --container-log-max-files: must be at least 1\n");
      return 1;
    }
    opts.log_max_files = flags.log_max_files;
  }
  if (cmd->count("--feature-gates")) {
    if (auto g = k8s::ParseFeatureGates(flags.feature_gates); !g) {
      Print(stderr, "error: " + g.error().ToString() + "\n");
      return 1;
    }
    opts.feature_gates = flags.feature_gates;
  }
  std::vector<k8s::Object> objects;
  if (!flags.files.empty()) {
    auto decoded = DecodeManifests(flags.files, {.keep_raw = true});
    if (!decoded) {
      Print(stderr, "error: " + decoded.error().ToString() + "\n");
      return 1;
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
    auto node = OpenNodePods(global);
    if (!node) return Fail(node.error());
    return PrintDryRun(**node, objects, flags.dry_run, flags.output);
  }
  auto agent = OpenAgent(global, opts);
  if (!agent) return Fail(agent.error());
  if (objects.empty()) return RestoreNode(*NodePodsOf(std::move(*agent), global.root));
  WarnMissingImages(global, objects);
  auto lines = (*agent)->Apply(objects);
  if (!lines) {
    // The API server's refusal of an update is printed as kubectl prints it.
    const Error& e = lines.error();
    if (e.code() == ErrorCode::kInvalidArgument && e.message().rfind("The ", 0) == 0) {
      Print(stderr, e.message() + "\n");
      return 1;
    }
    return Fail(e);
  }
  std::string out;
  for (const auto& l : *lines) out += l + "\n";
  Print(stdout, out);
  return 0;
}

CommandRegistration apply_verb(
    30, {"apply"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<ApplyFlags>();
      CLI::App* cmd = app.add_subcommand(
          "apply",
          "Apply manifests to this node, as kubectl apply does to a cluster: DaemonSets that fit\n"
          "this node and Pods run as HostProcess pods, each kept running by its own supervisor.\n"
          "A changed DaemonSet template replaces its pod. Without -f: bring the node back to the\n"
          "applied state (after a reboot or a crash).");
      cmd->add_option("-f,--filename", flags->files,
                      "Manifest file, directory (*.yaml, *.yml, *.json) or - for stdin");
      AddAdmissionFlags(cmd, flags->admission);
      cmd->add_option("--cgroup-root", flags->job_root,
                      "Root of the pods' jobs in each cgroup hierarchy (kept for later commands; "
                      "default /hostprocess)");
      cmd->add_option("--node-labels", flags->node_labels,
                      "Extra node labels, kubelet syntax: key=value,key2=value2 (kept)");
      cmd->add_option("--register-with-taints", flags->taints,
                      "Node taints, kubelet syntax: key=value:Effect,... (kept)");
      cmd->add_option("--hostname-override", flags->hostname_override,
                      "The node name instead of the host name (kept)");
      cmd->add_option("--container-log-max-size", flags->log_max_size,
                      "Rotate a container log at this size, e.g. 10Mi; negative: never, as kubelet "
                      "(kept; default 10Mi)");
      cmd->add_option("--container-log-max-files", flags->log_max_files,
                      "Keep at most this many log files per container (kept; default 5)");
      cmd->add_option(
          "--feature-gates", flags->feature_gates,
          "kubelet feature gates, Name=bool[,...] (kept): WindowsHostProcessContainers=false "
          "leaves HostProcess pods Pending, as kubelet 1.22-1.25 does");
      cmd->add_option("--dry-run", flags->dry_run,
                      "none, client or server: print what would be applied, change nothing")
          ->capture_default_str();
      cmd->add_option("-o,--output", flags->output, "yaml, json or name (the applied objects)");
      cmd->callback(
          [flags, &global, &exit_code, cmd] { exit_code = RunApply(global, *flags, cmd); });
    });

}  // namespace
}  // namespace hp::cli
