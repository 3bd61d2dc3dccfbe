// `hostprocess import`'s arguments and flags, the same on Linux (import.cc) and Windows
// (windows/import.cc); only what each platform reads differs.
#pragma once

#include <string>

#include "cli/hostprocess/command.h"
#include "core/base/strings.h"
#include "core/image/import.h"

namespace hp::cli {

struct ImportArgs {
  std::string path, name, cmd, entrypoint;
  image::ImportOptions opts;

  // --cmd/--entrypoint are split on spaces (a shell-free exec form).
  void SplitCommandWords() {
    for (auto& w : Split(cmd, ' '))
      if (!w.empty()) opts.cmd.push_back(w);
    for (auto& w : Split(entrypoint, ' '))
      if (!w.empty()) opts.entrypoint.push_back(w);
  }
};

// The positional PATH and NAME and the image-config flags; the help words that differ per
// platform are given.
inline void AddImportFlags(CLI::App* cmd, ImportArgs& a, const std::string& path_help,
                           const std::string& name_example, const std::string& platform_help) {
  cmd->add_option("PATH", a.path, path_help)->required();
  cmd->add_option("NAME", a.name, "Image name, e.g. " + name_example)->required();
  cmd->add_option("--env", a.opts.env, "Add K=V to the image config's Env (repeatable)");
  cmd->add_option("--cmd", a.cmd, "Image Cmd (words separated by spaces)");
  cmd->add_option("--entrypoint", a.entrypoint, "Image Entrypoint (words separated by spaces)");
  cmd->add_option("--workdir", a.opts.working_dir, "Image WorkingDir");
  cmd->add_option("--platform", a.opts.platform, platform_help);
}

}  // namespace hp::cli
