// `hostprocess import PATH NAME[:TAG]` on Windows (preview, docs/windows.md): an OCI image layout
// directory (it has an `oci-layout` file) or an image tarball (`docker save`, `ctr export`) with
// Windows layers (core/image/windows/oci_import.h), or a directory of Windows files
// (core/image/windows/dir_images.h), becomes an image, with the same flags and output as on
// Linux. The record's os is the image config's ("windows" for a directory), which `run` checks.
// Imports hold the image store's lock (dir_images.h LockImageStore), and remove the scratch
// directories a killed import left.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "cli/hostprocess/image_cli.h"
#include "cli/hostprocess/import_flags.h"
#include "cli/hostprocess/windows/container.h"
#include "core/image/windows/dir_images.h"
#include "core/image/windows/oci_import.h"

namespace hp::cli {
namespace {

Result<image::ImportedImage> ImportPath(const GlobalOptions& g, const ImportArgs& a) {
  namespace fs = std::filesystem;
  fs::path p(std::u8string(a.path.begin(), a.path.end()));
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "oci-layout", ec))
      return image::ImportOciLayout(g.root, a.path, a.name, a.opts);
    ASSIGN_OR_RETURN(image::ImageRecord rec,
                     image::ImportDirectory(g.root, a.path, a.name, a.opts));
    return image::ImportedImage{std::move(rec), {}};
  }
  if (fs::is_regular_file(p, ec)) return image::ImportImageTarball(g.root, a.path, a.name, a.opts);
  if (!fs::exists(p, ec))
    return Err(ErrorCode::kNotFound,
               "import \"{}\": no such file or directory (give a directory of files, an OCI image "
               "layout or an image tarball)",
               a.path);
  return Err(ErrorCode::kInvalidArgument,
             "import \"{}\": neither a directory nor a regular file (give a directory of files, "
             "an OCI image layout or an image tarball)",
             a.path);
}

int RunImport(const GlobalOptions& g, ImportArgs& a) {
  a.SplitCommandWords();
  // One import at a time: two of one name would interleave their replace. Holding the lock, no
  // other import runs, so every scratch directory left is a killed import's: removed.
  auto lock = image::LockImageStore(g.root);
  if (!lock) return image_cli::Fail(lock.error());
  for (const std::string& left : image::RemoveStaleImportDirs(g.root))
    windows_node::Write(stderr, "Warning: " + left + "\n");
  auto r = ImportPath(g, a);
  if (!r) return image_cli::Fail(r.error());
  for (const std::string& w : r->warnings) windows_node::Write(stderr, "Warning: " + w + "\n");
  windows_node::Write(stdout, "Imported " + r->record.name + " (" + r->record.id + ")\n");
  return 0;
}

CommandRegistration reg(51, {"import"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand(
      "import",
      "Import an OCI image layout or image tarball with Windows layers, or a directory of "
      "Windows files, as an image (Windows preview)");
  auto a = std::make_shared<ImportArgs>();
  AddImportFlags(cmd, *a, "OCI image layout directory, image tarball, or directory of files",
                 "hostprocess.local/tools:latest", "windows/amd64 (the default here)");
  cmd->callback([&g, &rc, a] { rc = RunImport(g, *a); });
});

}  // namespace
}  // namespace hp::cli
