// `hostprocess run -f pod.yaml`: one pod in the foreground (SPEC §6), the same verb on Linux
// and Windows. Validates the manifests as the API server would (refusing with `validate`'s
// text), takes the input's one Pod, or one DaemonSet's pod (named after it), and runs it on this
// node (RunInForeground, run_node.h): init containers, then all containers, their output on the
// terminal with a `[container] ` prefix; Ctrl-C stops the pod with its grace period. Exit code:
// the first failing container's, 0 when all succeed; 1: rejected manifest, bad usage or
// unreadable input (as kubectl exits, docs/run.md); 124: --timeout; 128: a container could not
// be started.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/run_node.h"
#include "core/agent/naming.h"
#include "core/agent/schedule.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/pod/duration.h"

namespace hp::cli {
namespace {

struct RunFlags {
  std::vector<std::string> files;
  NamespaceFlags ns;
  std::string timeout;
  AdmissionFlags admission;
  bool verbose = false;
  std::shared_ptr<RunNodeFlags> node;
};

int RunPod(const GlobalOptions& global, const RunFlags& flags) {
  // Admission first: a rejected manifest never runs.
  k8s::AdmissionOptions admission;
  if (!MakeAdmissionOptions(flags.admission, &admission)) return 1;
  if (!CheckRunNodeFlags(*flags.node)) return 1;
  ForegroundPod run;
  run.verbose = flags.verbose;
  if (!flags.timeout.empty()) {
    auto d = pod::ParseDuration(flags.timeout);
    if (!d) {
      Print(stderr, fmt::format("error: --timeout: {}\n", d.error().ToString()));
      return 1;
    }
    run.timeout = *d;
  }
  auto decoded = DecodeManifests(flags.files);
  if (!decoded) {
    Print(stderr, "error: " + decoded.error().ToString() + "\n");
    return 1;
  }
  if (flags.ns.given) {
    if (auto s = SetNamespaceOfObjects(decoded->objects, flags.ns.ns, true); !s) {
      Print(stderr, "error: " + s.error().ToString() + "\n");
      return 1;
    }
  }
  if (!WarnAndAdmit(*decoded, admission)) return 1;
  // The one workload of the input: a Pod, or a DaemonSet's pod (named after the DaemonSet).
  int workloads = 0;
  bool daemon_set = false;
  for (const k8s::Object& o : decoded->objects) {
    if (const k8s::Pod* p = o.pod()) {
      run.pod = *p;
      workloads++;
    } else if (const k8s::DaemonSet* d = o.daemon_set()) {
      daemon_set = true;
      run.pod = k8s::Pod();
      run.pod.metadata = d->spec.template_.metadata;
      run.pod.metadata.name = d->metadata.name;
      run.pod.metadata.namespace_ = d->metadata.namespace_;
      run.pod.spec = d->spec.template_.spec;
      workloads++;
    }
  }
  if (workloads != 1) {
    Print(stderr, fmt::format("error: run needs exactly one Pod or DaemonSet in its input, found "
                              "{}\n",
                              workloads));
    return 1;
  }
  // A pod that does not fit this node (its nodeSelector, affinity, taints) would stay Pending
  // in a cluster (a DaemonSet's would not be made): in the foreground, the scheduler's words.
  const agent::Node node = ForegroundNode(global);
  agent::FitResult fit = agent::CheckFit(run.pod.spec, node, daemon_set);
  if (!fit.fits) {
    Print(stderr, fmt::format("hostprocess: Warning FailedScheduling: {}\n", fit.Message()));
    for (const std::string& d : fit.details) Print(stderr, "  " + d + "\n");
    return 1;
  }
  // The scheduler's NodePorts: a host port that a pod the node keeps holds is not free. Only a
  // pod that asks for one reads the node's pods.
  if (!agent::HostPortsOf(run.pod.spec).empty()) {
    auto held = HeldHostPorts(global);
    if (!held) return Fail(held.error());
    agent::Placement p = agent::PlacePod(run.pod.spec, node, daemon_set, *held);
    if (p.kind != agent::Placement::kPlaced) {
      Print(stderr, fmt::format("hostprocess: Warning {}: {}\n", p.reason, p.message));
      for (const std::string& d : p.details) Print(stderr, "  " + d + "\n");
      return 1;
    }
  }
  // Each run is a new pod: its uid is the node's to give, as the API server gives one at create
  // (a manifest's own, e.g. from `get -o yaml`, would share another pod's directories and job).
  run.pod.metadata.uid = agent::NewUid();
  if (run.pod.metadata.namespace_.empty()) run.pod.metadata.namespace_ = "default";
  run.objects = &decoded->objects;
  return RunInForeground(global, *flags.node, run);
}

CommandRegistration run_verb(20, {"run"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run one HostProcess pod in the foreground: init containers in order, then all\n"
      "containers; output prefixed with [container]; Ctrl-C stops the pod with its grace\n"
      "period. Exit code: the first failing container's, 0 when all succeed.");
  cmd->add_option("-f,--filename", flags->files,
                  "Manifest with one Pod or DaemonSet (plus the ConfigMaps, Secrets and "
                  "Namespaces it uses)")
      ->required();
  AddNamespaceFlags(cmd, flags->ns, false);
  cmd->add_option("--timeout", flags->timeout,
                  "Stop the pod after this long (e.g. 30s, 5m); exit code 124");
  AddAdmissionFlags(cmd, flags->admission);
  cmd->add_flag("-v,--verbose", flags->verbose, "Print container start/exit events");
  flags->node = AddRunNodeFlags(cmd);
  cmd->callback([flags, &global, &exit_code] { exit_code = RunPod(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
