#include "core/base/strings.h"
#include "core/plan/plan.h"

namespace hp::plan {

Status CheckImageOs(std::string_view image, std::string_view image_os, std::string_view node_os) {
  if (image_os.empty() || node_os.empty() || ToLower(image_os) == ToLower(node_os)) return Ok();
  return Err(ErrorCode::kFailedPrecondition,
             "image operating system {} cannot be used on this platform: image {} is built for "
             "{} and this node runs {}; use an image built for {}",
             Quote(image_os), Quote(image), image_os, node_os, node_os);
}

}  // namespace hp::plan
