// The `hostprocess` CLI: each verb lives in its own file and registers itself here, so adding a
// verb never touches main.cc. A registration names the subcommands its setup adds: main.cc sets
// up only the verb being run (CLI11's options for all ~20 verbs cost a third of the start-up
// time), and all of them for the top-level help and `completion`. A verb's Run returns the process
// exit code. Names local to a verb's file (its `<verb>_verb` registration, its flags struct, its
// helpers) must be unique across the verbs: the CLI is compiled as a unity build (CMakeLists.txt).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace hp::cli {

// Options every verb sees.
struct GlobalOptions {
  std::string root;  // --root / HOSTPROCESS_ROOT
};

// The state directory when neither --root nor HOSTPROCESS_ROOT says: /var/lib/hostprocess on
// Linux (default_root.cc), %ProgramData%\hostprocess on Windows (windows/default_root.cc).
std::string DefaultRoot();

using CommandSetup = std::function<void(CLI::App& app, GlobalOptions& global, int& exit_code)>;

struct Command {
  int order;                       // place in the help's list
  std::vector<std::string> verbs;  // the subcommands `setup` adds to the app
  CommandSetup setup;
};

struct CommandRegistration {
  CommandRegistration(int order, std::initializer_list<const char*> verbs, CommandSetup setup);
};

std::vector<Command>& Registry();

}  // namespace hp::cli
