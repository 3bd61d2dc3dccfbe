// `hostprocess import DIR NAME[:TAG]` on Windows (preview, docs/windows.md): a directory of
// Windows files becomes an image recorded with os "windows" (core/image/windows/dir_images.h),
// with the same flags and output as on Linux. OCI layouts and tarballs are not read yet.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/hostprocess/command.h"
#include "core/base/strings.h"
#include "core/image/windows/dir_images.h"

namespace hp::cli {
namespace {

struct ImportArgs {
  std::string path, name, cmd, entrypoint;
  image::ImportOptions opts;
};

int RunImport(const GlobalOptions& g, ImportArgs& a) {
  // --cmd/--entrypoint are split on spaces (a shell-free exec form), as on Linux.
  for (auto& w : Split(a.cmd, ' '))
    if (!w.empty()) a.opts.cmd.push_back(w);
  for (auto& w : Split(a.entrypoint, ' '))
    if (!w.empty()) a.opts.entrypoint.push_back(w);
  auto r = image::ImportDirectory(g.root, a.path, a.name, a.opts);
  if (!r) {
    std::string msg = "error: " + r.error().ToString() + "\n";
    fwrite(msg.data(), 1, msg.size(), stderr);
    return 1;
  }
  std::string msg = "Imported " + r->name + " (" + r->id + ")\n";
  fwrite(msg.data(), 1, msg.size(), stdout);
  return 0;
}

CommandRegistration reg(51, {"import"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand(
      "import", "Import a directory of Windows files as an image (Windows preview)");
  auto a = std::make_shared<ImportArgs>();
  cmd->add_option("PATH", a->path, "Directory")->required();
  cmd->add_option("NAME", a->name, "Image name, e.g. hostprocess.local/tools:latest")->required();
  cmd->add_option("--env", a->opts.env, "Add K=V to the image config's Env (repeatable)");
  cmd->add_option("--cmd", a->cmd, "Image Cmd (words separated by spaces)");
  cmd->add_option("--entrypoint", a->entrypoint, "Image Entrypoint (words separated by spaces)");
  cmd->add_option("--workdir", a->opts.working_dir, "Image WorkingDir");
  cmd->add_option("--platform", a->opts.platform, "windows/amd64 (the only platform here)");
  cmd->callback([&g, &rc, a] { rc = RunImport(g, *a); });
});

}  // namespace
}  // namespace hp::cli
