// hostprocess-runtime: the global options every command sees and the command table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/base/result.h"

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
// Adds every command to `app`.
std::vector<Command> AddCommands(CLI::App& app, Globals& globals);

// Reports an error as runc does (log file + stderr) and returns runc's exit code (1).
int Fail(const Error& error);

}  // namespace hp::runtime_cli
