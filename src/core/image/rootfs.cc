#include "core/image/rootfs.h"

#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/base/json.h"
#include "core/base/scope_exit.h"
#include "core/image/digest.h"
#include "core/image/layer_copy.h"
#include "core/image/store.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::image {
namespace {
using nlohmann::json;

constexpr char kRecord[] = "/rootfs.json";

// 32 hex digits naming a path in a file name (two FNV-1a hashes: no libcrypto in what mounts).
std::string PathKey(std::string_view path) {
  auto fnv = [&](uint64_t h) {
    for (unsigned char ch : path) h = (h ^ ch) * 0x100000001b3ULL;
    return h;
  };
  return fmt::format("{:016x}{:016x}", fnv(0xcbf29ce484222325ULL), fnv(0x84222325cbf29ce4ULL));
}

Status EnsureEmptyDir(const std::string& dir) {
  if (!sys::Exists(dir)) return sys::MkdirAll(dir, 0755);
  if (!sys::IsDir(dir)) return Err(ErrorCode::kInvalidArgument, "\"{}\" is not a directory", dir);
  ASSIGN_OR_RETURN(auto names, sys::ListDir(dir));
  if (!names.empty()) return Err(ErrorCode::kInvalidArgument, "\"{}\" is not empty", dir);
  return Ok();
}

Status EmptyDir(const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, sys::ListDir(dir));
  for (const auto& n : names) TRY(sys::RemoveAll(dir + "/" + n));
  return Ok();
}

}  // namespace

const char* RootfsKindName(RootfsKind kind) {
  return kind == RootfsKind::kOverlay ? "overlay" : "copy";
}

Rootfs& Rootfs::operator=(Rootfs&& o) noexcept {
  if (this != &o) {
    (void)Unmount();
    target_ = std::move(o.target_);
    scratch_ = std::move(o.scratch_);
    lease_ = std::move(o.lease_);
    kind_ = o.kind_;
    note_ = std::move(o.note_);
    o.target_.clear();
  }
  return *this;
}

Rootfs::~Rootfs() { (void)Unmount(); }

Status Rootfs::Unmount() {
  if (target_.empty()) return Ok();
  Status st = UnmountRootfs(target_, scratch_);
  if (st) target_.clear();
  return st;
}

Status UnmountRootfs(const std::string& target, const std::string& scratch) {
  std::string kind = "overlay";
  std::string lease;
  if (auto data = sys::ReadFile(scratch + kRecord)) {
    try {
      json j = ParseJsonOrThrow(*data);
      kind = j.value("kind", "overlay");
      lease = j.value("lease", "");
    } catch (const json::exception&) {
    }
  }
  // A copy was never mounted: umount2 would fail with EPERM for the unprivileged users the
  // copy is there for.
  if (kind != "copy" && ::umount2(target.c_str(), UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
      errno != ENOENT) {
    if (errno != EBUSY) return SysErr("unmount \"{}\"", target);
    if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
      return SysErr("unmount \"{}\"", target);
  }
  if (kind == "copy" && sys::IsDir(target)) TRY_CTX(EmptyDir(target), "remove rootfs copy");
  if (sys::Exists(scratch)) TRY(sys::RemoveAll(scratch));
  if (!lease.empty() && ::unlink(lease.c_str()) < 0 && errno != ENOENT)
    return SysErr("remove lease \"{}\"", lease);
  return Ok();
}

Status DropRootfsLease(const std::string& root, const std::string& target) {
  // Store::Open's layout: <root>/images/leases/<id>.json, the id MountRootfs gives.
  std::string dir = root + "/images/leases";
  std::string name = "rootfs-" + PathKey(target) + ".json";
  std::string path = dir + "/" + name;
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return SysErr("remove lease \"{}\"", path);
  // A setup killed while it wrote the lease leaves the temp file of that write; nothing else
  // writes this rootfs' lease now.
  return sys::RemoveAtomicWriteTemps(dir, name);
}

Result<Rootfs> Store::MountRootfs(const ImageRecord& img, const std::string& target,
                                  const std::string& scratch, const RootfsOptions& opts) {
  if (target.empty() || target[0] != '/' || scratch.empty() || scratch[0] != '/')
    return Err(ErrorCode::kInvalidArgument, "rootfs target and scratch must be absolute paths");
  ASSIGN_OR_RETURN(UniqueFd gc_lock, SharedGcLock());
  std::vector<std::string> diff_ids;
  for (const auto& l : img.layers) diff_ids.push_back(l.diff_id);
  // The lease is taken before unpacking so that a concurrent rmi cannot collect the layers.
  std::string lease_id = "rootfs-" + PathKey(target);
  ASSIGN_OR_RETURN(std::string lease, PutLease(lease_id, {}, diff_ids, false));
  ScopeExit drop_lease([&] { (void)DropLease(lease_id); });
  bool aufs = false;
  for (const auto& l : img.layers) {
    if (!sys::Exists(LayerPath(l.diff_id))) {
      if (!opts.unpack)
        return Err(ErrorCode::kNotFound,
                   "layer \"{}\" is not unpacked in the store; import or pull the image again",
                   l.digest);
      TRY_CTX(opts.unpack(l), "image \"{}\"", img.name);
    }
    auto meta =
        sys::ReadFile(dir_ + "/layers/" + std::string(DigestHex(l.diff_id)) + "/layer.json");
    if (meta && meta->find("\"aufs_whiteouts\": true") != std::string::npos) aufs = true;
  }
  TRY(EnsureEmptyDir(target));
  TRY(EnsureEmptyDir(scratch));
  ScopeExit rm_scratch([&] { (void)sys::RemoveAll(scratch); });
  TRY(sys::MkdirAll(scratch + "/upper", 0755));
  TRY(sys::MkdirAll(scratch + "/work", 0700));

  RootfsKind kind = RootfsKind::kCopy;
  std::string note;
  if (opts.force_copy) {
    note = "copy requested";
  } else if (aufs) {
    note = "layers hold .wh. whiteouts (unpacked without privilege): copied";
  } else {
    std::string lower;
    for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it)
      lower += (lower.empty() ? "" : ":") + LayerPath(it->diff_id);
    if (lower.empty()) {
      TRY(sys::MkdirAll(scratch + "/empty", 0755));
      lower = scratch + "/empty";
    }
    std::string data =
        "lowerdir=" + lower + ",upperdir=" + scratch + "/upper,workdir=" + scratch + "/work";
    if (data.size() >= 4000) {
      note = "too many layers for one overlay mount: copied";
    } else if (Status m = sys::MountOverlay(target, data, MS_NOSUID | MS_NODEV);
               m) {  // nothing in an image grants privileges; the upper goes with the scratch
      kind = RootfsKind::kOverlay;
    } else {
      note = fmt::format("overlay mount failed ({}): copied", std::strerror(m.error().sys_errno()));
    }
  }
  json rec{
      {"kind", RootfsKindName(kind)}, {"target", target}, {"lease", lease}, {"image", img.name}};
  auto undo = [&] {
    if (kind == RootfsKind::kOverlay)
      ::umount2(target.c_str(), MNT_DETACH);
    else
      (void)EmptyDir(target);
  };
  Status wr = sys::WriteFileAtomic(scratch + kRecord, rec.dump(2));
  if (!wr) {
    undo();
    return tl::unexpected(wr.error());
  }
  if (kind == RootfsKind::kCopy) {
    for (const auto& l : img.layers) {
      Status st = ApplyLayerCopy(LayerPath(l.diff_id), target);
      if (!st) {
        undo();
        return tl::unexpected(st.error());
      }
    }
  }
  rm_scratch.Dismiss();
  drop_lease.Dismiss();
  Rootfs r(target, scratch, lease, kind);
  r.set_note(note);
  return r;
}

}  // namespace hp::image
