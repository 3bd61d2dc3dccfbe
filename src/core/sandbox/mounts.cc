#include "core/sandbox/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/base/scope_exit.h"
#include "core/base/unique_fd.h"
#include "core/sys/below.h"
#include "core/sys/file.h"

namespace hp::sandbox {

Result<std::vector<std::string>> MountUnderSandbox(const std::string& sandbox,
                                                   const std::vector<MountPlan>& plans,
                                                   const BeforeMount& before_mount) {
  std::vector<std::string> done;
  ScopeExit undo([&] { (void)UnmountAll(done); });
  ASSIGN_OR_RETURN(UniqueFd root_fd, sys::Open(sandbox, O_PATH | O_DIRECTORY));
  for (const MountPlan& p : plans) {
    if (p.action != MountAction::kBind && p.action != MountAction::kTmpfs) continue;
    const std::string rel = p.destination.substr(1);
    const std::string what = sandbox + rel;
    struct stat src;
    if (p.action == MountAction::kBind && ::stat(p.source.c_str(), &src) != 0)
      return SysErr("bind mount source \"{}\"", p.source);
    sys::CreateOptions create;
    create.file = p.action == MountAction::kBind && !S_ISDIR(src.st_mode);
    ASSIGN_OR_RETURN(UniqueFd target, sys::CreateBelow(root_fd.get(), rel, what, create));
    ASSIGN_OR_RETURN(std::string real, sys::FdRealPath(target.get()));
    if (before_mount) TRY(before_mount(real));
    int rc;
    if (p.action == MountAction::kBind) {
      unsigned long flags = MS_BIND | (p.recursive ? MS_REC : 0);
      rc =
          ::mount(p.source.c_str(), sys::ProcFdPath(target.get()).c_str(), nullptr, flags, nullptr);
    } else {
      unsigned long flags = p.flags | (p.read_only ? MS_RDONLY : 0);
      rc = ::mount("tmpfs", sys::ProcFdPath(target.get()).c_str(), "tmpfs", flags,
                   p.data.empty() ? nullptr : p.data.c_str());
    }
    if (rc != 0) return SysErr("mount \"{}\" on \"{}\"", p.source, real);
    done.push_back(real);
    if (p.action == MountAction::kBind && (p.read_only || p.flags != 0)) {
      // Remount the new mount (re-resolved: the fd above names the covered directory).
      ASSIGN_OR_RETURN(UniqueFd top, sys::OpenBelow(root_fd.get(), rel, O_PATH, what));
      unsigned long flags = MS_REMOUNT | MS_BIND | p.flags | (p.read_only ? MS_RDONLY : 0);
      if (::mount(nullptr, sys::ProcFdPath(top.get()).c_str(), nullptr, flags, nullptr) != 0)
        return SysErr("remount \"{}\" read-only", real);
    }
  }
  undo.Dismiss();
  return done;
}

namespace {

Result<bool> IsMountRoot(int fd, const std::string& path) {
  struct statx stx;
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) != 0)
    return SysErr("statx \"{}\"", path);
  if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
    return Err(ErrorCode::kUnsupported, "statx \"{}\": the kernel does not tell mount roots", path);
  return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

}  // namespace

Result<std::string> PrepareReadOnlyRoot(const std::string& rootfs,
                                        const BeforeMount& before_mount) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW));
  ASSIGN_OR_RETURN(bool mounted, IsMountRoot(fd.get(), rootfs));
  if (mounted) return std::string();
  if (before_mount) {
    ASSIGN_OR_RETURN(std::string real, sys::FdRealPath(fd.get()));
    TRY(before_mount(real));
  }
  if (::mount(sys::ProcFdPath(fd.get()).c_str(), sys::ProcFdPath(fd.get()).c_str(), nullptr,
              MS_BIND, nullptr) != 0)
    return SysErr("bind \"{}\" onto itself", rootfs);
  return sys::FdRealPath(fd.get());
}

Status MakeRootReadOnly(const std::string& rootfs) {
  // Re-opened: the bind above covers the directory the earlier fd names.
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW));
  if (::mount(nullptr, sys::ProcFdPath(fd.get()).c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
              nullptr) != 0)
    return SysErr("remount the rootfs \"{}\" read-only", rootfs);
  return Ok();
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

}  // namespace hp::sandbox
