// hp/image: applies an unpacked layer onto a directory by copying (the rootfs fallback when
// overlayfs is unavailable). Whiteouts in either form (overlay char 0/0 devices and
// `trusted.overlay.opaque`, or `.wh.` files) delete what lower layers put there. Owners, modes,
// times, xattrs and hard links within the layer are kept. Every destination directory is
// opened with O_NOFOLLOW, so a symlink from a lower layer is replaced, never followed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::image {

// The AUFS whiteout names of the OCI layer format: ".wh.<name>" deletes <name> below, and the
// opaque marker hides the whole directory below.
inline constexpr std::string_view kWhPrefix = ".wh.";
inline constexpr std::string_view kOpaque = ".wh..wh..opq";

Status ApplyLayerCopy(const std::string& layer_dir, const std::string& target);

// Copies what is left of `in` (up to `len` bytes) to `out`: copy_file_range (reflinks, no copy
// through user space) where the kernel can, read/write where it cannot (another file system:
// EXDEV; ENOSYS, EINVAL, EOPNOTSUPP). `what` names the source in errors.
Status CopyData(int in, int out, int64_t len, const std::string& what);

}  // namespace hp::image
