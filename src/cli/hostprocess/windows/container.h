// One HostProcess container on Windows (preview, docs/windows.md), shared by `run -f` and the
// pod supervisor: its container volume `<volume-root>\<id>\` (CONTAINER_SANDBOX_MOUNT_POINT,
// trailing `\`) with the imported image's files, hcsshim's environment and application-name
// rules (core/windows), its own Job Object (kill-on-job-close), its first process.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/job/job.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/types.h"
#include "core/launch/windows/spawn.h"

namespace hp::cli::windows_node {

struct ContainerOptions {
  std::string root;         // --root: where imported images are
  std::string volume_root;  // container volumes are made below it, one per container
  void* std_out = nullptr;  // the container's stdout/stderr HANDLEs (null: the caller's)
  void* std_err = nullptr;
  std::string id;                  // the container's id (its volume's name); empty: a new one
  std::string volumes_dir;         // where the pod's emptyDir volumes are made (empty: refused)
  void* pseudo_console = nullptr;  // Exec: an HPCON to run the command in (exec -t)
  // Exec: how long the command may run (negative: no limit); past it the command is
  // terminated and Exec fails with kUnavailable "timed out" (a probe's timeoutSeconds).
  std::chrono::milliseconds timeout{-1};
  // Start: where its warnings go (what the preview or Wine does not apply), each with a reason
  // (`ImageNotImported`, `ReadOnlyNotEnforced`, `LimitsNotEnforced`, `IoRateNotApplied`,
  // `SecretNotProtected`) and a
  // message naming the container. Null: `Warning: <message>` lines on stderr (`run -f`); the pod
  // supervisor, which has no console, makes them Warning events of the pod.
  std::function<void(const std::string& reason, const std::string& message)> warn;
  // The ConfigMaps and Secrets of the pod's namespace (configMapKeyRef, secretKeyRef, envFrom,
  // configMap and secret volumes); owned by the caller.
  std::vector<const k8s::ConfigMap*> config_maps;
  std::vector<const k8s::Secret*> secrets;
};

// A new container id: 32 random hex digits.
std::string NewContainerId();

// A started container: its job, first process and container volume.
struct Running {
  std::string name;
  std::string volume;
  // Its Job Object behind job.h (job::JobObjectOf gives the JobObject): dropping it kills
  // what is left in the job.
  std::unique_ptr<job::Job> job;
  launch::Process process;
  // The container's id when an ephemeral user was made for it (its runAsUserName is a local
  // group), deleted by Finish once the job is empty; else empty.
  std::string ephemeral_user;
  // Whether its volume holds an imported image's files (else it started empty, with the
  // ImageNotImported warning).
  bool image_imported = false;
};

// Resolves the account, image, command, environment and working directory, makes the volume
// and job, and starts the first process. Unsupported preview features are kUnsupported.
Result<Running> Start(const k8s::Pod& pod, const k8s::Container& c,
                      const ContainerOptions& options);
// Runs `command` in the running container `options.id` (its Job Object, account, environment
// and working directory, as its first process got them) with the caller's standard handles
// unless options give others, or in options.pseudo_console; waits for it (at most
// options.timeout) and returns its exit code.
Result<uint32_t> Exec(const k8s::Pod& pod, const k8s::Container& c, const ContainerOptions& options,
                      const std::vector<std::string>& command);

// Waits for the container's first process to end, draining the job's port meanwhile.
Status WaitFirstProcess(Running& r);
// Waits for the first process, then ends the rest of the job, closes it (r.job is reset),
// deletes the ephemeral user and removes the volume (its links removed, never followed:
// sys::RemoveAll). An error means nothing was cleaned (the job did not empty): the caller keeps
// the container's id recorded for RemoveLeftovers. A user or volume that cannot be removed is
// an error, or, with `volume_left`, reported there while the exit code is returned.
Result<uint32_t> Finish(Running& r, Status* volume_left = nullptr);

// What a container whose holder died (a supervisor or run killed) left: ends what is still in
// its job (opened by name) and waits for it, then deletes its ephemeral user and removes its
// volume `volume`, trying again for up to `retry` while dying processes still hold its files.
// Nothing is removed while the job still has processes. Returns what is left, each named for a
// message (empty: all gone).
std::vector<std::string> RemoveLeftovers(const std::string& volume, const std::string& id,
                                         std::chrono::milliseconds retry);

// Stops containers' jobs as hcsshim's job containers stop (windows::GracefulStop): each is sent
// CTRL_SHUTDOWN_EVENT and has `grace` to empty, then what is left is terminated. Returns once
// every job is empty or terminated: after the grace period and 2 s per job for the events at
// most. (A pod's delete, a probe's restart, `run -f`'s --timeout and Ctrl-C.)
void StopJobs(const std::vector<job::JobObject*>& jobs, std::chrono::milliseconds grace);
// StopJobs for the containers `ids`, their jobs opened by name (a container that ended
// meanwhile has none and is skipped): for a stopper that does not hold the jobs' handles.
void StopContainers(const std::vector<std::string>& ids, std::chrono::milliseconds grace);

// Writes `s` to `f` at once and flushes (binary: the bytes Linux writes).
void Write(FILE* f, const std::string& s);

}  // namespace hp::cli::windows_node
