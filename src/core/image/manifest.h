// hp/image: decoding of OCI / Docker schema 2 manifests, indexes and image configs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/image/store.h"

namespace hp::image {

inline constexpr std::string_view kMediaOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kMediaOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kMediaOciLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kMediaOciLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kMediaOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kMediaDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kMediaDockerConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kMediaDockerLayer =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// The most layers an image may have: overlayfs stacks at most 500 lower dirs.
inline constexpr size_t kMaxLayers = 500;

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::string os, architecture, variant;  // platform (index entries)
  std::string ref_name;  // org.opencontainers.image.ref.name annotation (OCI layouts)
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Platform {
  std::string os = "linux";
  std::string architecture;  // GOARCH spelling: amd64, arm64, arm, 386, ...
  std::string variant;
};
// This machine's platform: linux or windows, and its architecture (host_platform.cc on Linux,
// windows/host_platform.cc on Windows).
Platform HostPlatform();
// This machine's platform; `spec` like "linux/arm64/v8" overrides it.
Result<Platform> ParsePlatform(std::string_view spec);

bool IsIndexMediaType(std::string_view mt);
bool IsManifestMediaType(std::string_view mt);
bool IsLayerMediaType(std::string_view mt);

// The media type of a JSON document: its "mediaType" field, or guessed from its shape.
Result<std::string> DetectMediaType(std::string_view json);
Result<std::vector<Descriptor>> ParseIndex(std::string_view json);
Result<Manifest> ParseManifest(std::string_view json);
// Picks the index entry for `p`; the error lists the platforms on offer.
Result<Descriptor> SelectPlatform(const std::vector<Descriptor>& entries, const Platform& p);

struct ParsedConfig {
  ImageConfig config;
  std::vector<std::string> diff_ids;
};
Result<ParsedConfig> ParseImageConfig(std::string_view json);

}  // namespace hp::image
