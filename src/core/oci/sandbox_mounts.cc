#include "core/oci/sandbox_mounts.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/unique_fd.h"
#include "core/sys/file.h"

namespace hp::oci {
namespace {

Result<UniqueFd> OpenInRoot(int root_fd, const std::string& rel, const std::string& root,
                            uint64_t flags = O_PATH) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, root_fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return SysErr("open \"{}\" in \"{}\"", rel, root);
  return UniqueFd(static_cast<int>(fd));
}

std::string FdPath(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

Result<std::string> RealPath(int fd) {
  char buf[4096];
  ssize_t n = ::readlink(FdPath(fd).c_str(), buf, sizeof buf - 1);
  if (n < 0) return SysErr("readlink \"{}\"", FdPath(fd));
  return std::string(buf, static_cast<size_t>(n));
}

// Resolves `rel` inside the sandbox, creating what is missing: directories, and the last
// component as a directory (`dir`) or an empty file.
Result<UniqueFd> EnsureInRoot(int root_fd, const std::string& root, const std::string& rel,
                              bool dir) {
  std::vector<std::string> parts;
  for (const std::string& p : Split(rel, '/'))
    if (!p.empty() && p != ".") parts.push_back(p);
  std::string prefix;
  ASSIGN_OR_RETURN(UniqueFd cur, OpenInRoot(root_fd, "", root, O_PATH | O_DIRECTORY));
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    std::string next = prefix.empty() ? parts[i] : prefix + "/" + parts[i];
    auto fd = OpenInRoot(root_fd, next, root);
    if (!fd && fd.error().sys_errno() == ENOENT) {
      // `cur` is a real directory inside the sandbox and parts[i] has no '/': mkdirat and
      // openat cannot leave it.
      int rc;
      if (!last || dir) {
        rc = ::mkdirat(cur.get(), parts[i].c_str(), 0755);
      } else {
        rc = ::openat(cur.get(), parts[i].c_str(),
                      O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) ::close(rc), rc = 0;
      }
      if (rc != 0 && errno != EEXIST) return SysErr("create \"{}\" in \"{}\"", next, root);
      fd = OpenInRoot(root_fd, next, root);
    }
    if (!fd) return Err(std::move(fd).error());
    if (!last || dir) {
      struct stat st;
      if (::fstat(fd->get(), &st) != 0) return SysErr("stat \"{}\" in \"{}\"", next, root);
      if (!S_ISDIR(st.st_mode))
        return Err(ErrorCode::kInvalidArgument, "\"{}\" in \"{}\" is not a directory", next, root);
    }
    cur = std::move(*fd);
    prefix = std::move(next);
  }
  return cur;
}

bool SourceIsDir(const std::string& source) {
  struct stat st;
  return ::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Result<std::string> MkdirInSandbox(const std::string& sandbox, const std::string& rel) {
  ASSIGN_OR_RETURN(UniqueFd root_fd, sys::Open(sandbox, O_PATH | O_DIRECTORY));
  ASSIGN_OR_RETURN(UniqueFd fd, EnsureInRoot(root_fd.get(), sandbox, rel, true));
  return RealPath(fd.get());
}

Result<std::vector<std::string>> MountUnderSandbox(const std::string& sandbox,
                                                   const std::vector<MountPlan>& plans) {
  std::vector<std::string> done;
  ScopeExit undo([&] { (void)UnmountAll(done); });
  auto root_fd = sys::Open(sandbox, O_PATH | O_DIRECTORY);
  if (!root_fd) return Err(std::move(root_fd).error());
  for (const MountPlan& p : plans) {
    if (p.action != MountAction::kBind && p.action != MountAction::kTmpfs) continue;
    const std::string rel = p.destination.substr(1);
    bool dir = p.action == MountAction::kTmpfs || SourceIsDir(p.source);
    if (p.action == MountAction::kBind && ::access(p.source.c_str(), F_OK) != 0)
      return SysErr("bind mount source \"{}\"", p.source);
    ASSIGN_OR_RETURN(UniqueFd target, EnsureInRoot(root_fd->get(), sandbox, rel, dir));
    ASSIGN_OR_RETURN(std::string real, RealPath(target.get()));
    int rc;
    if (p.action == MountAction::kBind) {
      unsigned long flags = MS_BIND | (p.recursive ? MS_REC : 0);
      rc = ::mount(p.source.c_str(), FdPath(target.get()).c_str(), nullptr, flags, nullptr);
    } else {
      unsigned long flags = p.flags | (p.read_only ? MS_RDONLY : 0);
      rc = ::mount("tmpfs", FdPath(target.get()).c_str(), "tmpfs", flags,
                   p.data.empty() ? nullptr : p.data.c_str());
    }
    if (rc != 0) return SysErr("mount \"{}\" on \"{}\"", p.source, real);
    done.push_back(real);
    if (p.action == MountAction::kBind && (p.read_only || p.flags != 0)) {
      // Remount the new mount (re-resolved: the fd above names the covered directory).
      ASSIGN_OR_RETURN(UniqueFd top, OpenInRoot(root_fd->get(), rel, sandbox));
      unsigned long flags = MS_REMOUNT | MS_BIND | p.flags | (p.read_only ? MS_RDONLY : 0);
      if (::mount(nullptr, FdPath(top.get()).c_str(), nullptr, flags, nullptr) != 0)
        return SysErr("remount \"{}\" read-only", real);
    }
  }
  undo.Dismiss();
  return done;
}

Status UnmountAll(const std::vector<std::string>& mount_points) {
  Status first = Ok();
  for (auto it = mount_points.rbegin(); it != mount_points.rend(); ++it) {
    if (::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
        errno != ENOENT && first)
      first = SysErr("unmount \"{}\"", *it);
  }
  return first;
}

}  // namespace hp::oci
