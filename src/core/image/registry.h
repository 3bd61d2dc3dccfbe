// hp/image: pulling from an OCI distribution v2 registry (Docker Hub, docker-registry, ...)
// over libcurl on Linux, WinHTTP on Windows (windows/pull.h keeps a pull there). Anonymous,
// bearer-token (WWW-Authenticate challenge) and basic auth (creds from a docker-style config.json);
// manifest lists / OCI indexes resolved to one platform; schema 2 and OCI manifests; gzip and zstd
// layers; digests verified before anything is stored; parallel layer downloads, resume of partial
// blobs with Range, retries with back-off. Plain HTTP only for loopback registries (automatic for
// localhost/127.0.0.0/8/::1; with `insecure` also for names that resolve only to loopback
// addresses).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/image/store.h"

namespace hp::image {

struct PullProgress {
  std::string digest;     // the blob
  int64_t done = 0;       // bytes on disk (including a resumed prefix)
  int64_t total = 0;      // expected size (0 if unknown)
  bool finished = false;  // verified and stored (or already present)
};

struct PullOptions {
  std::string platform;     // "os/arch[/variant]"; empty = this host
  bool insecure = false;    // see the header comment
  std::string auth_config;  // docker config.json; empty = $DOCKER_CONFIG/config.json or
                            // ~/.docker/config.json (missing file = anonymous)
  int parallel = 3;         // concurrent layer downloads
  int retries = 4;          // attempts after the first, per request
  std::chrono::milliseconds backoff{250};  // doubled after every failed attempt
  int64_t max_bytes_per_second = 0;        // download throttle (0 = none; used by tests)
  // Deadlines (docs/image.md): a manifest or token request, with its retries, gets `timeout`;
  // a blob gets `timeout` plus its announced size at `min_bytes_per_second`.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  int64_t min_bytes_per_second = 64 << 10;
  int64_t max_layer_bytes = int64_t{32} << 30;        // a larger announced layer is refused
  std::function<void(const PullProgress&)> progress;  // called from download threads
};

struct PullResult {
  ImageRecord image;
  int blobs_downloaded = 0;
  int blobs_present = 0;  // already in the store: not downloaded again
  int64_t bytes_downloaded = 0;
  int64_t bytes_resumed = 0;          // taken from partial downloads of an earlier attempt
  std::vector<std::string> warnings;  // Windows: what the import of the layers did not make
};

// Limits on what a registry sends (docs/image.md).
inline constexpr int64_t kMaxManifestBytes = 4 << 20;
inline constexpr int64_t kMaxConfigBytes = 8 << 20;

// Errors carry no terminal control characters: text from the registry is escaped.
// Linux: into the image store (registry_store.cc).
Result<PullResult> Pull(Store& store, std::string_view ref, const PullOptions& opts = {});

// Credentials for `registry` ("127.0.0.1:5000", "docker.io") from a docker config.json:
// "user:password", or empty when there are none.
Result<std::string> LookupCredentials(const std::string& config_path, const std::string& registry);

}  // namespace hp::image
