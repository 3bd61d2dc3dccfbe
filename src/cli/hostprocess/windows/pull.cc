// `hostprocess pull` on Windows (preview, docs/windows.md): into the directory store, holding
// its lock as `import` does (a pull ends in an import of what it downloaded), after removing
// the scratch directories a killed import or pull left.
#include "core/image/windows/pull.h"

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/pull_node.h"
#include "core/image/windows/dir_images.h"

namespace hp::cli {

Result<image::PullResult> PullOnNode(const GlobalOptions& g, const std::string& ref,
                                     const image::PullOptions& opts) {
  ASSIGN_OR_RETURN(sys::FileLock lock, image::LockImageStore(g.root));
  for (const std::string& left : image::RemoveStaleImportDirs(g.root))
    Print(stderr, "Warning: " + left + "\n");
  return image::PullWindowsImage(g.root, ref, opts);
}

}  // namespace hp::cli
