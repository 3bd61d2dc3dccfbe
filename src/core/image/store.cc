#include "core/image/store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/json.h"
#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/image/digest.h"
#include "core/image/record.h"
#include "core/image/reference.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {
using nlohmann::json;

bool PidAlive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

Result<Store> Store::Open(const std::string& root) {
  if (root.empty()) return Err(ErrorCode::kInvalidArgument, "empty store root");
  std::string dir = root + "/images";
  for (const char* sub : {"blobs/sha256", "layers", "ingest", "locks", "leases"})
    TRY_CTX(sys::MkdirAll(dir + "/" + sub, 0700), "open image store \"{}\"", dir);
  Store store(dir);
  // What killed pulls and imports left in ingest/ goes now, not at the next rmi. Best effort:
  // skipped while a pull, an import or a rootfs setup runs (they hold gc.lock shared).
  if (auto gc = store.TryExclusiveGcLock(); gc && *gc) (void)store.CleanIngestLocked();
  return store;
}

Result<UniqueFd> Store::TryExclusiveGcLock() const {
  std::string path = dir_ + "/locks/gc.lock";
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return UniqueFd();
    return SysErr("lock \"{}\"", path);
  }
  return fd;
}

// Every pull, import and unpack holds the shared GC lock while it uses a temp dir, so under
// the exclusive lock any temp dir (or lease temp file) is left from one that died. A partial
// download is kept for the next attempt to resume, unless its blob is complete by now.
Status Store::CleanIngestLocked() const {
  ASSIGN_OR_RETURN(auto ingest, sys::ListDir(dir_ + "/ingest"));
  for (const auto& n : ingest) {
    std::string path = dir_ + "/ingest/" + n;
    if (StartsWith(n, "tmp-")) {
      (void)sys::RemoveAll(path);
    } else if (n.size() == 64 + 8 && n.substr(64) == ".partial" &&
               HasBlob("sha256:" + n.substr(0, 64))) {
      ::unlink(path.c_str());
    }
  }
  // Leases are written under the shared lock too (MountRootfs): a temp file of one is dead.
  (void)sys::RemoveAtomicWriteTemps(dir_ + "/leases");
  return Ok();
}

std::string Store::BlobPath(std::string_view digest) const {
  return dir_ + "/blobs/sha256/" + std::string(DigestHex(digest));
}
std::string Store::LayerPath(std::string_view diff_id) const {
  return dir_ + "/layers/" + std::string(DigestHex(diff_id)) + "/fs";
}
std::string Store::PartialPath(std::string_view digest) const {
  return dir_ + "/ingest/" + std::string(DigestHex(digest)) + ".partial";
}
bool Store::HasBlob(std::string_view digest) const {
  return IsValidDigest(digest) && sys::Exists(BlobPath(digest));
}

Status Store::WithLock(std::string_view name, const std::function<Status()>& fn) const {
  std::string path = dir_ + "/locks/" + std::string(name) + ".lock";
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return SysErr("lock \"{}\"", path);
  return fn();  // the lock goes with the fd
}

Result<std::string> Store::MakeIngestDir() const {
  std::string tmpl = dir_ + "/ingest/tmp-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return SysErr("mkdtemp \"{}\"", tmpl);
  return tmpl;
}

Result<std::map<std::string, ImageRecord>> Store::LoadIndex() const {
  std::map<std::string, ImageRecord> out;
  std::string path = dir_ + "/index.json";
  if (!sys::Exists(path)) return out;
  ASSIGN_OR_RETURN(std::string data, sys::ReadFile(path));
  try {
    json j = ParseJsonOrThrow(data);
    for (const auto& r : j.value("images", json::array())) {
      ImageRecord rec = RecordFromJson(r);
      out[rec.name] = std::move(rec);
    }
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInternal, "image index \"{}\" is corrupt: {}", path, e.what());
  }
  return out;
}

// Called under the index lock (WithLock("index")).
Status Store::SaveIndex(const std::map<std::string, ImageRecord>& index) const {
  json arr = json::array();
  for (const auto& [name, rec] : index) arr.push_back(RecordToJson(rec));
  TRY(sys::WriteFileAtomic(dir_ + "/index.json", json{{"images", arr}}.dump(2), 0644, true));
  // Under the index lock no other write of it runs: a temp file of one is left by a command
  // killed while it wrote. Best effort: the index is saved.
  (void)sys::RemoveAtomicWriteTemps(dir_, "index.json");
  return Ok();
}

Status Store::PutImage(const ImageRecord& rec) {
  if (rec.created.empty()) {
    ImageRecord copy = rec;
    copy.created = Rfc3339(NowUnixSeconds());
    return PutImage(copy);
  }
  // The index is read by every `images` and `run`: what it copies from an image config must
  // stay small whatever the config holds.
  if (size_t n = ConfigToJson(rec.config).dump().size(); n > kMaxIndexedConfig)
    return Err(ErrorCode::kInvalidArgument,
               "image \"{}\": its config's env, cmd, labels, ... take {} bytes (the limit is {})",
               rec.name, n, kMaxIndexedConfig);
  return WithLock("index", [&]() -> Status {
    ASSIGN_OR_RETURN(auto index, LoadIndex());
    index[rec.name] = rec;
    return SaveIndex(index);
  });
}

Result<std::string> Store::PutLease(const std::string& id, const std::vector<std::string>& blobs,
                                    const std::vector<std::string>& layers, bool tied_to_process) {
  std::string path = dir_ + "/leases/" + id + ".json";
  json j{{"blobs", blobs}, {"layers", layers}, {"pid", tied_to_process ? ::getpid() : 0}};
  TRY(sys::WriteFileAtomic(path, j.dump(), 0644, false));
  return path;
}

Status Store::DropLease(const std::string& id) {
  std::string path = dir_ + "/leases/" + id + ".json";
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return SysErr("remove lease \"{}\"", path);
  return Ok();
}

Result<std::vector<ImageRecord>> Store::List() const {
  ASSIGN_OR_RETURN(auto index, LoadIndex());
  std::vector<ImageRecord> out;
  for (auto& [n, r] : index) out.push_back(std::move(r));
  return out;
}

Result<ImageRecord> Store::Resolve(std::string_view ref) const {
  ASSIGN_OR_RETURN(auto index, LoadIndex());
  std::string_view s = TrimSpace(ref);
  std::string hex(StartsWith(s, "sha256:") ? s.substr(7) : s);
  bool hexish =
      hex.size() >= 12 && hex.size() <= 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
  if (hexish) {
    const ImageRecord* found = nullptr;
    for (const auto& [n, r] : index)
      if (StartsWith(DigestHex(r.id), hex)) {
        if (found && found->id != r.id)
          return Err(ErrorCode::kInvalidArgument, "image id prefix \"{}\" is ambiguous", ref);
        found = &r;
      }
    if (found) return *found;
  }
  auto parsed = ParseReference(ref);
  if (!parsed) {
    if (hexish) return Err(ErrorCode::kNotFound, "image \"{}\" not found", ref);
    return tl::unexpected(parsed.error());
  }
  if (auto it = index.find(parsed->String()); it != index.end()) return it->second;
  if (!parsed->digest.empty()) {
    // Its repository's image of that digest, under whichever name it was pulled.
    const std::string repo = parsed->Name();
    for (const auto& [n, r] : index) {
      bool same_repo = StartsWith(n, repo + "@") || StartsWith(n, repo + ":");
      if (same_repo && (r.manifest_digest == parsed->digest || r.index_digest == parsed->digest))
        return r;
    }
  }
  return Err(ErrorCode::kNotFound, "image \"{}\" not found", parsed->String());
}

Result<RemoveResult> Store::Remove(std::string_view ref) {
  RemoveResult out;
  TRY(WithLock("index", [&]() -> Status {
    ASSIGN_OR_RETURN(auto index, LoadIndex());
    ASSIGN_OR_RETURN(ImageRecord rec, Resolve(ref));
    // By id: every name of the image; by name: only that name.
    std::string_view s = TrimSpace(ref);
    bool by_id =
        StartsWith(rec.id, "sha256:" + std::string(StartsWith(s, "sha256:") ? s.substr(7) : s));
    for (auto it = index.begin(); it != index.end();) {
      if (it->first == rec.name || (by_id && it->second.id == rec.id)) {
        out.untagged.push_back(it->first);
        it = index.erase(it);
      } else {
        ++it;
      }
    }
    return SaveIndex(index);
  }));
  ASSIGN_OR_RETURN(out.deleted, GarbageCollect());
  return out;
}

Result<UniqueFd> Store::SharedGcLock() const {
  std::string path = dir_ + "/locks/gc.lock";
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_SH) < 0)
    if (errno != EINTR) return SysErr("lock \"{}\"", path);
  return fd;
}

Result<std::vector<std::string>> Store::GarbageCollect() {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(UniqueFd gc, TryExclusiveGcLock());
  if (!gc) return out;  // a pull or import is running: collect next time
  TRY(WithLock("index", [&]() -> Status {
    ASSIGN_OR_RETURN(out, GarbageCollectLocked());
    return Ok();
  }));
  return out;
}

Result<std::vector<std::string>> Store::GarbageCollectLocked() {
  ASSIGN_OR_RETURN(auto index, LoadIndex());
  std::set<std::string> blobs, layers;  // hex digests in use
  for (const auto& [n, r] : index) {
    blobs.insert(std::string(DigestHex(r.manifest_digest)));
    blobs.insert(std::string(DigestHex(r.id)));
    for (const auto& l : r.layers) {
      blobs.insert(std::string(DigestHex(l.digest)));
      layers.insert(std::string(DigestHex(l.diff_id)));
    }
  }
  // Leases: mounted rootfs and pulls/imports in progress keep what they name.
  ASSIGN_OR_RETURN(auto leases, sys::ListDir(dir_ + "/leases"));
  for (const auto& name : leases) {
    std::string path = dir_ + "/leases/" + name;
    auto data = sys::ReadFile(path);
    if (!data) continue;
    try {
      json j = ParseJsonOrThrow(*data);
      int pid = j.value("pid", 0);
      if (pid != 0 && !PidAlive(pid)) {  // a pull that died
        ::unlink(path.c_str());
        continue;
      }
      for (const auto& d : j.value("blobs", std::vector<std::string>{}))
        if (IsValidDigest(d)) blobs.insert(std::string(DigestHex(d)));
      for (const auto& d : j.value("layers", std::vector<std::string>{}))
        if (IsValidDigest(d)) layers.insert(std::string(DigestHex(d)));
    } catch (const json::exception&) {
    }
  }
  std::vector<std::string> deleted;
  ASSIGN_OR_RETURN(auto blob_files, sys::ListDir(dir_ + "/blobs/sha256"));
  for (const auto& b : blob_files)
    if (!blobs.count(b) && ::unlink((dir_ + "/blobs/sha256/" + b).c_str()) == 0)
      deleted.push_back("blob sha256:" + b);
  ASSIGN_OR_RETURN(auto layer_dirs, sys::ListDir(dir_ + "/layers"));
  for (const auto& l : layer_dirs)
    if (!layers.count(l) && sys::RemoveAll(dir_ + "/layers/" + l))
      deleted.push_back("layer sha256:" + l);
  TRY(CleanIngestLocked());
  return deleted;
}

}  // namespace hp::image
