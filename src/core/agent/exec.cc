#include "core/agent/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/agent/probe_timing.h"
#include "core/plan/process.h"
#include "core/sys/file.h"

namespace hp::agent {

void to_json(nlohmann::json& j, const ExecInfo& e) {
  j = nlohmann::json{{"podId", e.pod_id},
                     {"containerId", e.container_id},
                     {"cgroupRoot", e.job_root},
                     {"env", e.env},
                     {"cwd", e.cwd},
                     {"sandbox", e.sandbox},
                     {"imagePath", e.image_path},
                     {"hostPath", e.host_path},
                     {"imageLoader", e.image_loader},
                     {"uid", e.uid},
                     {"gid", e.gid},
                     {"groups", e.groups},
                     {"noNewPrivs", e.no_new_privs}};
  if (e.caps) {
    j["caps"] = {e.caps->bounding, e.caps->effective, e.caps->permitted, e.caps->inheritable,
                 e.caps->ambient};
  }
}

void from_json(const nlohmann::json& j, ExecInfo& e) {
  j.at("podId").get_to(e.pod_id);
  j.at("containerId").get_to(e.container_id);
  j.at("cgroupRoot").get_to(e.job_root);
  j.at("env").get_to(e.env);
  j.at("cwd").get_to(e.cwd);
  e.sandbox = j.value("sandbox", std::string());
  e.image_path = j.value("imagePath", std::vector<std::string>());
  // A record written before image-first lookup: its searchPath held every directory.
  e.host_path = j.contains("hostPath") ? j.at("hostPath").get<std::vector<std::string>>()
                                       : j.value("searchPath", std::vector<std::string>());
  e.image_loader = j.value("imageLoader", true);
  j.at("uid").get_to(e.uid);
  j.at("gid").get_to(e.gid);
  j.at("groups").get_to(e.groups);
  j.at("noNewPrivs").get_to(e.no_new_privs);
  if (j.contains("caps")) {
    auto v = j.at("caps").get<std::vector<uint64_t>>();
    if (v.size() == 5) e.caps = launch::Capabilities{v[0], v[1], v[2], v[3], v[4]};
  }
}

Result<launch::LaunchSpec> ExecSpec(const ExecInfo& info, const std::vector<std::string>& argv) {
  if (argv.empty()) return Err(ErrorCode::kInvalidArgument, "exec: no command");
  plan::ProcessRequest req;
  req.argv = argv;
  // A record without a sandbox (written before image-first lookup): host paths only.
  req.sandbox = info.sandbox.empty() ? "/" : info.sandbox;
  req.image_path = info.image_path;
  req.host_path = info.host_path;
  req.cwd = info.cwd;
  req.image_loader = info.image_loader && !info.sandbox.empty();
  ASSIGN_OR_RETURN(plan::ProcessSpec resolved, plan::ResolveProcess(req, plan::RealFs()));
  launch::LaunchSpec spec;
  spec.path = std::move(resolved.executable);
  spec.argv = std::move(resolved.argv);
  spec.env = info.env;
  spec.cwd = info.cwd;
  spec.uid = info.uid;
  spec.gid = info.gid;
  spec.groups = info.groups;
  spec.caps = info.caps;
  spec.no_new_privs = info.no_new_privs;
  return spec;
}

Result<ExecResult> ExecCapture(const ExecInfo& info, job::Job* job,
                               const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(launch::LaunchSpec spec, ExecSpec(info, argv));
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd r(p[0]), w(p[1]);
  ASSIGN_OR_RETURN(UniqueFd devnull, sys::Open("/dev/null", O_RDONLY));
  spec.stdin_fd = devnull.get();
  spec.stdout_fd = w.get();
  spec.stderr_fd = w.get();
  spec.new_session = true;
  spec.job = job;
  spec.parent_death_signal = SIGKILL;
  ASSIGN_OR_RETURN(launch::Process proc, launch::Launch(spec));
  w.reset();
  ExecResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (r) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    struct pollfd pfd = {r.get(), POLLIN, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(r.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (result.output.size() < kExecProbeOutputLimit)
      result.output.append(buf, static_cast<size_t>(got));
  }
  if (result.timed_out) ::kill(proc.pid, SIGKILL);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  ASSIGN_OR_RETURN(auto st, launch::Wait(proc, std::max(left, std::chrono::milliseconds(0))));
  if (!st) {
    result.timed_out = true;
    ::kill(proc.pid, SIGKILL);
    ASSIGN_OR_RETURN(st, launch::Wait(proc));
  }
  result.exit_code = st->exit_code;
  if (result.output.size() > kExecProbeOutputLimit) result.output.resize(kExecProbeOutputLimit);
  return result;
}

}  // namespace hp::agent
