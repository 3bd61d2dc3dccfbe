#include "core/image/windows/dir_images.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <system_error>

#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/image/digest.h"
#include "core/image/record.h"
#include "core/image/reference.h"
#include "core/image/windows_layer.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"

namespace hp::image {
namespace {
namespace fs = std::filesystem;

using sys::FsPath;

std::string ImagesDir(const std::string& root) { return root + "\\images\\windows"; }

std::string ImageDir(const std::string& root, const std::string& normal_name) {
  return ImagesDir(root) + "\\" + std::string(DigestHex(Sha256Digest(normal_name)));
}

Error FsError(std::string_view what, const std::string& path, const std::error_code& ec) {
  return Error(fmt::format("{} \"{}\": {}", what, path, ec.message()), ErrorCode::kInternal);
}

std::string Utf8(const fs::path& p) {
  std::u8string s = p.u8string();
  return std::string(s.begin(), s.end());
}

// Copies the tree under `from` into `to` (made when missing); returns the bytes of the files.
// By hand rather than fs::copy(recursive): MinGW's libstdc++ fails that with "File exists" when
// `to` exists, as a container volume always does.
Result<int64_t> CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(FsPath(to), ec);
  if (ec) return tl::unexpected(FsError("create", to, ec));
  int64_t bytes = 0;
  fs::recursive_directory_iterator it(FsPath(from), ec), end;
  if (ec) return tl::unexpected(FsError("read", from, ec));
  for (; it != end; it.increment(ec)) {
    if (ec) return tl::unexpected(FsError("read", from, ec));
    fs::path dest = FsPath(to) / it->path().lexically_relative(FsPath(from));
    if (it->is_directory(ec)) {
      fs::create_directories(dest, ec);
    } else {
      fs::copy_file(it->path(), dest, fs::copy_options::overwrite_existing, ec);
      if (!ec) bytes += static_cast<int64_t>(it->file_size(ec));
    }
    if (ec) return tl::unexpected(FsError("copy", Utf8(it->path()), ec));
  }
  return bytes;
}

// An image's image.json; a file that is not a record (damaged, or of the wrong shape) is an
// error that says to import the image again.
Result<ImageRecord> ReadRecordFile(const std::string& file) {
  ASSIGN_OR_RETURN(std::string data, sys::ReadFile(file));
  nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_object()) {
    try {
      return RecordFromJson(j);
    } catch (const nlohmann::json::exception&) {
      // a field of the wrong type: as damaged
    }
  }
  return Err(ErrorCode::kInvalidArgument, "\"{}\" is not an image record; import the image again",
             file);
}

}  // namespace

Status CheckImportPlatform(const std::string& path, const ImportOptions& opts) {
  if (!opts.platform.empty() && opts.platform.rfind("windows", 0) != 0)
    return Err(ErrorCode::kInvalidArgument,
               "import \"{}\": --platform {}: this Windows node imports windows images only", path,
               opts.platform);
  return Ok();
}

Result<sys::FileLock> LockImageStore(const std::string& root) {
  std::string images = ImagesDir(root);
  std::error_code ec;
  fs::create_directories(FsPath(images), ec);
  if (ec) return Err(FsError("create", images, ec));
  return sys::FileLock::Take(images + ".lock");  // beside the images: no entry among them
}

std::vector<std::string> RemoveStaleImportDirs(const std::string& root) {
  std::vector<std::string> left;
  std::string images = ImagesDir(root);
  for (const std::string& name : sys::ListDir(images).value_or(std::vector<std::string>{})) {
    std::string path = images + "\\" + name;
    if (!IsImportDirName(name) || !sys::IsDir(path)) continue;
    if (Status s = sys::RemoveAll(path); !s)
      left.push_back("cannot remove \"" + path +
                     "\", left by an import that was killed: " + s.error().ToString());
  }
  return left;
}

std::string PullIngestDir(const std::string& root) { return root + "\\images\\ingest"; }
std::string PullBlobDir(const std::string& root) { return root + "\\images\\blobs"; }

std::vector<std::string> RemoveUnusedPullBlobs(const std::string& root) {
  std::vector<std::string> errors;
  std::string dir = PullBlobDir(root);
  auto names = sys::ListDir(dir);
  if (!names || names->empty()) return errors;
  auto images = ListDirectoryImages(root);
  if (!images) return {images.error().ToString()};  // nothing removed when in doubt
  std::set<std::string> used;
  auto use = [&](const std::string& digest) {  // a record's, whatever it holds
    if (IsValidDigest(digest)) used.insert(std::string(DigestHex(digest)));
  };
  for (const ImageRecord& rec : *images) {
    use(rec.id);
    for (const LayerRecord& l : rec.layers) use(l.digest);
  }
  for (const std::string& n : *names) {
    // Only what a pull put there: a digest's 64 lower-case hex digits.
    if (!IsValidDigest("sha256:" + n) || used.count(n) != 0) continue;
    std::error_code ec;
    fs::remove(FsPath(dir + "\\" + n), ec);
    if (ec) errors.push_back(FsError("remove", dir + "\\" + n, ec).ToString());
  }
  return errors;
}

Result<std::string> MakeImportDir(const std::string& root) {
  std::string images = ImagesDir(root);
  std::error_code ec;
  fs::create_directories(FsPath(images), ec);
  if (ec) return Err(FsError("create", images, ec));
  std::random_device rd;
  for (int attempt = 0;; ++attempt) {
    std::string dir = images + "\\" + ImportDirName(rd(), rd());
    if (fs::create_directory(FsPath(dir), ec)) return dir;
    if (ec || attempt > 10) return Err(FsError("create", dir, ec));
  }
}

Status CommitImportDir(const std::string& root, const std::string& dir, const ImageRecord& rec) {
  TRY_CTX(sys::WriteFile(dir + "\\image.json", RecordToJson(rec).dump(2)), "image {}",
          Quote(rec.name));
  std::string final_dir = ImageDir(root, rec.name);
  (void)sys::RemoveAll(final_dir);
  std::error_code ec;
  fs::rename(FsPath(dir), FsPath(final_dir), ec);
  if (ec) return Err(FsError("rename into", final_dir, ec));
  (void)RemoveUnusedPullBlobs(root);  // the replaced image's, best effort: the next one retries
  return Ok();
}

Result<ImageRecord> ImportDirectory(const std::string& root, const std::string& dir,
                                    std::string_view name, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(name));
  TRY(CheckImportPlatform(dir, opts));
  std::error_code ec;
  if (!fs::is_directory(FsPath(dir), ec))
    return Err(ErrorCode::kInvalidArgument, "import \"{}\": not a directory", dir);
  if (fs::exists(FsPath(dir + "\\oci-layout"), ec))
    return Err(ErrorCode::kInvalidArgument,
               "import \"{}\": an OCI image layout, not a directory of files; import it as one",
               dir);

  ImageRecord rec;
  rec.name = norm;
  rec.config.os = "windows";
  rec.config.architecture = "amd64";
  ApplyImportOptions(rec.config, opts);
  rec.id = Sha256Digest(ConfigToJson(rec.config).dump());
  rec.created = Rfc3339(NowUnixSeconds());

  ASSIGN_OR_RETURN(std::string tmp, MakeImportDir(root));
  Status done = [&]() -> Status {
    ASSIGN_OR_RETURN(rec.size, CopyTree(dir, tmp + "\\Files"));
    TRY_CTX(CommitImportDir(root, tmp, rec), "import \"{}\"", dir);
    return Ok();
  }();
  if (!done) {
    (void)sys::RemoveAll(tmp);
    return tl::unexpected(std::move(done).error());
  }
  return rec;
}

Result<ImageRecord> ResolveDirectoryImage(const std::string& root, std::string_view ref) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(ref));
  std::string file = ImageDir(root, norm) + "\\image.json";
  std::error_code ec;
  if (!fs::exists(FsPath(file), ec))
    return Err(ErrorCode::kNotFound, "image \"{}\" is not imported (hostprocess import DIR {})",
               ref, ref);
  return ReadRecordFile(file);
}

Result<std::vector<ImageRecord>> ListDirectoryImages(const std::string& root) {
  std::vector<ImageRecord> out;
  std::string images = ImagesDir(root);
  std::error_code ec;
  if (!fs::is_directory(FsPath(images), ec)) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(images));
  for (const std::string& n : names) {
    if (n.empty() || n[0] == '.') continue;  // an import in progress (or killed)
    auto rec = ReadRecordFile(images + "\\" + n + "\\image.json");
    if (rec && !rec->name.empty()) out.push_back(std::move(*rec));  // a damaged one: skipped
  }
  std::sort(out.begin(), out.end(),
            [](const ImageRecord& a, const ImageRecord& b) { return a.name < b.name; });
  return out;
}

Result<ImageRecord> FindDirectoryImage(const std::string& root, std::string_view ref) {
  auto byname = ResolveDirectoryImage(root, ref);
  if (byname) return byname;
  ASSIGN_OR_RETURN(std::vector<ImageRecord> all, ListDirectoryImages(root));
  std::string_view hex = ref.substr(0, 7) == "sha256:" ? ref.substr(7) : ref;
  const ImageRecord* found = nullptr;
  if (hex.size() >= 4 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    for (const ImageRecord& r : all) {
      if (r.id.size() < 7 || std::string_view(r.id).substr(7, hex.size()) != hex) continue;
      if (found && found->id != r.id)
        return Err(ErrorCode::kInvalidArgument,
                   "image id prefix \"{}\" is ambiguous: give more of it, or the image's name",
                   ref);
      found = &r;
    }
  }
  if (found) return *found;
  if (byname.error().code() != ErrorCode::kNotFound) return byname;  // e.g. a damaged record
  return Err(ErrorCode::kNotFound, "image \"{}\" is not imported (hostprocess images lists them)",
             ref);
}

Result<ImageRecord> RemoveDirectoryImage(const std::string& root, std::string_view ref) {
  ASSIGN_OR_RETURN(ImageRecord rec, FindDirectoryImage(root, ref));
  std::string dir = ImageDir(root, rec.name);
  TRY(sys::RemoveAll(dir));           // links inside are removed, never followed
  (void)RemoveUnusedPullBlobs(root);  // best effort: the next rmi or pull retries
  return rec;
}

Status CopyDirectoryImage(const std::string& root, const ImageRecord& image,
                          const std::string& volume) {
  auto copied = CopyTree(ImageDir(root, image.name) + "\\Files", volume);
  if (!copied)
    return Err(Error(copied.error()).Context(fmt::format("image {}", Quote(image.name))));
  return Ok();
}

}  // namespace hp::image
