// hp/image on Linux: a pull keeps its blobs in the image store (pull_target.h), shared by the
// images that have them, and unpacks every layer once as it arrives.
#include <sys/stat.h>

#include <cstdlib>

#include "core/image/digest.h"
#include "core/image/pull_target.h"
#include "core/image/registry.h"

namespace hp::image {
namespace {

class StoreTarget final : public PullTarget {
 public:
  explicit StoreTarget(Store& store) : store_(store) {}

  Status WithBlobLock(const std::string& digest, const std::function<Status()>& fn) override {
    return store_.WithLock("blob-" + std::string(DigestHex(digest)), fn);
  }
  Result<int64_t> KeptBlobSize(const std::string& digest) override {
    if (!store_.HasBlob(digest)) return -1;
    struct stat st;
    std::string path = store_.BlobPath(digest);
    if (::stat(path.c_str(), &st) < 0) return SysErr("stat \"{}\"", path);
    return static_cast<int64_t>(st.st_size);
  }
  std::string PartialPath(const std::string& digest) override { return store_.PartialPath(digest); }
  Status CommitBlobFile(const std::string& partial, const std::string& digest) override {
    return store_.CommitBlobFile(partial, digest);
  }
  Result<std::string> ReadBlob(const std::string& digest) override {
    return store_.ReadBlob(digest);
  }
  Status LayerFetched(const LayerRecord& layer) override {
    return store_.EnsureLayerUnpacked(layer);
  }
  Result<ImageRecord> Commit(const std::string& manifest_json, const ImageRecord& rec) override {
    TRY(store_.WriteBlob(manifest_json, rec.manifest_digest));
    TRY(store_.PutImage(rec));
    return store_.Resolve(rec.name);
  }

 private:
  Store& store_;
};

}  // namespace

std::string DefaultDockerConfig() {
  const char* dc = std::getenv("DOCKER_CONFIG");
  const char* home = std::getenv("HOME");
  return dc && *dc ? std::string(dc) + "/config.json"
                   : std::string(home ? home : "/root") + "/.docker/config.json";
}

Result<PullResult> Pull(Store& store, std::string_view ref, const PullOptions& opts) {
  // A GC does not remove the blobs of a pull under way.
  ASSIGN_OR_RETURN(UniqueFd gc_lock, store.SharedGcLock());
  StoreTarget target(store);
  return PullInto(target, ref, opts);
}

}  // namespace hp::image
