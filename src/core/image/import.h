// hp/image: `hostprocess import`: an OCI image layout directory, an OCI or docker-archive
// (`docker save`) tarball, or a plain rootfs directory/tarball (made into a one-layer image
// with a config, like `docker import`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/image/store.h"

namespace hp::image {

struct ImportOptions {
  // For rootfs imports (and added to layouts' configs): extra "K=V" env, cmd, entrypoint,
  // working dir. A rootfs image gets PATH=/usr/local/sbin:...:/bin unless env sets PATH.
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string working_dir;
  std::string platform;  // "os/arch[/variant]" for layouts holding an index; default: this host
};

enum class ImportKind { kOciLayout, kDockerArchive, kRootfs };

// Imports `path` under `name` (normalised like Docker); returns the stored record.
Result<ImageRecord> Import(Store& store, const std::string& path, std::string_view name,
                           const ImportOptions& opts = {});

// Builds the config, manifest and record of an image from layers already in the store, and
// tags it (used by the rootfs import; exposed for tests that make images).
Result<ImageRecord> CommitImage(Store& store, std::string_view name,
                                const std::vector<LayerRecord>& layers, const ImageConfig& config);

}  // namespace hp::image
