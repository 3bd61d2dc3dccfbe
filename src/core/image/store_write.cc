// The parts of the store that hash and unpack: writing and verifying blobs, unpacking layers.
// Their own object file, so that what only reads the store and mounts its layers (the pod
// supervisor) links neither libcrypto nor libarchive.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/base/scope_exit.h"
#include "core/image/digest.h"
#include "core/image/reference.h"
#include "core/image/store.h"
#include "core/image/unpack.h"
#include "core/sys/file.h"

namespace hp::image {

using nlohmann::json;

Result<std::string> Store::ReadBlob(std::string_view digest) const {
  if (!IsValidDigest(digest))
    return Err(ErrorCode::kInvalidArgument, "invalid digest \"{}\"", digest);
  ASSIGN_OR_RETURN(std::string data, sys::ReadFile(BlobPath(digest)));
  std::string got = Sha256Digest(data);
  if (got != digest)
    return Err(ErrorCode::kInternal, "blob \"{}\" is corrupt: content has digest \"{}\"",
               BlobPath(digest), got);
  return data;
}

Result<std::string> Store::WriteBlob(std::string_view data, std::string_view expected) {
  std::string digest = Sha256Digest(data);
  if (!expected.empty() && digest != expected)
    return Err(ErrorCode::kInvalidArgument, "digest mismatch: expected \"{}\", content has \"{}\"",
               expected, digest);
  if (HasBlob(digest)) return digest;
  TRY(sys::WriteFileAtomic(BlobPath(digest), data, 0644, true));
  return digest;
}

Status Store::CommitBlobFile(const std::string& path, std::string_view digest) {
  ASSIGN_OR_RETURN(std::string got, Sha256File(path));
  if (got != digest)
    return Err(ErrorCode::kInvalidArgument,
               "digest mismatch for \"{}\": expected \"{}\", content has \"{}\"", path, digest,
               got);
  {
    ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDONLY));
    if (::fsync(fd.get()) < 0) return SysErr("fsync \"{}\"", path);
  }
  if (::chmod(path.c_str(), 0644) < 0) return SysErr("chmod \"{}\"", path);
  std::string dst = BlobPath(digest);
  if (::rename(path.c_str(), dst.c_str()) < 0) return SysErr("rename \"{}\" to \"{}\"", path, dst);
  return Ok();
}

Status Store::EnsureLayerUnpacked(const LayerRecord& layer) {
  if (!IsValidDigest(layer.diff_id) || !IsValidDigest(layer.digest))
    return Err(ErrorCode::kInvalidArgument, "layer with invalid digest \"{}\"", layer.digest);
  std::string final_dir = dir_ + "/layers/" + std::string(DigestHex(layer.diff_id));
  if (sys::Exists(final_dir)) return Ok();
  return WithLock("layer-" + std::string(DigestHex(layer.diff_id)), [&]() -> Status {
    if (sys::Exists(final_dir)) return Ok();  // another process unpacked it meanwhile
    ASSIGN_OR_RETURN(std::string tmp, MakeIngestDir());
    ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
    ASSIGN_OR_RETURN_CTX(UnpackResult res, UnpackLayerFile(BlobPath(layer.digest), tmp + "/fs"),
                         "layer \"{}\"", layer.digest);
    if (res.diff_id != layer.diff_id)
      return Err(ErrorCode::kInvalidArgument,
                 "layer \"{}\": uncompressed digest \"{}\" does not match diff id \"{}\"",
                 layer.digest, res.diff_id, layer.diff_id);
    json meta{{"digest", layer.digest},
              {"diff_id", layer.diff_id},
              {"aufs_whiteouts", res.aufs_whiteouts},
              {"notes", res.notes}};
    TRY(sys::WriteFileAtomic(tmp + "/layer.json", meta.dump(2), 0644, true));
    ::sync();  // the layer's files must be durable before it becomes visible
    if (::rename(tmp.c_str(), final_dir.c_str()) < 0)
      return SysErr("rename \"{}\" to \"{}\"", tmp, final_dir);
    rm.Dismiss();
    return Ok();
  });
}

Result<LayerRecord> Store::AddLayerFile(const std::string& path, const std::string& media_type) {
  LayerRecord l;
  l.media_type = media_type;
  ASSIGN_OR_RETURN(l.digest, Sha256File(path));
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return SysErr("stat \"{}\"", path);
  l.size = st.st_size;
  if (!HasBlob(l.digest)) TRY(CommitBlobFile(path, l.digest));
  ASSIGN_OR_RETURN(std::string tmp, MakeIngestDir());
  ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
  ASSIGN_OR_RETURN_CTX(UnpackResult res, UnpackLayerFile(BlobPath(l.digest), tmp + "/fs"),
                       "layer \"{}\"", path);
  l.diff_id = res.diff_id;
  std::string final_dir = dir_ + "/layers/" + std::string(DigestHex(l.diff_id));
  return WithLock("layer-" + std::string(DigestHex(l.diff_id)),
                  [&]() -> Status {
                    if (sys::Exists(final_dir)) return Ok();
                    json meta{{"digest", l.digest},
                              {"diff_id", l.diff_id},
                              {"aufs_whiteouts", res.aufs_whiteouts},
                              {"notes", res.notes}};
                    TRY(sys::WriteFileAtomic(tmp + "/layer.json", meta.dump(2), 0644, true));
                    ::sync();
                    if (::rename(tmp.c_str(), final_dir.c_str()) < 0)
                      return SysErr("rename \"{}\" to \"{}\"", tmp, final_dir);
                    rm.Dismiss();
                    return Ok();
                  })
      .map([&] { return l; });
}

RootfsOptions UnpackingRootfsOptions(const Store& store, RootfsOptions options) {
  options.unpack = [copy = Store(store)](const LayerRecord& layer) mutable {
    return copy.EnsureLayerUnpacked(layer);
  };
  return options;
}

}  // namespace hp::image
