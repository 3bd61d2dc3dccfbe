// hp/image on Windows (preview, docs/windows.md): `import` of an OCI image with Windows layers,
// kept in the directory store of windows/dir_images.h (<root>\images\windows\<sha256 of the
// name>\{image.json, Files\}).
//  - An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`): index (the
//    manifest for --platform, default this node's windows/amd64; nested indexes followed) ->
//    manifest -> config -> layers, every blob checked against its sha256 and every layer's
//    uncompressed tar against the config's diff id. The layers are applied in order into
//    Files\ (windows/tar_unpack.h: only `Files/`; whiteouts; unsafe names refused).
//  - A tarball (`docker save`, `ctr export`; gzip or plain): unpacked first into a
//    `.import-*` directory beside the images and removed afterwards, then read as an OCI layout
//    when it has `oci-layout`, else as a docker archive (`manifest.json`: config and layer
//    files, each layer checked against the config's diff id).
// The record is the Linux store's: id = the config blob's digest (Docker's image id), the
// manifest's digest, the layers, size = their compressed bytes, config.os and the rest from
// the image config with --env/--cmd/--entrypoint/--workdir applied on top. The image is built
// in a `.import-*` directory and renamed into place: an error or a crash leaves no half image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/image/import.h"
#include "core/image/store.h"

namespace hp::image {

struct ImportedImage {
  ImageRecord record;
  std::vector<std::string> warnings;  // what was not imported (symbolic links, ...), one a line
};

// Imports the OCI image layout directory `dir` under `name` (normalised like Docker).
Result<ImportedImage> ImportOciLayout(const std::string& root, const std::string& dir,
                                      std::string_view name, const ImportOptions& opts = {});
// Imports the image tarball `file` (an OCI layout or a docker archive) under `name`.
Result<ImportedImage> ImportImageTarball(const std::string& root, const std::string& file,
                                         std::string_view name, const ImportOptions& opts = {});

}  // namespace hp::image
