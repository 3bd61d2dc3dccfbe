// `hostprocess run -f pod.yaml` on Windows (preview, docs/windows.md): validates as `validate`
// does, then runs the first Pod (or DaemonSet's pod) in the foreground: init containers one
// after another, then every container; each in its own Job Object, from its container volume
// `<volume-root>\<id>\` (CONTAINER_SANDBOX_MOUNT_POINT, trailing `\`), with hcsshim's
// environment and application-name rules (core/windows). When a container's first process
// ends, its job is terminated: nothing it started outlives it. Exit code: the first failing
// container's; 1: rejected manifest; 2: bad usage, unreadable input or what the preview does
// not support yet; 128: a container could not be started.
//
// Images are the directory images of `hostprocess import` (core/image/windows/dir_images.h):
// their files are copied into the container volume, their config gives the command, env and
// working directory, and an image built for another OS is refused. An image never imported is
// warned about and the volume starts empty.
//
// ConfigMaps and Secrets given in the same input are what the pod's configMapKeyRef,
// secretKeyRef, envFrom and configMap/secret volumes read (as on Linux).
//
// Preview limits: accounts other than microsoft.com/hostprocess-inherit-user: "true", some
// volumes, probes and restarts are refused or ignored as said below.
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/runs.h"
#include "core/image/windows/dir_images.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/launch/windows/spawn.h"
#include "core/plan/plan.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"
#include "core/windows/account.h"
#include "core/windows/application.h"
#include "core/windows/command_line.h"
#include "core/windows/environment.h"
#include "core/windows/job_limits.h"
#include "core/windows/path.h"

namespace hp::cli {
namespace {

using windows_node::Finish;
using windows_node::Running;
using windows_node::Write;

struct RunFlags {
  std::vector<std::string> files;
  AdmissionFlags admission;
  windows_node::ContainerOptions container{"", "C:\\hpc"};
};

int RunPod(const RunFlags& flags) {
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(flags.admission, &opts)) return 2;
  auto decoded = DecodeManifests(flags.files);
  if (!decoded) {
    Write(stderr, "error: " + decoded.error().ToString() + "\n");
    return 2;
  }
  if (!WarnAndAdmit(*decoded, opts)) return 1;
  // The pod to run: the first Pod, or the pod a DaemonSet's template makes (named after it).
  std::optional<k8s::Pod> found;
  for (const k8s::Object& o : decoded->objects) {
    if (const k8s::Pod* p = o.pod()) {
      found = *p;
    } else if (const k8s::DaemonSet* d = o.daemon_set()) {
      found.emplace();
      found->metadata = d->spec.template_.metadata;
      found->metadata.name = d->metadata.name;
      found->metadata.namespace_ = d->metadata.namespace_;
      found->spec = d->spec.template_.spec;
    }
    if (found) break;
  }
  if (!found) {
    Write(stderr, "error: no Pod or DaemonSet to run\n");
    return 2;
  }
  const k8s::Pod& pod = *found;
  // The ConfigMaps and Secrets of the same input, as Linux's run takes them.
  windows_node::PodObjects objects = windows_node::ObjectsOf(decoded->objects);
  const k8s::PodSpec* spec = &pod.spec;
  // What a run killed before it ended left (its volumes) goes first; this run records its own.
  for (const std::string& left : windows_node::ReapForegroundRuns(flags.container.root))
    Write(stderr, "Warning: cannot remove " + left + ", left by a run that was killed\n");
  auto record = windows_node::ForegroundRun::Begin(flags.container.root);
  if (!record) {
    Write(stderr, "error: " + record.error().ToString() + "\n");
    return 128;
  }
  if (Status s = record->Add(flags.container.volumes_dir); !s) {
    Write(stderr, "error: " + s.error().ToString() + "\n");
    return 128;
  }
  auto run_one = [&](const k8s::Container& c) -> Result<Running> {
    windows_node::ContainerOptions options = flags.container;
    options.config_maps = objects.config_maps;
    options.secrets = objects.secrets;
    options.id = windows_node::NewContainerId();
    Status recorded = record->Add(windows::JoinPath(options.volume_root, options.id));
    Result<Running> r =
        recorded ? windows_node::Start(pod, c, options) : Result<Running>(Err(recorded.error()));
    if (!r) {
      Write(stderr, "error: " + r.error().ToString() + "\n");
      // Start undoes what it made; what it could not stays recorded for the next command.
      std::string volume = windows::JoinPath(options.volume_root, options.id);
      if (!windows_node::RemoveLeftovers(volume, options.id, std::chrono::milliseconds(0)).empty())
        record->Keep();
    }
    return r;
  };
  for (const k8s::Container& c : spec->init_containers) {
    auto r = run_one(c);
    if (!r) return r.error().code() == ErrorCode::kUnsupported ? 2 : 128;
    Status left = Ok();
    auto code = Finish(*r, &left);
    if (!left || !code) record->Keep();  // the next command removes what is left
    if (!left) Write(stderr, "Warning: " + left.error().ToString() + "\n");
    if (!code) {
      Write(stderr, "error: " + code.error().ToString() + "\n");
      return 128;
    }
    if (*code != 0) return static_cast<int>(*code);
  }
  std::vector<Running> running;
  int failed = 0;
  for (const k8s::Container& c : spec->containers) {
    auto r = run_one(c);
    if (!r) {
      failed = r.error().code() == ErrorCode::kUnsupported ? 2 : 128;
      break;
    }
    running.push_back(std::move(*r));
  }
  int exit_code = failed;
  for (Running& r : running) {
    if (failed) (void)r.job->Kill();
    Status left = Ok();
    auto code = Finish(r, &left);
    if (!left || !code) record->Keep();  // the next command removes what is left
    if (!left) Write(stderr, "Warning: " + left.error().ToString() + "\n");
    if (!code) {
      Write(stderr, "error: " + code.error().ToString() + "\n");
      if (exit_code == 0) exit_code = 128;
    } else if (*code != 0 && exit_code == 0) {
      exit_code = static_cast<int>(*code);
    }
  }
  return exit_code;
}

CommandRegistration registration(
    20, {"run"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<RunFlags>();
      CLI::App* cmd = app.add_subcommand(
          "run",
          "Run one pod in the foreground (Windows preview: see docs/windows.md) and exit with the\n"
          "code of its first failing container.");
      cmd->add_option("-f,--filename", flags->files, "Manifest file, directory or - for stdin")
          ->required();
      AddAdmissionFlags(cmd, flags->admission);
      cmd->add_option("--volume-root", flags->container.volume_root,
                      "Where container volumes are made: <volume-root>\\<container-id>\\")
          ->capture_default_str();
      cmd->callback([flags, &global, &exit_code] {
        flags->container.root = global.root;
        // The pod's emptyDir volumes, made when a container mounts one, for this run only.
        flags->container.volumes_dir = windows::JoinPath(
            flags->container.volume_root, windows_node::NewContainerId() + ".volumes");
        exit_code = RunPod(*flags);
        if (Status s = sys::RemoveAll(flags->container.volumes_dir); !s)
          Write(stderr, "Warning: " + s.error().ToString() + "\n");
      });
    });

}  // namespace
}  // namespace hp::cli
