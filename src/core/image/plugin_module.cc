// The entry point of libhostprocess-image.so (plugin.h): the only symbol the module exports.
#include "core/image/plugin.h"

namespace {

hp::Result<hp::image::PullResult> DoPull(hp::image::Store& store, std::string_view ref,
                                         const hp::image::PullOptions& opts) {
  return hp::image::Pull(store, ref, opts);
}

hp::Result<hp::image::ImageRecord> DoImport(hp::image::Store& store, const std::string& path,
                                            std::string_view name,
                                            const hp::image::ImportOptions& opts) {
  return hp::image::Import(store, path, name, opts);
}

hp::Status DoUnpack(hp::image::Store& store, const hp::image::LayerRecord& layer) {
  return store.EnsureLayerUnpacked(layer);
}

constexpr hp::image::ImagePlugin kPlugin{hp::image::kImagePluginAbi, sizeof(hp::image::ImagePlugin),
                                         DoPull, DoImport, DoUnpack};

}  // namespace

extern "C" __attribute__((visibility("default"))) const hp::image::ImagePlugin* hp_image_plugin() {
  return &kPlugin;
}
