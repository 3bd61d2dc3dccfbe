// hp/image: safe layer unpacking with libarchive.
//
// Every path is resolved inside the target (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV): absolute names, `..`, writing through a symlink that leads out, and
// hardlinks to outside are refused with an error naming the entry, and the partial layer is
// removed. Whiteouts become overlayfs whiteouts (char 0/0 device, `trusted.overlay.opaque`
// xattr) so every layer can be an overlay lower dir as is; where that is not permitted (not
// root) they are kept as `.wh.` files and the result says so (the copy fallback applies both).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::image {

struct UnpackOptions {
  bool allow_devices = false;  // create block/char device nodes (else skipped with a note)
  bool preserve_owner = true;  // chown entries (only effective as root)
  bool overlay_whiteouts = true;
  size_t max_path = 4096;            // longer names or link targets are refused
  size_t max_xattr_bytes = 1 << 16;  // per entry
  // An absolute symlink target ("/etc/alternatives/x") is stored relative to the link
  // ("../../etc/alternatives/x") so that it names the image's file through the container
  // volume's host path too; targets in /proc, /sys and /dev stay absolute (the host's kernel
  // interfaces, which a container volume has none of). docs/image.md.
  bool image_relative_links = true;
};

struct UnpackResult {
  std::string diff_id;             // sha256 of the uncompressed tar stream
  std::vector<std::string> notes;  // skipped entries, dropped xattrs
  bool aufs_whiteouts = false;     // whiteouts kept as ".wh." files
  uint64_t entries = 0;
  uint64_t bytes = 0;  // uncompressed stream size
};

// Unpacks a tar (plain, gzip or zstd) read from `fd` into `target`, which must not exist yet:
// it is created, and removed again on any error.
Result<UnpackResult> UnpackLayer(int fd, const std::string& target, const UnpackOptions& opts = {});
Result<UnpackResult> UnpackLayerFile(const std::string& path, const std::string& target,
                                     const UnpackOptions& opts = {});
Result<UnpackResult> UnpackLayerMemory(const void* data, size_t size, const std::string& target,
                                       const UnpackOptions& opts = {});

}  // namespace hp::image
