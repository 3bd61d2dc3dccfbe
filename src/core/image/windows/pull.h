// hp/image on Windows: `pull` into the directory store (windows/dir_images.h). The registry side
// is the Linux build's (registry.cc, blob_fetch.cc over WinHTTP); what it downloads becomes an
// OCI image layout in a scratch directory beside the images (`.import-*`), every blob verified
// as it arrives, and that layout is imported as `import` imports one (windows/oci_import.h:
// Windows layers applied into Files\, each checked against its diff id), then removed.
// The directory store keeps files, not blobs: a pull of an image already kept under its name
// with the same manifest downloads nothing more (as the Linux store finds every blob), and
// otherwise downloads every layer of the image; a partial download is not resumed by the next
// pull (it removes what a killed one left).
// The caller holds the store's lock (LockImageStore) and has removed stale scratch directories.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/image/registry.h"

namespace hp::image {

// Pulls `ref` for opts.platform (empty: windows/amd64; another OS is refused before any
// request) into the store under `root`.
Result<PullResult> PullWindowsImage(const std::string& root, std::string_view ref,
                                    const PullOptions& opts);

}  // namespace hp::image
