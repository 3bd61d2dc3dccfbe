// hostprocess-runtime: the global options every command sees and the command table. Each command
// (runc's verbs) lives in its own file and registers itself here, as the node CLI's verbs do;
// names local to a command's file (its `<verb>_command` registration) are unique across them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/oci/runtime.h"

namespace hp::runtime_cli {

struct Globals {
  std::string root = "/run/hostprocess-runtime";
  std::string log;
  std::string log_format = "text";
  bool systemd_cgroup = false;
  bool debug = false;
};

// A command: its subcommand and what runs when it was chosen (returns the exit code).
struct Command {
  CLI::App* app;
  std::function<int()> run;
};
// What a command's setup adds its subcommands to.
class CommandList {
 public:
  void operator()(CLI::App* app, std::function<int()> run) {
    commands_.push_back({app, std::move(run)});
  }
  const std::vector<Command>& commands() const { return commands_; }

 private:
  std::vector<Command> commands_;
};

// Adds a command's subcommands to `app`, in registration order (`order`: their place in
// --help). `names`: the subcommands it adds, space-separated ("pause resume").
using CommandSetup = void (*)(CLI::App& app, Globals& globals, CommandList& add);
struct CommandRegistration {
  CommandRegistration(int order, std::string_view names, CommandSetup setup);
};
// Adds the registered commands to `app`: only the one that adds `wanted` when there is one (a
// runtime process runs one command, and building all fourteen was a tenth of a `kill`'s CPU),
// every one otherwise (no subcommand, --help, --version, a name CLI11 is to reject).
std::vector<Command> AddCommands(CLI::App& app, Globals& globals, std::string_view wanted = "");
// The subcommand named on a command line: the first argument that is neither a global flag nor
// the value of one (--root, --log, --log-format, --criu, --rootless take one); "" when none, or
// when --help or --version comes first (their output lists every command).
std::string_view SubcommandOf(int argc, const char* const* argv);

// The runtime over --root, logging to the runtime's log.
oci::Runtime MakeRuntime(const Globals& g);

// A command whose one argument is the container id (start, state, delete, pause, resume):
// `run(runtime, id)` gives the exit code. Returns the subcommand, for its flags.
using IdCommand = std::function<int(oci::Runtime& runtime, const std::string& id)>;
CLI::App* AddIdCommand(CLI::App& app, const Globals& g, CommandList& add, const std::string& name,
                       const std::string& description, IdCommand run);

// Reports an error as runc does (log file + stderr) and returns runc's exit code (1).
int Fail(const Error& error);
// 0 when `status` is ok, else Fail(its error).
int Done(const Status& status);

}  // namespace hp::runtime_cli
