// `hostprocess pull` on Linux: into the image store, through the image module (plugin.h), which
// only this and the other image verbs load.
#include "cli/hostprocess/pull_node.h"

#include "cli/hostprocess/image_cli.h"
#include "core/image/plugin.h"

namespace hp::cli {

Result<image::PullResult> PullOnNode(const GlobalOptions& g, const std::string& ref,
                                     const image::PullOptions& opts) {
  ASSIGN_OR_RETURN(image::Store store, image_cli::OpenStore(g));
  return image::PullImage(store, ref, opts);
}

}  // namespace hp::cli
