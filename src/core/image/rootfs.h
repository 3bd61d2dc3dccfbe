// hp/image: the container volume (SPEC §4) made from an image: an overlay of the image's
// unpacked layers (read-only lower dirs, shared by every container) with a private writable
// upper dir, or a private copy of the files where overlayfs is not available.
//
// Lifecycle: Store::MountRootfs() → Rootfs (owns the mount). Destroying a Rootfs unmounts it;
// call Release() to hand it over to long-lived state (a pod that outlives this process) and
// later UnmountRootfs(target, scratch) — which also works after a crash, from the record kept
// in `scratch` — to tear it down.
#pragma once

#include <functional>
#include <string>

#include "core/base/result.h"

namespace hp::image {

enum class RootfsKind { kOverlay, kCopy };
const char* RootfsKindName(RootfsKind kind);  // "overlay" / "copy"

struct LayerRecord;

struct RootfsOptions {
  // Never try overlayfs (tests, file systems that cannot be overlay lowers).
  bool force_copy = false;
  // Called for a layer of the image that is not unpacked in the store (UnpackingRootfsOptions:
  // Store::EnsureLayerUnpacked). Unset, such a layer is an error: import and pull unpack every
  // layer, and the pod supervisor, which leaves it unset, links neither libarchive nor
  // libcrypto (docs/agent.md).
  std::function<Status(const LayerRecord&)> unpack;
};

class Rootfs {
 public:
  Rootfs() = default;
  Rootfs(std::string target, std::string scratch, std::string lease, RootfsKind kind)
      : target_(std::move(target)),
        scratch_(std::move(scratch)),
        lease_(std::move(lease)),
        kind_(kind) {}
  Rootfs(const Rootfs&) = delete;
  Rootfs& operator=(const Rootfs&) = delete;
  Rootfs(Rootfs&& o) noexcept { *this = std::move(o); }
  Rootfs& operator=(Rootfs&& o) noexcept;
  ~Rootfs();

  // The directory holding the image's files (the `target` given to MountRootfs).
  const std::string& path() const { return target_; }
  const std::string& scratch() const { return scratch_; }
  RootfsKind kind() const { return kind_; }
  // Why overlay was not used, when kind() is kCopy ("overlay mount failed: ...").
  const std::string& note() const { return note_; }
  void set_note(std::string note) { note_ = std::move(note); }
  bool active() const { return !target_.empty(); }

  // Unmounts the overlay (or removes the copied files), removes the scratch dir and the
  // store lease. `target` is left as an empty directory. Idempotent.
  Status Unmount();
  // Keeps the rootfs in place past this object's lifetime (UnmountRootfs() tears it down).
  void Release() { target_.clear(); }

 private:
  std::string target_;
  std::string scratch_;
  std::string lease_;  // file under <store>/leases that keeps the layers from GC
  RootfsKind kind_ = RootfsKind::kOverlay;
  std::string note_;
};

// Tears down a rootfs made by Store::MountRootfs from what it recorded in `scratch`
// (works after a crash or from another process). Missing pieces are not an error.
Status UnmountRootfs(const std::string& target, const std::string& scratch);
// Removes the lease of a rootfs mounted at `target` (exactly as given to MountRootfs) from the
// store under `root`, also when the record naming it was never written (a crash in between).
Status DropRootfsLease(const std::string& root, const std::string& target);

}  // namespace hp::image
