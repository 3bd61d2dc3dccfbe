// hp/image: the image code that needs libcurl, libarchive and OpenSSL (pull, import, layer
// unpack) is built a second time as libhostprocess-image.so and loaded on first use, so that the
// verbs which neither fetch nor unpack (`run` of an unpacked image, `get`, `logs`, `exec`,
// `--version`, ...) start without those libraries and the ~40 they pull in (docs/performance.md).
//
// The node CLI and the agent call these functions; tests and tools that link hp_image call
// Pull, Import and Store::EnsureLayerUnpacked directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/image/import.h"
#include "core/image/registry.h"
#include "core/image/store.h"

namespace hp::image {

// What the module exports (`hp_image_plugin`): the heavy entry points. Both sides are built from
// the same sources; `abi` and `size` catch a module left over from another build.
struct ImagePlugin {
  uint32_t abi;
  uint32_t size;
  Result<PullResult> (*pull)(Store& store, std::string_view ref, const PullOptions& opts);
  Result<ImageRecord> (*import)(Store& store, const std::string& path, std::string_view name,
                                const ImportOptions& opts);
  Status (*ensure_layer_unpacked)(Store& store, const LayerRecord& layer);
};
inline constexpr uint32_t kImagePluginAbi = 1;
inline constexpr const char kImagePluginFile[] = "libhostprocess-image.so";
// Where an installed module lives relative to the directory of the running binary (besides that
// directory itself, the build tree's layout).
inline constexpr const char kImagePluginInstallDir[] = "../lib/hostprocess";

// Loads the module once (thread-safe) from next to the running binary, else from
// <binary dir>/../lib/hostprocess. The error names every path tried.
Result<const ImagePlugin*> LoadImagePlugin();

// The same as Pull, Import, Store::EnsureLayerUnpacked and UnpackingRootfsOptions, through the
// module. A layer already unpacked does not load it.
Result<PullResult> PullImage(Store& store, std::string_view ref, const PullOptions& opts = {});
Result<ImageRecord> ImportImage(Store& store, const std::string& path, std::string_view name,
                                const ImportOptions& opts = {});
Status UnpackLayer(Store& store, const LayerRecord& layer);
RootfsOptions LazyUnpackingRootfsOptions(const Store& store, RootfsOptions options = {});

}  // namespace hp::image
