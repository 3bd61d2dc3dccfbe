// `hostprocess import DIR NAME[:TAG]` on Windows (preview, docs/windows.md): a directory of
// Windows files becomes an image recorded with os "windows" (core/image/windows/dir_images.h),
// with the same flags and output as on Linux. OCI layouts and tarballs are not read yet.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/hostprocess/image_cli.h"
#include "cli/hostprocess/import_flags.h"
#include "cli/hostprocess/windows/container.h"
#include "core/image/windows/dir_images.h"

namespace hp::cli {
namespace {

int RunImport(const GlobalOptions& g, ImportArgs& a) {
  a.SplitCommandWords();
  auto r = image::ImportDirectory(g.root, a.path, a.name, a.opts);
  if (!r) return image_cli::Fail(r.error());
  windows_node::Write(stdout, "Imported " + r->name + " (" + r->id + ")\n");
  return 0;
}

CommandRegistration reg(51, {"import"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand(
      "import", "Import a directory of Windows files as an image (Windows preview)");
  auto a = std::make_shared<ImportArgs>();
  AddImportFlags(cmd, *a, "Directory", "hostprocess.local/tools:latest",
                 "windows/amd64 (the only platform here)");
  cmd->callback([&g, &rc, a] { rc = RunImport(g, *a); });
});

}  // namespace
}  // namespace hp::cli
