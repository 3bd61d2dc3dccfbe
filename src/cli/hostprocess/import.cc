// `hostprocess import PATH NAME[:TAG]`: an OCI layout, an OCI/docker-archive tarball, or a
// rootfs directory/tarball (made into a one-layer image) into the store.
#include <iostream>
#include <memory>

#include "cli/hostprocess/image_cli.h"
#include "cli/hostprocess/import_flags.h"
#include "core/image/plugin.h"

namespace hp::cli {
namespace {

int RunImport(const GlobalOptions& g, ImportArgs& a) {
  auto store = image_cli::OpenStore(g);
  if (!store) return image_cli::Fail(store.error());
  a.SplitCommandWords();
  auto r = image::ImportImage(*store, a.path, a.name, a.opts);
  if (!r) return image_cli::Fail(r.error());
  std::cout << "Imported " << r->name << " (" << r->id << ")\n";
  return 0;
}

CommandRegistration import_verb(51, {"import"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand(
      "import", "Import an OCI layout, an image tarball, or a rootfs directory/tarball");
  auto a = std::make_shared<ImportArgs>();
  AddImportFlags(cmd, *a, "Directory or tarball", "hostprocess.local/busybox:latest",
                 "os/arch[/variant] for multi-platform layouts");
  cmd->callback([&g, &rc, a] { rc = RunImport(g, *a); });
});

}  // namespace
}  // namespace hp::cli
