#include "core/image/plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "core/base/strings.h"
#include "core/image/reference.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::image {
namespace {

std::string SelfDir() {
  auto self = sys::SelfExe();
  if (!self) return ".";
  const std::string& exe = *self;
  size_t slash = exe.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : exe.substr(0, slash);
}

Result<const ImagePlugin*> Load() {
  std::string dir = SelfDir();
  std::vector<std::string> tried;
  std::vector<std::string> errors;
  for (const std::string& path : {dir + "/" + kImagePluginFile,
                                  dir + "/" + kImagePluginInstallDir + "/" + kImagePluginFile}) {
    tried.push_back(fmt::format("\"{}\"", path));
    if (!sys::Exists(path)) continue;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = ::dlerror();
      return Err(ErrorCode::kInternal, "load the image module \"{}\": {}: reinstall hostprocess",
                 path, e ? e : "unknown error");
    }
    using Entry = const ImagePlugin* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "hp_image_plugin"));
    const ImagePlugin* plugin = entry ? entry() : nullptr;
    if (!plugin || plugin->abi != kImagePluginAbi || plugin->size != sizeof(ImagePlugin)) {
      ::dlclose(handle);
      return Err(ErrorCode::kInternal,
                 "the image module \"{}\" is from another build of hostprocess: reinstall "
                 "hostprocess",
                 path);
    }
    return plugin;  // never unloaded
  }
  return Err(ErrorCode::kNotFound,
             "the image module (pull, import, layer unpack) is missing; looked for {}: reinstall "
             "hostprocess",
             Join(tried, ", "));
}

}  // namespace

Result<const ImagePlugin*> LoadImagePlugin() {
  static std::once_flag once;
  static Result<const ImagePlugin*> loaded = Err(ErrorCode::kInternal, "not loaded");
  std::call_once(once, [] { loaded = Load(); });
  return loaded;
}

Result<PullResult> PullImage(Store& store, std::string_view ref, const PullOptions& opts) {
  ASSIGN_OR_RETURN(const ImagePlugin* p, LoadImagePlugin());
  return p->pull(store, ref, opts);
}

Result<ImageRecord> ImportImage(Store& store, const std::string& path, std::string_view name,
                                const ImportOptions& opts) {
  ASSIGN_OR_RETURN(const ImagePlugin* p, LoadImagePlugin());
  return p->import(store, path, name, opts);
}

Status UnpackLayer(Store& store, const LayerRecord& layer) {
  // The common case, an unpacked layer, without the module (EnsureLayerUnpacked checks again).
  if (IsValidDigest(layer.diff_id) && sys::Exists(store.LayerPath(layer.diff_id))) return Ok();
  ASSIGN_OR_RETURN(const ImagePlugin* p, LoadImagePlugin());
  return p->ensure_layer_unpacked(store, layer);
}

RootfsOptions LazyUnpackingRootfsOptions(const Store& store, RootfsOptions options) {
  options.unpack = [copy = Store(store)](const LayerRecord& layer) mutable {
    return UnpackLayer(copy, layer);
  };
  return options;
}

}  // namespace hp::image
