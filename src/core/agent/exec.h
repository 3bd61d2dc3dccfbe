// hp/agent: running another process in a running container (`hostprocess exec`, exec probes).
//
// The supervisor records, for each running container, what a new process of it needs
// (`run/pods/<key>/exec/<container>.json`): its job, account, capabilities, environment,
// working directory and where commands are looked up. Anyone with that record joins the container
// as kubelet's exec does for a HostProcess container: same job (so it is limited and killed with
// the container), same identity, same environment and working directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/launch/launch.h"

namespace hp::job {
class Job;
}

namespace hp::agent {

struct ExecInfo {
  std::string pod_id;        // job parent (pod uid)
  std::string container_id;  // job leaf
  std::string job_root;
  std::vector<std::string> env;  // "K=V", the container's final environment
  std::string cwd;               // resolved on the host
  // Where a command is looked up, as for the container's own command (plan/process.h).
  std::string sandbox;
  std::vector<std::string> image_path;
  std::vector<std::string> host_path;
  bool image_loader = true;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::optional<launch::Capabilities> caps;
  bool no_new_privs = false;
};

void to_json(nlohmann::json& j, const ExecInfo& e);
void from_json(const nlohmann::json& j, ExecInfo& e);

// A LaunchSpec for `argv` in the container: argv resolved as the container's command is
// (plan::ResolveProcess: the image's PATH first, the image's loader), the caller's stdio fds and
// `job` filled in by the caller.
Result<launch::LaunchSpec> ExecSpec(const ExecInfo& info, const std::vector<std::string>& argv);

// Runs `argv` in the container with output captured (stdout and stderr together, at most
// agent::kExecProbeOutputLimit kept) and a timeout (kubelet's exec probe). The process is killed on
// timeout.
struct ExecResult {
  bool timed_out = false;
  int exit_code = 0;
  std::string output;
};
Result<ExecResult> ExecCapture(const ExecInfo& info, job::Job* job,
                               const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout);

}  // namespace hp::agent
