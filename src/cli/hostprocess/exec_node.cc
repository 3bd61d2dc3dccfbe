// `exec`'s start on Linux (exec_node.h): the command joins the running container's cgroup job
// (limits, accounting, killed with the container), its account and capabilities, its environment
// and working directory (the supervisor's exec record, agent/exec.h); a name without `/` is found
// in the container's PATH. A terminal is a real pseudo-terminal, sized as ours.
#include "cli/hostprocess/exec_node.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/exec.h"
#include "core/agent/store.h"
#include "core/base/unique_fd.h"
#include "core/job/job.h"
#include "core/launch/launch.h"

namespace hp::cli {
namespace {

volatile sig_atomic_t g_winch = 0;
void OnWinch(int) { g_winch = 1; }

// Gives the pty our terminal's size (the kernel then sends SIGWINCH to the command).
void CopyWindowSize(int master) {
  struct winsize ws = {};
  if (::isatty(STDIN_FILENO) && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ::ioctl(master, TIOCSWINSZ, &ws);
}

// Copies between our terminal and the pty master until the command exits; passes our window
// size changes on (kubectl's terminal size queue).
void Relay(int master, pid_t pid, bool forward_stdin) {
  char buf[8192];
  bool in_open = forward_stdin;
  struct sigaction sa = {};
  sa.sa_handler = OnWinch;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGWINCH, &sa, nullptr);
  while (true) {
    if (g_winch) {
      g_winch = 0;
      CopyWindowSize(master);
    }
    struct pollfd p[2] = {{master, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int n = ::poll(p, in_open ? 2 : 1, 200);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(master, buf, sizeof buf);
      if (got <= 0) break;  // EIO: the last holder of the slave is gone
      (void)!::write(STDOUT_FILENO, buf, static_cast<size_t>(got));
    }
    if (in_open && n > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
      ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
      if (got <= 0) {
        in_open = false;
        char eof = 4;  // ^D: end of input for the program on the terminal
        (void)!::write(master, &eof, 1);
      } else {
        (void)!::write(master, buf, static_cast<size_t>(got));
      }
    }
    if (n == 0 && ::kill(pid, 0) < 0) break;
  }
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) != 0; }

tl::expected<int, ExecError> ExecInContainer(const GlobalOptions& /*global*/, const NodePod& pod,
                                             const std::string& container,
                                             const std::vector<std::string>& command,
                                             ExecStreams streams) {
  // The supervisor writes the record when the container starts and removes it when it ends.
  std::string record = pod.key + "/exec/" + container + ".json";
  auto no_container = [&] {
    return ExecFailed(
        ExecError::Why::kNoContainer,
        Error(fmt::format("container \"{}\" is not running", container), ErrorCode::kNotFound));
  };
  auto j = agent::ReadJsonFile(record);
  if (!j) return no_container();
  agent::ExecInfo info;
  try {
    info = j->get<agent::ExecInfo>();
  } catch (const std::exception& e) {
    return ExecFailed(ExecError::Why::kFailed,
                      Error(fmt::format("\"{}\": {}", record, e.what()), ErrorCode::kInternal));
  }
  auto jobs = job::NewJobManager({info.job_root});
  if (!jobs) return ExecFailed(ExecError::Why::kFailed, jobs.error());
  auto job = (*jobs)->Open(info.pod_id, info.container_id);
  if (!job) return no_container();
  if (streams.tty) {
    // A terminal exec gets TERM=xterm, as containerd's CRI gives it.
    std::erase_if(info.env, [](const std::string& e) { return e.rfind("TERM=", 0) == 0; });
    info.env.push_back("TERM=xterm");
  }
  auto spec = agent::ExecSpec(info, command);
  if (!spec) return ExecNotStarted(spec.error());
  spec->job = job->get();
  UniqueFd devnull, master, slave;
  struct termios saved;
  bool restore = false;
  if (streams.tty) {
    int m = -1, s = -1;
    struct winsize ws = {};
    bool have_ws = ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0;
    if (::openpty(&m, &s, nullptr, nullptr, have_ws ? &ws : nullptr) < 0) {
      return ExecFailed(
          ExecError::Why::kFailed,
          Error(fmt::format("openpty: {}", std::strerror(errno)), ErrorCode::kInternal));
    }
    master = UniqueFd(m);
    slave = UniqueFd(s);
    ::fcntl(m, F_SETFD, FD_CLOEXEC);
    spec->stdin_fd = spec->stdout_fd = spec->stderr_fd = s;
    spec->controlling_tty = s;
    if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
      struct termios raw = saved;
      ::cfmakeraw(&raw);
      restore = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  } else {
    if (!streams.stdin_) {
      devnull = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      spec->stdin_fd = devnull.get();
    } else {
      spec->stdin_fd = STDIN_FILENO;
    }
    spec->stdout_fd = STDOUT_FILENO;
    spec->stderr_fd = STDERR_FILENO;
  }
  spec->parent_death_signal = SIGKILL;
  auto proc = launch::Launch(*spec);
  if (!proc) {
    if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return ExecFailed(ExecError::Why::kNotStarted, proc.error());
  }
  if (streams.tty) {
    slave.reset();
    Relay(master.get(), proc->pid, streams.stdin_);
  }
  auto st = launch::Wait(*proc);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (!st) return ExecFailed(ExecError::Why::kFailed, st.error());
  return (*st)->exit_code;
}

}  // namespace hp::cli
