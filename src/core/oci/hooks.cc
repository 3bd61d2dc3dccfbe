#include "core/oci/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/base/unique_fd.h"
#include "core/sys/file.h"

namespace hp::oci {

std::string HookState(const std::string& oci_version, const std::string& id,
                      const std::string& status, int pid, const std::string& bundle,
                      const std::map<std::string, std::string>& annotations) {
  nlohmann::json j = {{"ociVersion", oci_version.empty() ? "1.0.2" : oci_version},
                      {"id", id},
                      {"status", status},
                      {"bundle", bundle}};
  if (pid > 0) j["pid"] = pid;
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

namespace {

int64_t NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

Status RunHook(const Hook& hook, const std::string& state_json) {
  // Everything the child needs is prepared here: after fork only async-signal-safe calls.
  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : hook.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return SysErr("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return SysErr("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd null_fd(devnull);

  pid_t pid = ::fork();
  if (pid < 0) return SysErr("fork hook {}", Quote(hook.path));
  if (pid == 0) {
    ::dup2(in_r.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(out_w.get(), 2);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();
  // The state is small (well below the pipe buffer): write it and close stdin. A hook need not
  // read it: a reader gone before the write must not kill us with SIGPIPE (thread-directed
  // for a pipe write, so blocking it here suffices; one it raised is consumed).
  {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ::sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    (void)sys::WriteAll(in_w.get(), state_json);
    if (!was_pending) {
      struct timespec zero = {0, 0};
      (void)::sigtimedwait(&pipe_set, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  in_w.reset();

  std::string output;
  const int64_t deadline = hook.timeout ? NowMs() + int64_t{*hook.timeout} * 1000 : -1;
  bool timed_out = false;
  ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  while (true) {
    int wait_ms = -1;
    if (deadline >= 0) {
      wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - NowMs()));
      if (wait_ms == 0) {
        timed_out = true;
        break;
      }
    }
    struct pollfd p = {out_r.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, wait_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) continue;
    char buf[4096];
    ssize_t n = ::read(out_r.get(), buf, sizeof buf);
    if (n > 0) {
      if (output.size() < 65536) output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    break;  // EOF: the hook (and whatever it forked) closed its output
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string trimmed(TrimSpace(output));
  if (timed_out)
    return Err(ErrorCode::kFailedPrecondition, "hook {} timed out after {}s", Quote(hook.path),
               *hook.timeout);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok();
  std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                      : fmt::format("signal {}", WTERMSIG(status));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && ::access(hook.path.c_str(), X_OK) != 0)
    return Err(ErrorCode::kNotFound, "hook {}: not an executable file", Quote(hook.path));
  return Err(ErrorCode::kFailedPrecondition, "hook {} failed: {}{}{}", Quote(hook.path), how,
             trimmed.empty() ? "" : ", output: ", trimmed);
}

Status RunHooks(const std::vector<Hook>& hooks, const std::string& kind,
                const std::string& state_json) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    auto st = RunHook(hooks[i], state_json);
    if (!st) return Err(std::move(st).error().Context(fmt::format("{} hook #{}", kind, i)));
  }
  return Ok();
}

}  // namespace hp::oci
