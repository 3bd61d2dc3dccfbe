// `hostprocess exec [-i] [-t] POD [-c C] -- CMD...`: kubectl exec for this node, the same verb
// on Linux and Windows. The command joins the running container (its job, account, environment
// and working directory: the platform's ExecInContainer, exec_node.h); kubectl's rules for the
// default container and for a terminal (SetupTTY: only with -i, and only when our input is one),
// its words, and a shell's exit codes when the command cannot run. Exit code: the command's.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/exec_node.h"
#include "cli/hostprocess/node_pods.h"

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

int RunExec(const GlobalOptions& global, const ExecFlags& f) {
  if (f.command.empty()) {
    Print(stderr, "error: you must specify at least one command for the container\n");
    return 1;
  }
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error());
  std::pair<std::string, std::string> not_found;
  auto found = FindPodOfArg(**node, f.ns.ns, f.pod, &not_found);
  if (!found) return Fail(found.error());
  if (!*found) return NotFound(not_found.first, not_found.second);
  const NodePod& pod = **found;
  // kubectl's check before it asks the kubelet.
  if (pod.status.phase == "Succeeded" || pod.status.phase == "Failed") {
    Print(stderr, fmt::format("error: cannot exec into a container in a completed pod; current "
                              "phase is {}\n",
                              pod.status.phase));
    return 1;
  }
  std::string container = f.container;
  if (container.empty() && !pod.status.containers.empty()) {
    container = pod.status.containers[0].name;
    Print(stderr, DefaultedContainerNotice(pod.status));
  }
  // kubectl's SetupTTY: no terminal without -i; with -i, one only when our input is a terminal.
  ExecStreams streams{f.stdin_, f.tty && f.stdin_};
  if (streams.tty && !StdinIsTerminal()) {
    Print(stderr, "Unable to use a TTY - input is not a terminal or the right kind of file\n");
    streams.tty = false;
  }
  auto code = ExecInContainer(global, pod, container, f.command, streams);
  if (!code) {
    const ExecError& e = code.error();
    switch (e.why) {
      case ExecError::Why::kNoContainer:
        Print(stderr, fmt::format("error: unable to upgrade connection: container not found "
                                  "(\"{}\")\n",
                                  container));
        return 1;
      case ExecError::Why::kFailed:
        return Fail(e.error);
      case ExecError::Why::kCommandNotFound:
      case ExecError::Why::kNotStarted:
        // kubectl shows the runtime's words and exits 126/127 like a shell.
        Print(stderr, fmt::format("error: {}\n", e.error.ToString()));
        return e.why == ExecError::Why::kCommandNotFound ? 127 : 126;
    }
  }
  // kubectl's words for a command that failed in the container.
  if (*code != 0) Print(stderr, fmt::format("command terminated with exit code {}\n", *code));
  return *code;
}

CommandRegistration exec_verb(
    34, {"exec"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<ExecFlags>();
      CLI::App* cmd = app.add_subcommand(
          "exec",
          "Run a command in a running container (kubectl exec): exec [-i] [-t] POD [-c C] -- CMD.\n"
          "It joins the container's job, account, environment and working directory.");
      cmd->add_option("pod", flags->pod, "The pod (NAME, pod/NAME or ds/NAME)")->required();
      cmd->add_option("command", flags->command, "The command and its arguments (after --)");
      cmd->add_option("-c,--container", flags->container, "The container (default: the first)");
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_flag("-i,--stdin", flags->stdin_, "Pass standard input to the command");
      cmd->add_flag("-t,--tty", flags->tty,
                    "Give the command a terminal (with -i, when the input is one)");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunExec(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
