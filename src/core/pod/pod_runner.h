// hp/pod: PodRunner runs one pod in the foreground (`hostprocess run`): init containers in
// order, each to completion, then every container at once; waits until all have exited, or
// until Stop() / the timeout, which stop every running container with the pod's grace period.
// The result's exit code is the first failing container's (in the order they ended), 0 when
// all succeeded. Everything is torn down before Run returns (logs are kept).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"
#include "core/pod/duration.h"
#include "core/pod/runner.h"

namespace hp::pod {

struct ContainerResult {
  std::string name;
  bool init = false;
  std::optional<launch::ExitStatus> exit;  // unset: never started
  std::string error;                       // create/start error
  std::string log_path;
};

struct PodResult {
  int exit_code = 0;
  bool timed_out = false;
  bool stopped = false;  // Stop() was called (Ctrl-C, SIGTERM)
  std::vector<ContainerResult> containers;
};

// A container that could not be created or started ends the pod with this code (containerd's
// StartError exit code).
inline constexpr int kStartErrorExitCode = 128;
// The pod did not finish before --timeout (as timeout(1)).
inline constexpr int kTimeoutExitCode = 124;

struct PodRunOptions {
  RunnerOptions runner;
  OutputSink output;  // optional terminal output
  std::optional<std::chrono::milliseconds> timeout;
  // Called with a one-line message when a container starts, ends or fails (optional).
  std::function<void(const std::string&)> events;
  // Gives each container its id before anything of that container exists (optional; else a new
  // random id): a foreground run hands out the ids its record already holds, so that what a
  // killed run left can be found (docs/run.md). An error fails that container's start.
  std::function<Result<std::string>()> container_id;
  // `run --rm`: the pod's log directory is removed once every container's output is in, while
  // the containers are torn down (its errors are left to the caller's own removal after Run).
  bool remove_logs = false;
};

class PodRunner {
 public:
  explicit PodRunner(PodRunOptions options);
  // Runs `pod` (its metadata.uid must be set) to the end. An Error only for failures outside
  // the containers (state directory, cgroup root); container failures are in the result.
  Result<PodResult> Run(const k8s::Pod& pod, const PodObjects& objects);
  // Thread-safe: stops every running container with the grace period; Run then returns.
  void Stop();

 private:
  bool stopped();
  PodRunOptions options_;
  std::mutex mu_;
  bool stop_ = false;
  // Readable once Stop() was called: the wait polls it with the containers' pidfds.
  UniqueFd stop_fd_;
};

}  // namespace hp::pod
