// hp/image: image references ("busybox", "ghcr.io/a/b:v1", "x@sha256:...") normalised like
// Docker: `busybox` → `docker.io/library/busybox:latest`.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::image {

struct Reference {
  std::string domain;  // "docker.io", "127.0.0.1:5000", "hostprocess.local"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest"; empty when only a digest was given
  std::string digest;  // "sha256:<64 hex>" or empty

  // "docker.io/library/busybox"
  std::string Name() const { return domain + "/" + path; }
  // "docker.io/library/busybox:latest", "...@sha256:..." or "...:tag@sha256:..."
  std::string String() const;
  // The host to talk to: docker.io is served by registry-1.docker.io.
  std::string RegistryHost() const;
};

// Parses and normalises `ref`; a missing tag (and digest) becomes "latest".
Result<Reference> ParseReference(std::string_view ref);

// True for "sha256:" + 64 lowercase hex digits.
bool IsValidDigest(std::string_view digest);

}  // namespace hp::image
