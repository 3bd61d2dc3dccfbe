#include "core/image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/image/layer_copy.h"
#include "core/image/stream.h"
#include "core/sys/below.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {

// A layer's own paths: nothing may lead out of it (EXDEV), nor onto another mount.
int OpenBeneath(int root, const std::string& rel, int flags) {
  auto fd = sys::OpenBelow(root, rel, flags, rel, {sys::Resolve::kBeneath, true});
  if (!fd) {
    errno = fd.error().sys_errno();
    return -1;
  }
  return fd->release();
}

bool KernelInterface(std::string_view target) {
  for (std::string_view dir : {"/proc", "/sys", "/dev"}) {
    if (target == dir || StartsWith(target, std::string(dir) + "/")) return true;
  }
  return false;
}

// "/a/b" seen from a link `depth` directories below the root: "../../a/b".
std::string RelativeTarget(std::string_view target, size_t depth) {
  std::string out;
  for (size_t i = 0; i < depth; ++i) out += i ? "/.." : "..";
  std::string_view rest = target;
  while (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  if (rest.empty()) return out.empty() ? "." : out;
  return out.empty() ? std::string(rest) : out + "/" + std::string(rest);
}

// Splits an archive name into clean components; refuses absolute names and "..".
Result<std::vector<std::string>> CleanName(const char* raw, size_t max_path) {
  if (raw == nullptr) return Err(ErrorCode::kInvalidArgument, "entry without a name");
  std::string_view name(raw);
  if (name.size() > max_path)
    return Err(ErrorCode::kInvalidArgument, "name longer than {} bytes", max_path);
  if (StartsWith(name, "/")) return Err(ErrorCode::kInvalidArgument, "absolute name refused");
  std::vector<std::string> out;
  for (auto& c : Split(name, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") return Err(ErrorCode::kInvalidArgument, "\"..\" in name refused");
    out.push_back(std::move(c));
  }
  return out;
}

struct DirFixup {
  std::string rel;
  mode_t mode;
  struct timespec mtime;
};

class Unpacker {
 public:
  Unpacker(int root, const UnpackOptions& opts, UnpackResult& res)
      : root_(root), opts_(opts), res_(res) {}

  Status Entry(struct archive* a, struct archive_entry* e);
  void FixDirs();

 private:
  Result<UniqueFd> Parent(const std::vector<std::string>& comps);
  Status RemoveExisting(int parent, const std::string& name, bool keep_dir);
  Status WriteFile(struct archive* a, struct archive_entry* e, int parent, const std::string& name);
  void Metadata(int fd, int parent, const std::string& name, struct archive_entry* e, bool is_link);
  Status Whiteout(int parent, const std::string& parent_rel, const std::string& name);

  int root_;
  const UnpackOptions& opts_;
  UnpackResult& res_;
  std::vector<DirFixup> dirs_;
  bool is_root_ = ::geteuid() == 0;
};

Result<UniqueFd> Unpacker::Parent(const std::vector<std::string>& comps) {
  std::string prefix;
  for (size_t i = 0; i + 1 < comps.size(); ++i) {
    std::string next = prefix.empty() ? comps[i] : prefix + "/" + comps[i];
    int fd = OpenBeneath(root_, next, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      UniqueFd p(OpenBeneath(root_, prefix, O_PATH | O_DIRECTORY));
      if (!p) return SysErr("open parent \"{}\"", prefix);
      if (::mkdirat(p.get(), comps[i].c_str(), 0755) < 0 && errno != EEXIST)
        return SysErr("mkdir \"{}\"", next);
      fd = OpenBeneath(root_, next, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) {
      if (errno == EXDEV || errno == ELOOP)
        return Err(ErrorCode::kPermissionDenied,
                   "path \"{}\" leads outside the layer through a symlink", next);
      if (errno == ENOTDIR)
        return Err(ErrorCode::kInvalidArgument, "\"{}\" is not a directory", next);
      return SysErr("open \"{}\"", next);
    }
    ::close(fd);
    prefix = std::move(next);
  }
  int fd = OpenBeneath(root_, prefix, O_PATH | O_DIRECTORY);
  if (fd < 0) return SysErr("open \"{}\"", prefix);
  return UniqueFd(fd);
}

Status Unpacker::RemoveExisting(int parent, const std::string& name, bool keep_dir) {
  struct stat st;
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return Ok();
    return SysErr("stat \"{}\"", name);
  }
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return Ok();
    // The later entry wins, as in containerd: the directory goes with its contents (never
    // following a symlink in it, never crossing a mount).
    return sys::RemoveAllAt(parent, name);
  }
  if (::unlinkat(parent, name.c_str(), 0) < 0) return SysErr("replace \"{}\"", name);
  return Ok();
}

void Unpacker::Metadata(int fd, int parent, const std::string& name, struct archive_entry* e,
                        bool is_link) {
  if (opts_.preserve_owner && is_root_) {
    uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
    gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
    if (fd >= 0)
      (void)::fchown(fd, uid, gid);
    else
      (void)::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
  }
  if (!is_link && fd >= 0) {
    // xattrs (never overlay's own: a layer must not forge redirects or opaque markers).
    const char* xname;
    const void* xval;
    size_t xsize;
    size_t total = 0;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &xname, &xval, &xsize) == ARCHIVE_OK) {
      total += xsize;
      if (StartsWith(xname, "trusted.overlay.") || total > opts_.max_xattr_bytes) {
        res_.notes.push_back(fmt::format("\"{}\": xattr \"{}\" dropped", name, xname));
        continue;
      }
      if (::fsetxattr(fd, xname, xval, xsize, 0) < 0)
        res_.notes.push_back(
            fmt::format("\"{}\": xattr \"{}\" not set: {}", name, xname, std::strerror(errno)));
    }
  }
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = archive_entry_mtime(e);
  ts[0].tv_nsec = ts[1].tv_nsec = archive_entry_mtime_nsec(e);
  if (fd >= 0 && !is_link) {
    mode_t perm = archive_entry_perm(e) & 07777;
    // A directory stays writable for us until FixDirs(): without CAP_DAC_OVERRIDE a read-only
    // directory ("ro" 0555) could not receive the entries that follow it.
    if (archive_entry_filetype(e) == AE_IFDIR && !is_root_) perm |= 0700;
    (void)::fchmod(fd, perm);
    (void)::futimens(fd, ts);
  } else {
    (void)::utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }
}

Status Unpacker::WriteFile(struct archive* a, struct archive_entry* e, int parent,
                           const std::string& name) {
  UniqueFd fd(
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return SysErr("create");
  const void* buf;
  size_t size;
  la_int64_t offset;
  la_int64_t end = 0;
  while (true) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Err(ErrorCode::kInvalidArgument, "{}", archive_error_string(a));
    const char* p = static_cast<const char*>(buf);
    while (size > 0) {
      ssize_t n = ::pwrite(fd.get(), p, size, offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        return SysErr("write");
      }
      p += n;
      size -= static_cast<size_t>(n);
      offset += n;
    }
    end = std::max<la_int64_t>(end, offset);
  }
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > end)
    if (::ftruncate(fd.get(), archive_entry_size(e)) < 0) return SysErr("truncate");
  Metadata(fd.get(), parent, name, e, false);
  return Ok();
}

Status Unpacker::Whiteout(int parent, const std::string& parent_rel, const std::string& name) {
  if (name == kOpaque) {
    if (opts_.overlay_whiteouts) {
      UniqueFd d(OpenBeneath(root_, parent_rel, O_RDONLY | O_DIRECTORY));
      if (d && ::fsetxattr(d.get(), "trusted.overlay.opaque", "y", 1, 0) == 0) return Ok();
    }
    res_.aufs_whiteouts = true;
    UniqueFd f(::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!f) return SysErr("create opaque marker");
    return Ok();
  }
  std::string hidden = name.substr(kWhPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == "..")
    return Err(ErrorCode::kInvalidArgument, "invalid whiteout");
  TRY(RemoveExisting(parent, hidden, false));
  if (opts_.overlay_whiteouts &&
      ::mknodat(parent, hidden.c_str(), S_IFCHR | 0000, makedev(0, 0)) == 0)
    return Ok();
  res_.aufs_whiteouts = true;
  TRY(RemoveExisting(parent, name, false));
  UniqueFd f(
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!f) return SysErr("create whiteout");
  return Ok();
}

Status Unpacker::Entry(struct archive* a, struct archive_entry* e) {
  ASSIGN_OR_RETURN(auto comps, CleanName(archive_entry_pathname(e), opts_.max_path));
  mode_t type = archive_entry_filetype(e);
  if (comps.empty()) {  // "./": the layer root itself
    if (type == AE_IFDIR)
      dirs_.push_back({"",
                       static_cast<mode_t>(archive_entry_perm(e) & 07777),
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}});
    return Ok();
  }
  ASSIGN_OR_RETURN(UniqueFd parent, Parent(comps));
  const std::string& name = comps.back();
  std::string parent_rel;
  for (size_t i = 0; i + 1 < comps.size(); ++i) parent_rel += (i ? "/" : "") + comps[i];
  std::string rel = parent_rel.empty() ? name : parent_rel + "/" + name;
  ++res_.entries;

  if (StartsWith(name, kWhPrefix)) return Whiteout(parent.get(), parent_rel, name);

  if (const char* hl = archive_entry_hardlink(e)) {
    ASSIGN_OR_RETURN_CTX(auto tcomps, CleanName(hl, opts_.max_path), "hardlink target \"{}\"", hl);
    if (tcomps.empty()) return Err(ErrorCode::kInvalidArgument, "hardlink to the layer root");
    ASSIGN_OR_RETURN_CTX(UniqueFd tparent, Parent(tcomps), "hardlink target \"{}\"", hl);
    struct stat st;
    if (::fstatat(tparent.get(), tcomps.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return SysErr("hardlink target \"{}\"", hl);
    if (S_ISDIR(st.st_mode))
      return Err(ErrorCode::kInvalidArgument, "hardlink to directory \"{}\"", hl);
    TRY(RemoveExisting(parent.get(), name, false));
    if (::linkat(tparent.get(), tcomps.back().c_str(), parent.get(), name.c_str(), 0) < 0)
      return SysErr("link to \"{}\"", hl);
    return Ok();
  }

  switch (type) {
    case AE_IFDIR: {
      TRY(RemoveExisting(parent.get(), name, true));
      if (::mkdirat(parent.get(), name.c_str(), 0700) < 0 && errno != EEXIST)
        return SysErr("mkdir");
      UniqueFd d(OpenBeneath(root_, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      if (!d) return SysErr("open directory");
      Metadata(d.get(), parent.get(), name, e, false);
      dirs_.push_back({rel,
                       static_cast<mode_t>(archive_entry_perm(e) & 07777),
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}});
      return Ok();
    }
    case AE_IFREG:
      TRY(RemoveExisting(parent.get(), name, false));
      return WriteFile(a, e, parent.get(), name);
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (!target) return Err(ErrorCode::kInvalidArgument, "symlink without a target");
      if (std::strlen(target) > opts_.max_path)
        return Err(ErrorCode::kInvalidArgument, "symlink target longer than {} bytes",
                   opts_.max_path);
      std::string stored = target;
      if (opts_.image_relative_links && target[0] == '/' && !KernelInterface(target))
        stored = RelativeTarget(target, comps.size() - 1);
      TRY(RemoveExisting(parent.get(), name, false));
      if (::symlinkat(stored.c_str(), parent.get(), name.c_str()) < 0) return SysErr("symlink");
      Metadata(-1, parent.get(), name, e, true);
      return Ok();
    }
    case AE_IFIFO:
      TRY(RemoveExisting(parent.get(), name, false));
      if (::mkfifoat(parent.get(), name.c_str(), archive_entry_perm(e) & 07777) < 0)
        return SysErr("mkfifo");
      Metadata(-1, parent.get(), name, e, true);
      return Ok();
    case AE_IFCHR:
    case AE_IFBLK: {
      if (!opts_.allow_devices) {
        res_.notes.push_back(fmt::format("\"{}\": device node skipped", rel));
        return Ok();
      }
      TRY(RemoveExisting(parent.get(), name, false));
      mode_t m = (type == AE_IFCHR ? S_IFCHR : S_IFBLK) | (archive_entry_perm(e) & 07777);
      if (::mknodat(parent.get(), name.c_str(), m, archive_entry_rdev(e)) < 0)
        return SysErr("mknod");
      Metadata(-1, parent.get(), name, e, true);
      return Ok();
    }
    default:
      res_.notes.push_back(fmt::format("\"{}\": unsupported entry type skipped", rel));
      return Ok();
  }
}

void Unpacker::FixDirs() {
  // Children first, so a read-only parent does not block fixing a child's times.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    UniqueFd d(OpenBeneath(root_, it->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    if (!d) continue;
    (void)::fchmod(d.get(), it->mode);
    struct timespec ts[2] = {it->mtime, it->mtime};
    (void)::futimens(d.get(), ts);
  }
}

struct ReadCtx {
  LayerStream* stream;
};

la_ssize_t ReadCb(struct archive*, void* ctx, const void** buf) {
  auto* c = static_cast<ReadCtx*>(ctx);
  std::string_view chunk = c->stream->Next();
  *buf = chunk.data();
  return static_cast<la_ssize_t>(chunk.size());
}

Result<UnpackResult> Unpack(LayerStream& stream, const std::string& target,
                            const UnpackOptions& opts) {
  if (::mkdir(target.c_str(), 0755) < 0) return SysErr("create layer dir \"{}\"", target);
  ScopeExit cleanup([&] { (void)sys::RemoveAll(target); });
  UniqueFd root(::open(target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return SysErr("open \"{}\"", target);
  UnpackResult res;
  std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                                  archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  ReadCtx ctx{&stream};
  if (archive_read_open(a.get(), &ctx, nullptr, ReadCb, nullptr) != ARCHIVE_OK)
    return Err(ErrorCode::kInvalidArgument, "layer \"{}\": {}", target,
               archive_error_string(a.get()));
  Unpacker u(root.get(), opts, res);
  Status failure = Ok();
  while (true) {
    struct archive_entry* e;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a.get());
      failure = Err(ErrorCode::kInvalidArgument, "{}", msg ? msg : "corrupt tar header");
      break;
    }
    Status st = u.Entry(a.get(), e);
    if (!st) {
      const char* n = archive_entry_pathname(e);
      failure = Err(std::move(st).error().Context(fmt::format("entry \"{}\"", n ? n : "")));
      break;
    }
  }
  // Drain and hash the rest even on failure, so the producer thread stops cleanly.
  auto digest = stream.Finish();
  if (!failure)
    return Err(std::move(failure).error().Context(fmt::format("unpack \"{}\"", target)));
  if (!digest) return Err(std::move(digest).error().Context(fmt::format("unpack \"{}\"", target)));
  u.FixDirs();
  res.diff_id = *digest;
  res.bytes = stream.uncompressed_bytes();
  cleanup.Dismiss();
  return res;
}

}  // namespace

Result<UnpackResult> UnpackLayer(int fd, const std::string& target, const UnpackOptions& opts) {
  LayerStream stream(fd);
  return Unpack(stream, target, opts);
}

Result<UnpackResult> UnpackLayerFile(const std::string& path, const std::string& target,
                                     const UnpackOptions& opts) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDONLY));
  return UnpackLayer(fd.get(), target, opts);
}

Result<UnpackResult> UnpackLayerMemory(const void* data, size_t size, const std::string& target,
                                       const UnpackOptions& opts) {
  LayerStream stream(data, size);
  return Unpack(stream, target, opts);
}

}  // namespace hp::image
