// hp/image: the image store shared by `hostprocess` and `hostprocess-runtime`.
//
// Layout under <root>/images (docs/image.md): content-addressed blobs (sha256, verified when
// written and when manifests/configs are read back), an index of images by normalised
// reference, layers unpacked once (keyed by diff id) and shared by every container, leases
// held by mounted rootfs, and reference-counted garbage collection when an image is removed.
// Every write is atomic (temp + rename); a crash mid-pull leaves no half image visible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"
#include "core/image/rootfs.h"

namespace hp::image {

// The parts of the OCI image config a HostProcess container uses.
struct ImageConfig {
  std::vector<std::string> env;  // "PATH=/usr/bin:/bin", ...
  std::string working_dir;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string user;
  std::map<std::string, std::string> labels;
  std::string os;            // "linux"
  std::string architecture;  // "amd64"
};

struct LayerRecord {
  std::string digest;      // blob digest (compressed) "sha256:..."
  std::string diff_id;     // digest of the uncompressed tar "sha256:..."
  std::string media_type;  // as in the manifest
  int64_t size = 0;        // compressed size in bytes
};

struct ImageRecord {
  std::string name;                 // normalised reference "docker.io/library/busybox:latest"
  std::string id;                   // config digest "sha256:..."
  std::string manifest_digest;      // "sha256:..."
  std::string index_digest;         // the index (manifest list) pulled through, if any
  std::vector<LayerRecord> layers;  // bottom first
  ImageConfig config;
  int64_t size = 0;     // compressed bytes of the layers
  std::string created;  // when the record was written (RFC 3339, UTC)
};

struct RemoveResult {
  std::vector<std::string> untagged;  // names removed from the index
  std::vector<std::string> deleted;   // blobs and layers removed by GC
};

class Store {
 public:
  // Opens (creating if needed) the store at `<root>/images`; `root` is the CLIs' --root.
  // Removes the temp dirs of pulls and imports that died, unless one is running.
  static Result<Store> Open(const std::string& root);

  const std::string& dir() const { return dir_; }

  // Finds an image by reference (normalised like Docker), by id ("sha256:..." or a unique
  // prefix of at least 12 hex digits). A reference with a digest finds an image of the same
  // repository pulled under any name whose manifest, or the index it was chosen from, has that
  // digest (Docker's and containerd's repo digests: a pod pinned by digest finds the image
  // pulled by tag).
  Result<ImageRecord> Resolve(std::string_view ref) const;
  Result<std::vector<ImageRecord>> List() const;

  // Makes `target` (an empty or non-existent dir) hold the image's files: overlayfs with the
  // image's unpacked layers as lower dirs and a private upper/work dir under `scratch`, or a
  // copy when overlay is unavailable (Rootfs::kind() says which).
  Result<Rootfs> MountRootfs(const ImageRecord& img, const std::string& target,
                             const std::string& scratch, const RootfsOptions& opts = {});

  // Untags `ref` (or every name of an image id) and garbage-collects blobs and layers no
  // image and no mounted rootfs refers to.
  Result<RemoveResult> Remove(std::string_view ref);
  // Deletes unreferenced blobs and layers (returned: "blob sha256:...", "layer sha256:..."),
  // temp dirs left by pulls and imports that died, and partial downloads of blobs that are
  // complete. Skipped (nothing deleted) while a pull, an import or a rootfs setup runs.
  Result<std::vector<std::string>> GarbageCollect();

  // --- building blocks for pull and import -------------------------------------------------
  std::string BlobPath(std::string_view digest) const;
  std::string LayerPath(std::string_view diff_id) const;  // the unpacked files
  bool HasBlob(std::string_view digest) const;
  // Reads a blob and verifies its digest (manifests, configs).
  Result<std::string> ReadBlob(std::string_view digest) const;
  // Stores `data`; returns its digest. If `expected` is given, a mismatch stores nothing.
  Result<std::string> WriteBlob(std::string_view data, std::string_view expected = {});
  // Moves a fully written file (same file system) into the blob store after verifying it.
  Status CommitBlobFile(const std::string& path, std::string_view digest);
  // A private directory on the store's file system for temp files; the caller removes it and
  // must hold SharedGcLock() meanwhile (GC removes every temp dir it finds).
  Result<std::string> MakeIngestDir() const;
  // The path of the partial download of `digest` (kept across attempts for resume).
  std::string PartialPath(std::string_view digest) const;
  // Runs `fn` holding an exclusive lock named `name` (blob digest, layer id, "index").
  Status WithLock(std::string_view name, const std::function<Status()>& fn) const;

  // Held (shared) by pulls, imports and rootfs setup for their duration; GC takes it
  // exclusively and is skipped while any is held, so nothing is collected mid-pull.
  Result<UniqueFd> SharedGcLock() const;

  // Stores a layer file (moved into the blob store; plain, gzip or zstd tar) and unpacks it,
  // learning its diff id. Used by import, where the diff id is not known beforehand.
  Result<LayerRecord> AddLayerFile(const std::string& path, const std::string& media_type);

  // Unpacks layer blob `layer.digest` into LayerPath(diff_id) once (concurrent callers wait),
  // verifying the uncompressed digest against `layer.diff_id`.
  Status EnsureLayerUnpacked(const LayerRecord& layer);

  // Adds or replaces `rec.name` in the index (atomically, under the index lock). The parts of
  // the config it copies (env, cmd, labels, ...) may take at most kMaxIndexedConfig bytes.
  static constexpr size_t kMaxIndexedConfig = 1 << 20;
  Status PutImage(const ImageRecord& rec);

  // Leases keep blobs and layers from GC while a pull, an import or a mounted rootfs needs
  // them. A lease tied to this process goes stale when it exits. Returns the lease file.
  Result<std::string> PutLease(const std::string& id, const std::vector<std::string>& blobs,
                               const std::vector<std::string>& layers, bool tied_to_process);
  Status DropLease(const std::string& id);

 private:
  explicit Store(std::string dir) : dir_(std::move(dir)) {}
  Result<std::map<std::string, ImageRecord>> LoadIndex() const;
  Status SaveIndex(const std::map<std::string, ImageRecord>& index) const;
  Result<std::vector<std::string>> GarbageCollectLocked();
  // gc.lock exclusively if nothing holds it (an empty fd if something does).
  Result<UniqueFd> TryExclusiveGcLock() const;
  Status CleanIngestLocked() const;

  std::string dir_;
};

// Encodes/decodes records (index.json, `inspect -o json`).
std::string ImageRecordToJson(const ImageRecord& rec, int indent = -1);

// `options` with `unpack` set to Store::EnsureLayerUnpacked on a copy of `store`.
RootfsOptions UnpackingRootfsOptions(const Store& store, RootfsOptions options = {});

}  // namespace hp::image
