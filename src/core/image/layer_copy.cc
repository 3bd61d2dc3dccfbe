#include "core/image/layer_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "core/base/strings.h"
#include "core/base/unique_fd.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {

Result<std::vector<std::string>> Entries(int dirfd) {
  int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return SysErr("dup");
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return SysErr("fdopendir");
  }
  ::rewinddir(d);
  std::vector<std::string> out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  ::closedir(d);
  return out;
}

void CopyXattrs(int sfd, int dfd) {
  char names[65536];
  ssize_t n = ::flistxattr(sfd, names, sizeof names);
  for (ssize_t i = 0; n > 0 && i < n; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
    const char* name = names + i;
    // Never overlay's own markers, and never file capabilities: nothing in an image grants
    // privileges in a container volume (docs/security.md).
    if (StartsWith(name, "trusted.overlay.") || std::strcmp(name, "security.capability") == 0)
      continue;
    char val[65536];
    ssize_t vn = ::fgetxattr(sfd, name, val, sizeof val);
    if (vn >= 0) (void)::fsetxattr(dfd, name, val, static_cast<size_t>(vn), 0);
  }
}

void SetMeta(int fd, const struct stat& st) {
  if (::geteuid() == 0) (void)::fchown(fd, st.st_uid, st.st_gid);
  // A copy is never mounted nosuid: its files simply carry no setuid/setgid bit.
  mode_t mode = st.st_mode & 07777;
  if (!S_ISDIR(st.st_mode)) mode &= ~mode_t{S_ISUID | S_ISGID};
  (void)::fchmod(fd, mode);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  (void)::futimens(fd, ts);
}

class Copier {
 public:
  explicit Copier(std::string target) : target_(std::move(target)) {}
  Status Dir(int sfd, int dfd, const std::string& rel);

 private:
  Status Remove(int dfd, const std::string& rel, const std::string& name);
  Status File(int sfd, int dfd, const std::string& name, const std::string& rel,
              const struct stat& st);
  std::string target_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // inode → first copy (rel path)
};

Status Copier::Remove(int dfd, const std::string& rel, const std::string& name) {
  struct stat st;
  if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return Ok();
  if (S_ISDIR(st.st_mode)) return sys::RemoveAll(target_ + "/" + rel);
  if (::unlinkat(dfd, name.c_str(), 0) < 0) return SysErr("remove \"{}\"", rel);
  return Ok();
}

Status Copier::File(int sfd, int dfd, const std::string& name, const std::string& rel,
                    const struct stat& st) {
  if (st.st_nlink > 1) {
    auto key = std::make_pair(st.st_dev, st.st_ino);
    if (auto it = links_.find(key); it != links_.end()) {
      UniqueFd root(::open(target_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (::linkat(root.get(), it->second.c_str(), dfd, name.c_str(), 0) == 0) return Ok();
    }
    links_[key] = rel;
  }
  UniqueFd in(::openat(sfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return SysErr("open \"{}\"", rel);
  UniqueFd out(
      ::openat(dfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return SysErr("create \"{}\"", rel);
  TRY(CopyData(in.get(), out.get(), st.st_size, rel));
  CopyXattrs(in.get(), out.get());
  SetMeta(out.get(), st);
  return Ok();
}

Status Copier::Dir(int sfd, int dfd, const std::string& rel_dir) {
  ASSIGN_OR_RETURN(auto names, Entries(sfd));
  for (const auto& name : names) {
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    if (name == kOpaque) continue;
    struct stat st;
    if (::fstatat(sfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return SysErr("stat \"{}\"", rel);
    if (StartsWith(name, ".wh.")) {
      std::string hidden = name.substr(4);
      TRY(Remove(dfd, rel_dir.empty() ? hidden : rel_dir + "/" + hidden, hidden));
      continue;
    }
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      TRY(Remove(dfd, rel, name));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      UniqueFd child(::openat(sfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) return SysErr("open \"{}\"", rel);
      char v = 0;
      bool opaque = ::fgetxattr(child.get(), "trusted.overlay.opaque", &v, 1) == 1 && v == 'y';
      struct stat ost;
      opaque = opaque ||
               ::fstatat(child.get(), std::string(kOpaque).c_str(), &ost, AT_SYMLINK_NOFOLLOW) == 0;
      struct stat dst;
      bool exists = ::fstatat(dfd, name.c_str(), &dst, AT_SYMLINK_NOFOLLOW) == 0;
      if (exists && (!S_ISDIR(dst.st_mode) || opaque)) {
        TRY(Remove(dfd, rel, name));
        exists = false;
      }
      if (!exists && ::mkdirat(dfd, name.c_str(), 0700) < 0) return SysErr("mkdir \"{}\"", rel);
      UniqueFd dchild(::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dchild) return SysErr("open \"{}/{}\"", target_, rel);
      TRY(Dir(child.get(), dchild.get(), rel));
      CopyXattrs(child.get(), dchild.get());
      SetMeta(dchild.get(), st);
      continue;
    }
    TRY(Remove(dfd, rel, name));
    if (S_ISREG(st.st_mode)) {
      TRY(File(sfd, dfd, name, rel, st));
    } else if (S_ISLNK(st.st_mode)) {
      char buf[PATH_MAX + 1];
      ssize_t n = ::readlinkat(sfd, name.c_str(), buf, PATH_MAX);
      if (n < 0) return SysErr("readlink \"{}\"", rel);
      buf[n] = 0;
      if (::symlinkat(buf, dfd, name.c_str()) < 0) return SysErr("symlink \"{}\"", rel);
      if (::geteuid() == 0)
        (void)::fchownat(dfd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      struct timespec ts[2] = {st.st_atim, st.st_mtim};
      (void)::utimensat(dfd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      continue;  // device nodes are never created in a container volume
    } else {     // fifo, socket
      if (::mknodat(dfd, name.c_str(), st.st_mode & ~mode_t{S_ISUID | S_ISGID}, st.st_rdev) < 0)
        return SysErr("mknod \"{}\"", rel);
      if (::geteuid() == 0)
        (void)::fchownat(dfd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
  }
  return Ok();
}

}  // namespace

Status CopyData(int in, int out, int64_t len, const std::string& what) {
  bool use_cfr = true;
  std::string buf;
  while (len > 0) {
    ssize_t n = -1;
    if (use_cfr) {
      n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(len), 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        use_cfr = false;
        buf.resize(1 << 16);
        continue;
      }
    } else {
      n = ::read(in, buf.data(), static_cast<size_t>(std::min<int64_t>(len, buf.size())));
      if (n > 0)
        TRY_CTX(sys::WriteAll(out, std::string_view(buf.data(), static_cast<size_t>(n))),
                "copy \"{}\"", what);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("copy \"{}\"", what);
    }
    if (n == 0) break;
    len -= n;
  }
  return Ok();
}

Status ApplyLayerCopy(const std::string& layer_dir, const std::string& target) {
  UniqueFd s(::open(layer_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!s) return SysErr("open layer \"{}\"", layer_dir);
  UniqueFd d(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) return SysErr("open \"{}\"", target);
  Copier c(target);
  TRY_CTX(c.Dir(s.get(), d.get(), ""), "copy layer \"{}\" to \"{}\"", layer_dir, target);
  struct stat st;
  if (::fstat(s.get(), &st) == 0) SetMeta(d.get(), st);
  return Ok();
}

}  // namespace hp::image
