// RunCaptured and SearchPath: running a host tool through Launch (launch.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

extern char** environ;

namespace hp::launch {
namespace {

// Writes what the pipe takes now; a reader gone (EPIPE) ends the input. SIGPIPE is blocked in
// this thread around the write (a pipe's SIGPIPE is thread-directed) and one it raised consumed.
bool WriteSome(int fd, std::string_view& data) {
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ::sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ssize_t n = ::write(fd, data.data(), data.size());
  int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    (void)::sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (n > 0) data.remove_prefix(static_cast<size_t>(n));
  return n >= 0 || err == EINTR || err == EAGAIN;
}

}  // namespace

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

Result<std::string> SearchPath(const std::string& name, const std::string& path) {
  if (name.empty()) return Err(ErrorCode::kInvalidArgument, "no program name");
  if (name.find('/') != std::string::npos) return name;
  std::string dirs = path;
  if (dirs.empty()) {
    const char* env = std::getenv("PATH");
    dirs = env && *env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  }
  for (const std::string& dir : Split(dirs, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return Err(ErrorCode::kNotFound, "\"{}\" not found in PATH \"{}\"", name, dirs);
}

Result<Captured> RunCaptured(LaunchSpec spec, const CaptureOptions& options) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  UniqueFd null_fd;
  if (options.input.empty()) {
    ASSIGN_OR_RETURN(null_fd, sys::Open("/dev/null", O_RDONLY | O_CLOEXEC));
    in_w.reset();
  }
  spec.stdin_fd = options.input.empty() ? null_fd.get() : in_r.get();
  spec.stdout_fd = out_w.get();
  spec.stderr_fd = out_w.get();
  ASSIGN_OR_RETURN(Process proc, Launch(spec));
  in_r.reset();
  out_w.reset();
  null_fd.reset();

  Captured result;
  std::string_view input = options.input;
  if (in_w) ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  const int64_t deadline =
      options.timeout.count() >= 0 ? SteadyNowMs() + options.timeout.count() : -1;
  char buf[4096];
  while (out_r) {
    if (in_w && input.empty()) in_w.reset();  // all given: the tool sees EOF
    int wait_ms = -1;
    if (deadline >= 0) {
      wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - SteadyNowMs()));
      if (wait_ms == 0) {
        result.timed_out = true;
        break;
      }
    }
    struct pollfd p[2] = {{out_r.get(), POLLIN, 0}, {in_w ? in_w.get() : -1, POLLOUT, 0}};
    int rc = ::poll(p, 2, wait_ms);
    if (rc < 0 && errno != EINTR) return SysErr("poll the output of \"{}\"", spec.path);
    if (rc <= 0) continue;
    if (in_w && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      if (!WriteSome(in_w.get(), input)) in_w.reset();  // the tool stopped reading
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(out_r.get(), buf, sizeof buf);
      if (n > 0) {
        size_t room =
            options.limit > result.output.size() ? options.limit - result.output.size() : 0;
        result.output.append(buf, std::min(room, static_cast<size_t>(n)));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        out_r.reset();  // EOF: the tool (and whatever it forked) closed its output
      }
    }
  }
  if (result.timed_out) {
    if (proc.pidfd) {
      (void)sys::PidfdSendSignal(proc.pidfd.get(), SIGKILL);
    } else {
      ::kill(proc.pid, SIGKILL);
    }
  }
  ASSIGN_OR_RETURN(std::optional<ExitStatus> status, Wait(proc));
  if (status) result.status = *status;
  return result;
}

}  // namespace hp::launch
