// hp/image on Windows: writing tar archives (tar_reader.h) to disk. Two uses, both by the OCI
// import (windows/oci_import.h):
//  - a Windows image layer applied to an image's Files\ directory: only the members below
//    `Files/` are written (windows_layer.h), `Hives/`, `UtilityVM/` and the rest are ignored; OCI
//    whiteouts are applied (`.wh.<name>` removes <name> from the layers below, `.wh..wh..opq`
//    empties its directory of them); hard links become copies of their target, which must be a
//    file below Files\ already written; symbolic links are not made (that needs
//    SeCreateSymbolicLinkPrivilege, and Wine makes none) but counted, and a member that would be
//    written through one is refused, as is one that would be written through a link or junction
//    found on disk;
//  - an image tarball (`docker save`, `ctr export`) unpacked to a directory: regular files and
//    directories; its links (docker save links repeated layers) become copies of their targets
//    inside the archive.
// Names are checked before anything is written: absolute names, drive letters and `..` are
// refused with the layer (or tarball) and the member named. Paths are written with the `\\?\`
// prefix, so that deep Windows paths beyond MAX_PATH work.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "core/base/result.h"
#include "core/image/tar_reader.h"

namespace hp::image {

// What applying layers has seen so far, across the image's layers.
struct LayerApplyState {
  std::set<std::string> skipped_links;  // PathKey()s of symbolic links not made
  int64_t symlinks = 0;                 // symbolic links (and hard links to them) not made
  int64_t streams = 0;                  // alternate data streams not imported
  int64_t others = 0;                   // devices, FIFOs and the like below Files/
};

// Applies the layer read by `tar` to `files`, an existing directory (an image's Files\).
// `layer` names the layer in errors.
Status ApplyWindowsLayer(TarReader& tar, const std::string& files, const std::string& layer,
                         LayerApplyState& state);

// Unpacks the image tarball read by `tar` into `dest`, an existing empty directory. `what`
// names the tarball in errors ("tarball").
Status UnpackImageTarball(TarReader& tar, const std::string& dest, const std::string& what);

}  // namespace hp::image
