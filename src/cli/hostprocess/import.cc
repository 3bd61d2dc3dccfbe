// `hostprocess import PATH NAME[:TAG]`: an OCI layout, an OCI/docker-archive tarball, or a
// rootfs directory/tarball (made into a one-layer image) into the store.
#include <iostream>
#include <memory>

#include "cli/hostprocess/image_cli.h"
#include "core/base/strings.h"
#include "core/image/plugin.h"

namespace hp::cli {
namespace {

struct ImportArgs {
  std::string path, name, cmd, entrypoint;
  image::ImportOptions opts;
};

int RunImport(const GlobalOptions& g, ImportArgs& a) {
  auto store = image_cli::OpenStore(g);
  if (!store) return image_cli::Fail(store.error());
  // --cmd/--entrypoint are split on spaces (a shell-free exec form).
  for (auto& w : Split(a.cmd, ' '))
    if (!w.empty()) a.opts.cmd.push_back(w);
  for (auto& w : Split(a.entrypoint, ' '))
    if (!w.empty()) a.opts.entrypoint.push_back(w);
  auto r = image::ImportImage(*store, a.path, a.name, a.opts);
  if (!r) return image_cli::Fail(r.error());
  std::cout << "Imported " << r->name << " (" << r->id << ")\n";
  return 0;
}

CommandRegistration import_verb(51, {"import"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand(
      "import", "Import an OCI layout, an image tarball, or a rootfs directory/tarball");
  auto a = std::make_shared<ImportArgs>();
  cmd->add_option("PATH", a->path, "Directory or tarball")->required();
  cmd->add_option("NAME", a->name, "Image name, e.g. hostprocess.local/busybox:latest")->required();
  cmd->add_option("--env", a->opts.env, "Add K=V to the image config's Env (repeatable)");
  cmd->add_option("--cmd", a->cmd, "Image Cmd (words separated by spaces)");
  cmd->add_option("--entrypoint", a->entrypoint, "Image Entrypoint (words separated by spaces)");
  cmd->add_option("--workdir", a->opts.working_dir, "Image WorkingDir");
  cmd->add_option("--platform", a->opts.platform, "os/arch[/variant] for multi-platform layouts");
  cmd->callback([&g, &rc, a] { rc = RunImport(g, *a); });
});

}  // namespace
}  // namespace hp::cli
