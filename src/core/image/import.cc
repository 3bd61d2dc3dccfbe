#include "core/image/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/image/digest.h"
#include "core/image/layer_copy.h"
#include "core/image/manifest.h"
#include "core/image/record.h"
#include "core/image/reference.h"
#include "core/image/stream.h"
#include "core/image/unpack.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {
using nlohmann::json;

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Opens member `rel` of an extracted layout or archive for reading, resolved inside `dir`
// (openat2 RESOLVE_BENEATH): a member that is, or passes through, a symlink leading out of the
// archive is refused, so an imported tarball cannot make us read (and store) host files.
// Relative links within the archive (`docker save` links repeated layers) still work.
Result<UniqueFd> OpenMember(const std::string& dir, const std::string& rel) {
  ASSIGN_OR_RETURN(UniqueFd root, sys::Open(dir, O_PATH | O_DIRECTORY));
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd;
  do {
    fd = static_cast<int>(::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof how));
  } while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  if (fd < 0 && (errno == EXDEV || errno == ELOOP))
    return Err(ErrorCode::kPermissionDenied, "\"{}\" leads outside \"{}\"", rel, dir);
  if (fd < 0) return SysErr("open \"{}/{}\"", dir, rel);
  return UniqueFd(fd);
}

Result<std::string> ReadMember(const std::string& dir, const std::string& rel) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenMember(dir, rel));
  auto data = sys::ReadFd(fd.get());
  if (!data) return SysErrN(data.error().sys_errno(), "read \"{}/{}\"", dir, rel);
  return data;
}

// Copies the open file `in` (named `src` in errors) into the store as blob `digest` (verified).
Status CopyBlob(Store& store, int in, const std::string& src, std::string_view digest) {
  if (!IsValidDigest(digest))
    return Err(ErrorCode::kInvalidArgument, "invalid digest \"{}\"", digest);
  if (store.HasBlob(digest)) return Ok();
  ASSIGN_OR_RETURN(std::string tmp, store.MakeIngestDir());
  ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
  ASSIGN_OR_RETURN(UniqueFd out, sys::Open(tmp + "/blob", O_WRONLY | O_CREAT | O_EXCL, 0644));
  struct stat st;
  if (::fstat(in, &st) < 0) return SysErr("stat \"{}\"", src);
  if (::lseek(in, 0, SEEK_SET) < 0) return SysErr("seek \"{}\"", src);
  TRY(CopyData(in, out.get(), st.st_size, src));
  out.reset();
  TRY_CTX(store.CommitBlobFile(tmp + "/blob", digest), "import \"{}\"", src);
  return Ok();
}

std::string LayerMediaType(int fd, bool oci) {
  unsigned char magic[4] = {};
  (void)!::pread(fd, magic, sizeof magic, 0);
  switch (DetectCompression(magic, sizeof magic)) {
    case Compression::kGzip:
      return std::string(oci ? kMediaOciLayerGzip : kMediaDockerLayer);
    case Compression::kZstd:
      return std::string(kMediaOciLayerZstd);
    case Compression::kNone:
      break;
  }
  return oci ? std::string(kMediaOciLayer) : "application/vnd.docker.image.rootfs.diff.tar";
}

Result<ImageRecord> ImportOciLayout(Store& store, const std::string& dir, const std::string& name,
                                    const ImportOptions& opts) {
  auto blob = [&](std::string_view d) { return "blobs/sha256/" + std::string(DigestHex(d)); };
  auto read_verified = [&](std::string_view d) -> Result<std::string> {
    ASSIGN_OR_RETURN(std::string data, ReadMember(dir, blob(d)));
    if (Sha256Digest(data) != d)
      return Err(ErrorCode::kInvalidArgument, "blob \"{}/{}\" does not match its digest", dir,
                 blob(d));
    return data;
  };
  ASSIGN_OR_RETURN(std::string index_json, ReadMember(dir, "index.json"));
  ASSIGN_OR_RETURN(auto entries, ParseIndex(index_json));
  ASSIGN_OR_RETURN(Platform plat, ParsePlatform(opts.platform));
  if (entries.empty())
    return Err(ErrorCode::kInvalidArgument, "OCI layout \"{}\" has no images", dir);
  Descriptor desc = entries[0];
  if (entries.size() > 1) {
    ASSIGN_OR_RETURN(desc, SelectPlatform(entries, plat));
  }
  std::string manifest_json;
  for (int depth = 0;; ++depth) {
    ASSIGN_OR_RETURN(manifest_json, read_verified(desc.digest));
    ASSIGN_OR_RETURN(std::string mt, DetectMediaType(manifest_json));
    if (!IsIndexMediaType(mt)) break;
    if (depth > 3)
      return Err(ErrorCode::kInvalidArgument, "OCI layout \"{}\": nested indexes", dir);
    ASSIGN_OR_RETURN(auto sub, ParseIndex(manifest_json));
    ASSIGN_OR_RETURN(desc, SelectPlatform(sub, plat));
  }
  ASSIGN_OR_RETURN(Manifest m, ParseManifest(manifest_json));
  ASSIGN_OR_RETURN(std::string config_json, read_verified(m.config.digest));
  ASSIGN_OR_RETURN(ParsedConfig pc, ParseImageConfig(config_json));
  if (pc.diff_ids.size() != m.layers.size())
    return Err(ErrorCode::kInvalidArgument, "OCI layout \"{}\": {} layers but {} diff ids", dir,
               m.layers.size(), pc.diff_ids.size());
  ImageRecord rec;
  rec.name = name;
  rec.config = pc.config;
  ApplyImportOptions(rec.config, opts);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    {
      ASSIGN_OR_RETURN(UniqueFd in, OpenMember(dir, blob(m.layers[i].digest)));
      TRY(CopyBlob(store, in.get(), dir + "/" + blob(m.layers[i].digest), m.layers[i].digest));
    }
    LayerRecord l{m.layers[i].digest, pc.diff_ids[i], m.layers[i].media_type, m.layers[i].size};
    TRY(store.EnsureLayerUnpacked(l));
    rec.layers.push_back(l);
    rec.size += l.size;
  }
  ASSIGN_OR_RETURN(rec.id, store.WriteBlob(config_json, m.config.digest));
  ASSIGN_OR_RETURN(rec.manifest_digest, store.WriteBlob(manifest_json, desc.digest));
  TRY(store.PutImage(rec));
  return store.Resolve(name);
}

Result<ImageRecord> ImportDockerArchive(Store& store, const std::string& dir,
                                        const std::string& name, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string mj, ReadMember(dir, "manifest.json"));
  json m;
  try {
    m = json::parse(mj);
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}/manifest.json\": {}", dir, e.what());
  }
  if (!m.is_array() || m.empty() || !m[0].is_object())
    return Err(ErrorCode::kInvalidArgument, "\"{}/manifest.json\": no image", dir);
  auto clean = [&](const std::string& rel) -> Result<std::string> {
    if (rel.empty() || rel[0] == '/' || rel.find("..") != std::string::npos)
      return Err(ErrorCode::kInvalidArgument, "docker archive: bad path \"{}\"", rel);
    return rel;
  };
  std::string config_json;
  try {
    ASSIGN_OR_RETURN(std::string config_rel, clean(m[0].value("Config", "")));
    ASSIGN_OR_RETURN(config_json, ReadMember(dir, config_rel));
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}/manifest.json\": {}", dir, e.what());
  }
  ASSIGN_OR_RETURN(ParsedConfig pc, ParseImageConfig(config_json));
  std::vector<std::string> layers;
  try {
    layers = m[0].value("Layers", std::vector<std::string>{});
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}/manifest.json\": {}", dir, e.what());
  }
  if (layers.size() != pc.diff_ids.size())
    return Err(ErrorCode::kInvalidArgument, "docker archive: {} layers but {} diff ids",
               layers.size(), pc.diff_ids.size());
  ImageRecord rec;
  rec.name = name;
  rec.config = pc.config;
  ApplyImportOptions(rec.config, opts);
  json mlayers = json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    ASSIGN_OR_RETURN(std::string rel, clean(layers[i]));
    ASSIGN_OR_RETURN(UniqueFd in, OpenMember(dir, rel));
    std::string lp = dir + "/" + rel;
    ASSIGN_OR_RETURN(std::string digest, Sha256Fd(in.get(), lp));
    struct stat st;
    if (::fstat(in.get(), &st) < 0) return SysErr("stat \"{}\"", lp);
    TRY(CopyBlob(store, in.get(), lp, digest));
    std::string mt = LayerMediaType(in.get(), false);
    LayerRecord l{digest, pc.diff_ids[i], mt, st.st_size};
    TRY(store.EnsureLayerUnpacked(l));
    rec.layers.push_back(l);
    rec.size += l.size;
    mlayers.push_back({{"mediaType", mt}, {"digest", digest}, {"size", st.st_size}});
  }
  ASSIGN_OR_RETURN(rec.id, store.WriteBlob(config_json));
  json man{{"schemaVersion", 2},
           {"mediaType", kMediaDockerManifest},
           {"config",
            {{"mediaType", kMediaDockerConfig}, {"digest", rec.id}, {"size", config_json.size()}}},
           {"layers", mlayers}};
  ASSIGN_OR_RETURN(rec.manifest_digest, store.WriteBlob(man.dump()));
  TRY(store.PutImage(rec));
  return store.Resolve(name);
}

la_ssize_t WriteToFd(struct archive*, void* ctx, const void* buf, size_t n) {
  int fd = *static_cast<int*>(ctx);
  if (!sys::WriteAll(fd, std::string_view(static_cast<const char*>(buf), n))) return -1;
  return static_cast<la_ssize_t>(n);
}

// Packs a directory into a gzip tar (relative names, symlinks not followed, xattrs kept).
Status PackDir(const std::string& dir_arg, const std::string& out_path) {
  // Names are cut off after "<dir>/": "rootfs/" (as a shell completes it) must not lose the
  // first character of every name.
  std::string dir = dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  ASSIGN_OR_RETURN(UniqueFd out, sys::Open(out_path, O_WRONLY | O_CREAT | O_EXCL, 0644));
  int ofd = out.get();
  std::unique_ptr<struct archive, decltype(&archive_write_free)> w(archive_write_new(),
                                                                   archive_write_free);
  archive_write_set_format_pax_restricted(w.get());
  archive_write_add_filter_gzip(w.get());
  archive_write_set_filter_option(w.get(), "gzip", "compression-level", "6");
  archive_write_set_bytes_in_last_block(w.get(), 1);
  if (archive_write_open(w.get(), &ofd, nullptr, WriteToFd, nullptr) != ARCHIVE_OK)
    return Err(ErrorCode::kInternal, "pack \"{}\": {}", dir, archive_error_string(w.get()));
  std::unique_ptr<struct archive, decltype(&archive_read_free)> r(archive_read_disk_new(),
                                                                  archive_read_free);
  archive_read_disk_set_symlink_physical(r.get());
  archive_read_disk_set_standard_lookup(r.get());
  archive_read_disk_set_behavior(r.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
  if (archive_read_disk_open(r.get(), dir.c_str()) != ARCHIVE_OK)
    return Err(ErrorCode::kInvalidArgument, "open \"{}\": {}", dir, archive_error_string(r.get()));
  std::unique_ptr<struct archive_entry_linkresolver, decltype(&archive_entry_linkresolver_free)>
      links(archive_entry_linkresolver_new(), archive_entry_linkresolver_free);
  archive_entry_linkresolver_set_strategy(links.get(), archive_format(w.get()));
  std::string buf(1 << 20, '\0');
  while (true) {
    struct archive_entry* e = archive_entry_new();
    ScopeExit free_e([&] {
      if (e) archive_entry_free(e);
    });
    int rc = archive_read_next_header2(r.get(), e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN)
      return Err(ErrorCode::kInvalidArgument, "read \"{}\": {}", dir,
                 archive_error_string(r.get()));
    archive_read_disk_descend(r.get());
    std::string src = archive_entry_sourcepath(e);
    std::string rel = src.size() > dir.size() ? src.substr(dir.size() + 1) : ".";
    while (StartsWith(rel, "/")) rel.erase(0, 1);
    archive_entry_set_pathname(e, rel.c_str());
    if (archive_entry_hardlink(e)) {
      std::string hl = archive_entry_hardlink(e);
      if (StartsWith(hl, dir + "/"))
        archive_entry_set_hardlink(e, hl.substr(dir.size() + 1).c_str());
    }
    struct archive_entry* sparse = nullptr;
    archive_entry_linkify(links.get(), &e, &sparse);
    if (!e) continue;  // deferred by the link resolver
    if (archive_write_header(w.get(), e) < ARCHIVE_WARN)
      return Err(ErrorCode::kInternal, "pack \"{}\": {}", src, archive_error_string(w.get()));
    if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
      ASSIGN_OR_RETURN(UniqueFd in, sys::Open(src, O_RDONLY | O_NOFOLLOW));
      while (true) {
        ssize_t n = ::read(in.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return SysErr("read \"{}\"", src);
        if (n == 0) break;
        if (archive_write_data(w.get(), buf.data(), static_cast<size_t>(n)) < 0)
          return Err(ErrorCode::kInternal, "pack \"{}\": {}", src, archive_error_string(w.get()));
      }
    }
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK)
    return Err(ErrorCode::kInternal, "pack \"{}\": {}", dir, archive_error_string(w.get()));
  return Ok();
}

// Does the tarball at `path` look like an OCI layout or a docker archive?
Result<bool> IsImageArchive(const std::string& path) {
  std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                                  archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return Err(ErrorCode::kInvalidArgument, "\"{}\" is not a tar archive: {}", path,
               archive_error_string(a.get()));
  struct archive_entry* e;
  for (int i = 0; i < 100000 && archive_read_next_header(a.get(), &e) == ARCHIVE_OK; ++i) {
    std::string n = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    if (StartsWith(n, "./")) n.erase(0, 2);
    if (n == "oci-layout" || n == "manifest.json") return true;
  }
  return false;
}

}  // namespace

Result<ImageRecord> CommitImage(Store& store, std::string_view name,
                                const std::vector<LayerRecord>& layers, const ImageConfig& config) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(name));
  json diff_ids = json::array();
  json mlayers = json::array();
  int64_t size = 0;
  for (const auto& l : layers) {
    diff_ids.push_back(l.diff_id);
    mlayers.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
    size += l.size;
  }
  json cfg{{"architecture", config.architecture},
           {"os", config.os.empty() ? "linux" : config.os},
           {"config", json::object()},
           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  if (!config.env.empty()) cfg["config"]["Env"] = config.env;
  if (!config.cmd.empty()) cfg["config"]["Cmd"] = config.cmd;
  if (!config.entrypoint.empty()) cfg["config"]["Entrypoint"] = config.entrypoint;
  if (!config.working_dir.empty()) cfg["config"]["WorkingDir"] = config.working_dir;
  if (!config.user.empty()) cfg["config"]["User"] = config.user;
  if (!config.labels.empty()) cfg["config"]["Labels"] = config.labels;
  std::string config_json = cfg.dump();
  ImageRecord rec;
  rec.name = norm;
  rec.layers = layers;
  rec.size = size;
  ASSIGN_OR_RETURN(ParsedConfig pc, ParseImageConfig(config_json));
  rec.config = pc.config;
  ASSIGN_OR_RETURN(rec.id, store.WriteBlob(config_json));
  json man{{"schemaVersion", 2},
           {"mediaType", kMediaOciManifest},
           {"config",
            {{"mediaType", kMediaOciConfig}, {"digest", rec.id}, {"size", config_json.size()}}},
           {"layers", mlayers}};
  ASSIGN_OR_RETURN(rec.manifest_digest, store.WriteBlob(man.dump()));
  TRY(store.PutImage(rec));
  return store.Resolve(norm);
}

namespace {

// Import() without the GC lock and the clean-up on failure: `norm` is already normalised.
Result<ImageRecord> ImportPath(Store& store, const std::string& path, const std::string& norm,
                               const ImportOptions& opts) {
  if (!sys::Exists(path)) return Err(ErrorCode::kNotFound, "import: \"{}\" does not exist", path);
  if (sys::IsDir(path)) {
    if (sys::Exists(path + "/oci-layout"))
      return ImportOciLayout(store, path, norm, opts).map_error([&](Error e) {
        return std::move(e).Context(fmt::format("import OCI layout \"{}\"", path));
      });
    if (sys::Exists(path + "/manifest.json"))
      return ImportDockerArchive(store, path, norm, opts).map_error([&](Error e) {
        return std::move(e).Context(fmt::format("import docker archive \"{}\"", path));
      });
    ASSIGN_OR_RETURN(std::string tmp, store.MakeIngestDir());
    ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
    TRY_CTX(PackDir(path, tmp + "/layer.tar.gz"), "import rootfs \"{}\"", path);
    ASSIGN_OR_RETURN(LayerRecord l,
                     store.AddLayerFile(tmp + "/layer.tar.gz", std::string(kMediaOciLayerGzip)));
    ImageConfig c;
    ASSIGN_OR_RETURN(Platform p, ParsePlatform(""));
    c.architecture = p.architecture;
    c.env = {kDefaultPath};
    ApplyImportOptions(c, opts);
    return CommitImage(store, norm, {l}, c);
  }
  ASSIGN_OR_RETURN(bool archive, IsImageArchive(path));
  ASSIGN_OR_RETURN(std::string tmp, store.MakeIngestDir());
  ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
  if (archive) {  // unpack with the safe unpacker, then import the directory
    TRY_CTX(UnpackLayerFile(path, tmp + "/x"), "import \"{}\"", path);
    // The errors name the temp dir, which is gone by now: name the tarball too.
    return ImportPath(store, tmp + "/x", norm, opts).map_error([&](Error e) {
      return std::move(e).Context(fmt::format("import \"{}\"", path));
    });
  }
  // A rootfs tarball is the layer as is.
  ASSIGN_OR_RETURN(UniqueFd in, sys::Open(path, O_RDONLY));
  ASSIGN_OR_RETURN(std::string digest, Sha256Fd(in.get(), path));
  TRY(CopyBlob(store, in.get(), path, digest));
  ASSIGN_OR_RETURN(LayerRecord l,
                   store.AddLayerFile(store.BlobPath(digest), LayerMediaType(in.get(), true)));
  ImageConfig cfg;
  ASSIGN_OR_RETURN(Platform p, ParsePlatform(""));
  cfg.architecture = p.architecture;
  cfg.env = {kDefaultPath};
  ApplyImportOptions(cfg, opts);
  return CommitImage(store, norm, {l}, cfg);
}

}  // namespace

Result<ImageRecord> Import(Store& store, const std::string& path, std::string_view name,
                           const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(name));
  auto r = [&]() -> Result<ImageRecord> {
    ASSIGN_OR_RETURN(UniqueFd gc_lock, store.SharedGcLock());
    return ImportPath(store, path, norm, opts);
  }();
  // A failed import may have stored blobs and unpacked layers before it failed; no image
  // refers to them. Collect them now that our GC lock is released (if another pull or import
  // is running, GC is skipped and they go with the next rmi).
  if (!r) (void)store.GarbageCollect();
  return r;
}

}  // namespace hp::image
