// The `hostprocess` CLI: each verb lives in its own file and registers itself here, so adding a
// verb never touches main.cc. A verb's Run returns the process exit code. Names local to a verb's
// file (its `<verb>_verb` registration, its flags struct, its helpers) must be unique across the
// verbs: the CLI is compiled as a unity build (CMakeLists.txt).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hp::cli {

// Options every verb sees.
struct GlobalOptions {
  std::string root;  // --root / HOSTPROCESS_ROOT
};

using CommandSetup = std::function<void(CLI::App& app, GlobalOptions& global, int& exit_code)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

std::vector<std::pair<int, CommandSetup>>& Registry();

}  // namespace hp::cli
