// `hostprocess exec [-i] [-t] POD [-c C] -- CMD...`: kubectl exec for this node. The command
// joins the running container: its job (limits, accounting, killed with the container), its
// account and capabilities, its environment and working directory; a name without `/` is found
// in the container's PATH. -t gives it a real pseudo-terminal. Exit code: the command's.
#include "core/agent/exec.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "core/agent/store.h"
#include "core/job/job.h"
#include "core/launch/launch.h"

namespace hp::cli {
namespace {

struct ExecFlags {
  std::string pod;
  std::string container;
  std::vector<std::string> command;
  NamespaceFlags ns;
  bool stdin_ = false;
  bool tty = false;
};

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

int RunExec(const GlobalOptions& global, const ExecFlags& f) {
  if (f.command.empty()) {
    Print(stderr, "error: you must specify at least one command for the container\n");
    return 1;
  }
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  auto found = (*agent)->GetPod(f.ns.ns, f.pod);
  if (!found) return Fail(found.error());
  if (!*found) return NotFound("pods", f.pod);
  const agent::PodView& view = **found;
  std::string container = f.container;
  if (container.empty() && !view.status.containers.empty()) {
    container = view.status.containers[0].name;
    if (view.status.containers.size() > 1) {
      // kubectl's podcmd.AllContainerNames: containers, then init containers marked (init).
      std::vector<std::string> names;
      for (const auto& c : view.status.containers) names.push_back(c.name);
      for (const auto& c : view.status.init_containers) names.push_back(c.name + " (init)");
      Print(stderr, fmt::format("Defaulted container \"{}\" out of: {}\n", container,
                                fmt::join(names, ", ")));
    }
  }
  std::string record = view.dir + "/exec/" + container + ".json";
  auto j = agent::ReadJsonFile(record);
  if (!j) {
    Print(stderr, fmt::format("error: unable to upgrade connection: container not found "
                              "(\"{}\")\n",
                              container));
    return 1;
  }
  agent::ExecInfo info;
  try {
    info = j->get<agent::ExecInfo>();
  } catch (const std::exception& e) {
    return Fail(Error(fmt::format("\"{}\": {}", record, e.what()), ErrorCode::kInternal));
  }
  auto jobs = job::NewJobManager({info.job_root});
  if (!jobs) return Fail(jobs.error());
  auto job = (*jobs)->Open(info.pod_id, info.container_id);
  if (!job) {
    Print(stderr, fmt::format("error: unable to upgrade connection: container not found "
                              "(\"{}\")\n",
                              container));
    return 1;
  }
  if (f.tty) {
    // A terminal exec gets TERM=xterm, as containerd's CRI gives it.
    std::erase_if(info.env, [](const std::string& e) { return e.rfind("TERM=", 0) == 0; });
    info.env.push_back("TERM=xterm");
  }
  auto spec = agent::ExecSpec(info, f.command);
  if (!spec) {
    // kubectl shows the runtime's words and exits 126/127 like a shell.
    Print(stderr, fmt::format("error: {}\n", spec.error().ToString()));
    return spec.error().code() == ErrorCode::kNotFound ? 127 : 126;
  }
  spec->job = job->get();
  UniqueFd devnull, master, slave;
  struct termios saved;
  bool restore = false;
  if (f.tty) {
    int m = -1, s = -1;
    struct winsize ws = {};
    bool have_ws = ::isatty(STDIN_FILENO) && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0;
    if (::openpty(&m, &s, nullptr, nullptr, have_ws ? &ws : nullptr) < 0) {
      return Fail(Error(fmt::format("openpty: {}", std::strerror(errno)), ErrorCode::kInternal));
    }
    master = UniqueFd(m);
    slave = UniqueFd(s);
    ::fcntl(m, F_SETFD, FD_CLOEXEC);
    spec->stdin_fd = spec->stdout_fd = spec->stderr_fd = s;
    spec->controlling_tty = s;
    if (f.stdin_ && ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
      struct termios raw = saved;
      ::cfmakeraw(&raw);
      restore = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  } else {
    if (!f.stdin_) {
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
    Print(stderr, fmt::format("error: {}\n", proc.error().ToString()));
    return 126;
  }
  if (f.tty) {
    slave.reset();
    Relay(master.get(), proc->pid, f.stdin_);
  }
  auto st = launch::Wait(*proc);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (!st) return Fail(st.error());
  int code = (*st)->exit_code;
  // kubectl's words for a command that failed in the container.
  if (code != 0) Print(stderr, fmt::format("command terminated with exit code {}\n", code));
  return code;
}

CommandRegistration exec_verb(
    34, {"exec"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<ExecFlags>();
      CLI::App* cmd = app.add_subcommand(
          "exec",
          "Run a command in a running container (kubectl exec): exec [-i] [-t] POD [-c C] -- CMD.\n"
          "It joins the container's job, account, environment and working directory.");
      cmd->add_option("pod", flags->pod, "The pod")->required();
      cmd->add_option("command", flags->command, "The command and its arguments (after --)");
      cmd->add_option("-c,--container", flags->container, "The container (default: the first)");
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_flag("-i,--stdin", flags->stdin_, "Pass standard input to the command");
      cmd->add_flag("-t,--tty", flags->tty, "Give the command a terminal");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunExec(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
