// hp/image (internal to the pull): where a pull keeps what it downloads. The registry side
// (registry.cc, blob_fetch.cc) is the same on both platforms; the keeping is not:
//  - Linux (registry_store.cc): the image store, its blobs shared by images, layers unpacked as
//    they arrive;
//  - Windows (windows/pull.cc): an OCI image layout in a scratch directory, imported into the
//    directory store (windows/oci_import.h) once every blob is there.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/image/registry.h"
#include "core/image/store.h"

namespace hp::image {

class PullTarget {
 public:
  virtual ~PullTarget() = default;
  // Runs `fn` holding blob `digest`'s lock: one download of a blob at a time.
  virtual Status WithBlobLock(const std::string& digest, const std::function<Status()>& fn) = 0;
  // The size of the kept blob `digest`, or -1 when it is not kept.
  virtual Result<int64_t> KeptBlobSize(const std::string& digest) = 0;
  // Where blob `digest` is downloaded to before it is verified; it may hold an earlier prefix.
  virtual std::string PartialPath(const std::string& digest) = 0;
  // Keeps the verified download `partial` as blob `digest`.
  virtual Status CommitBlobFile(const std::string& partial, const std::string& digest) = 0;
  virtual Result<std::string> ReadBlob(const std::string& digest) = 0;
  // Layer `layer`'s blob is kept (called from the download threads).
  virtual Status LayerFetched(const LayerRecord& layer) = 0;
  // The image kept as `name`, when it is the one `manifest_digest` names: nothing is left to
  // download (Windows, whose store keeps files and no blobs to find them by); nullopt: go on.
  virtual std::optional<ImageRecord> KeptImage(const std::string& /*name*/,
                                               const std::string& /*manifest_digest*/) {
    return std::nullopt;
  }
  // Every blob of `rec` is kept: keeps the manifest and the image; returns the image kept.
  virtual Result<ImageRecord> Commit(const std::string& manifest_json, const ImageRecord& rec) = 0;
};

// The pull of `ref` into `target`: the manifest (an index resolved to opts.platform), the
// config, then the layers in parallel, every blob verified before it is kept.
Result<PullResult> PullInto(PullTarget& target, std::string_view ref, const PullOptions& opts);

// The docker config.json read when PullOptions::auth_config is empty: $DOCKER_CONFIG/config.json,
// else the user's home's .docker/config.json (the platform's home: registry_store.cc,
// windows/pull.cc).
std::string DefaultDockerConfig();

}  // namespace hp::image
