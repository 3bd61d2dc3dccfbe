#include "core/image/windows/pull.h"

#include <windows.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "core/image/digest.h"
#include "core/image/manifest.h"
#include "core/image/pull_target.h"
#include "core/image/reference.h"
#include "core/image/windows/dir_images.h"
#include "core/image/windows/oci_import.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"

namespace hp::image {
namespace {

namespace fs = std::filesystem;

using sys::FsPath;

// Writes the file's data to the disk before it is renamed into place: after a power cut a kept
// blob must not have its size without its bytes (only its size is checked when it is found).
Status FlushToDisk(const std::string& path) {
  HANDLE h = CreateFileW(FsPath(path).c_str(), GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return Err(sys::Win32Error("open \"" + path + "\" to flush it"));
  BOOL flushed = FlushFileBuffers(h);
  DWORD error = GetLastError();
  CloseHandle(h);
  if (!flushed) return Err(sys::Win32Error("flush \"" + path + "\"", error));
  return Ok();
}

// The blobs of one pull, kept in PullBlobDir (as the Linux store keeps its blobs): a blob found
// there is not downloaded again. A blob is downloaded into the store's ingest directory
// (PullIngestDir), whose partial download the next pull resumes, and moved into PullBlobDir
// once verified, so that a pull that fails or is killed later keeps it. At the end the image's
// blobs are moved into an OCI image layout in `dir` (blobs\sha256\<hex>, oci-layout, and
// index.json naming the one manifest pulled) for the import, and back after it.
class LayoutTarget final : public PullTarget {
 public:
  LayoutTarget(std::string root, std::string dir, ImportOptions import)
      : root_(std::move(root)),
        dir_(std::move(dir)),
        ingest_(PullIngestDir(root_)),
        kept_(PullBlobDir(root_)),
        import_(std::move(import)) {}

  Status Init() {
    for (const std::string& d : {BlobDir(), ingest_, kept_}) {
      std::error_code ec;
      fs::create_directories(FsPath(d), ec);
      if (ec) return Err(ErrorCode::kUnavailable, "create \"{}\": {}", d, ec.message());
    }
    return Ok();
  }
  Status WithBlobLock(const std::string& digest, const std::function<Status()>& fn) override {
    std::shared_ptr<std::mutex> mu;
    {
      std::lock_guard lk(locks_mu_);
      auto& slot = locks_[digest];
      if (!slot) slot = std::make_shared<std::mutex>();
      mu = slot;
    }
    std::lock_guard lk(*mu);
    return fn();
  }
  Result<int64_t> KeptBlobSize(const std::string& digest) override {
    std::error_code ec;
    auto size = fs::file_size(FsPath(KeptPath(digest)), ec);
    return ec ? int64_t{-1} : static_cast<int64_t>(size);
  }
  std::string PartialPath(const std::string& digest) override {
    return ingest_ + "\\" + std::string(DigestHex(digest)) + ".partial";
  }
  Status CommitBlobFile(const std::string& partial, const std::string& digest) override {
    TRY(FlushToDisk(partial));
    TRY(Move(partial, KeptPath(digest)));
    std::lock_guard lk(locks_mu_);
    fetched_.insert(digest);
    return Ok();
  }
  Result<std::string> ReadBlob(const std::string& digest) override {
    return sys::ReadFile(KeptPath(digest));
  }
  Status LayerFetched(const LayerRecord&) override { return Ok(); }  // applied at Commit
  std::optional<ImageRecord> KeptImage(const std::string& name,
                                       const std::string& manifest_digest) override {
    auto kept = ResolveDirectoryImage(root_, name);
    if (!kept || kept->manifest_digest != manifest_digest) return std::nullopt;
    return *kept;
  }
  Result<ImageRecord> Commit(const std::string& manifest_json, const ImageRecord& rec) override {
    TRY(sys::WriteFile(BlobPath(rec.manifest_digest), manifest_json));
    ASSIGN_OR_RETURN(std::string media_type, DetectMediaType(manifest_json));
    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", std::string(kMediaOciIndex)},
                            {"manifests",
                             {{{"mediaType", media_type},
                               {"digest", rec.manifest_digest},
                               {"size", manifest_json.size()}}}}};
    TRY(sys::WriteFile(dir_ + "\\index.json", index.dump()));
    TRY(sys::WriteFile(dir_ + "\\oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
    std::vector<std::string> blobs{rec.id};
    for (const LayerRecord& l : rec.layers) blobs.push_back(l.digest);
    std::sort(blobs.begin(), blobs.end());
    blobs.erase(std::unique(blobs.begin(), blobs.end()), blobs.end());  // a layer used twice
    Status moved = Ok();
    for (const std::string& d : blobs) {
      if (moved = Move(KeptPath(d), BlobPath(d)); !moved) break;
    }
    Result<ImportedImage> imported = moved ? ImportOciLayout(root_, dir_, rec.name, import_)
                                           : Result<ImportedImage>(tl::unexpected(moved.error()));
    for (const std::string& d : blobs) {
      if (!sys::Exists(BlobPath(d))) continue;
      // Kept for later pulls. Not a blob kept from before when the import failed: only its
      // size was checked, and its file may be what the import refused (it goes with the
      // scratch directory; a later pull downloads it again).
      if (!imported && fetched_.count(d) == 0) continue;
      if (Status s = Move(BlobPath(d), KeptPath(d)); !s)
        warnings.push_back("cannot keep a blob for later pulls: " + s.error().ToString());
    }
    if (!imported) return tl::unexpected(imported.error());
    // (CommitImportDir removed the kept blobs of an image this one replaced.)
    for (std::string& w : imported->warnings) warnings.push_back(std::move(w));
    return imported->record;
  }

  std::vector<std::string> warnings;

 private:
  std::string BlobDir() const { return dir_ + "\\blobs\\sha256"; }
  std::string BlobPath(const std::string& digest) const {
    return BlobDir() + "\\" + std::string(DigestHex(digest));
  }
  std::string KeptPath(const std::string& digest) const {
    return kept_ + "\\" + std::string(DigestHex(digest));
  }
  static Status Move(const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::rename(FsPath(from), FsPath(to), ec);
    if (ec)
      return Err(ErrorCode::kUnavailable, "rename \"{}\" to \"{}\": {}", from, to, ec.message());
    return Ok();
  }

  std::string root_, dir_, ingest_, kept_;
  ImportOptions import_;
  std::mutex locks_mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;
  std::set<std::string> fetched_;  // downloaded and verified by this pull (under locks_mu_)
};

}  // namespace

std::string DefaultDockerConfig() {
  const char* dc = std::getenv("DOCKER_CONFIG");
  const char* profile = std::getenv("USERPROFILE");
  return dc && *dc ? std::string(dc) + "\\config.json"
                   : std::string(profile ? profile : "C:\\") + "\\.docker\\config.json";
}

Result<PullResult> PullWindowsImage(const std::string& root, std::string_view ref,
                                    const PullOptions& opts) {
  if (!opts.platform.empty() && opts.platform.rfind("windows/", 0) != 0)
    return Err(ErrorCode::kInvalidArgument,
               "pull \"{}\": --platform {}: this Windows node pulls windows images only", ref,
               opts.platform);
  ImportOptions import;
  import.platform = opts.platform;
  ASSIGN_OR_RETURN(std::string dir, MakeImportDir(root));
  LayoutTarget target(root, dir, import);
  Result<PullResult> pulled = [&]() -> Result<PullResult> {
    TRY(target.Init());
    return PullInto(target, ref, opts);
  }();
  Status removed = sys::RemoveAll(dir);
  if (!pulled) return pulled;
  pulled->warnings = std::move(target.warnings);
  if (!removed)
    pulled->warnings.push_back("cannot remove \"" + dir + "\": " + removed.error().ToString());
  return pulled;
}

}  // namespace hp::image
