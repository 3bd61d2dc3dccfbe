#include "core/pod/dir_rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include "core/base/strings.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::pod {

DirRootfs::DirRootfs(std::string dir, plan::ImageConfig config)
    : dir_(std::move(dir)), config_(std::move(config)) {
  bool has_path = false;
  for (const std::string& e : config_.env) has_path = has_path || StartsWith(e, "PATH=");
  if (!has_path) {
    config_.env.insert(config_.env.begin(),
                       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
}

Result<plan::ImageConfig> DirRootfs::Config(const std::string&) {
  if (!sys::IsDir(dir_)) {
    return Err(ErrorCode::kNotFound, "rootfs directory \"{}\" does not exist", dir_);
  }
  return config_;
}

Result<Undo> DirRootfs::Mount(const std::string&, const std::string& target,
                              const std::string& scratch) {
  std::string upper = scratch + "/upper", work = scratch + "/work";
  TRY(sys::MkdirAll(upper, 0755));
  TRY(sys::MkdirAll(work, 0700));
  ::chmod(upper.c_str(), 0755);
  std::string opts = fmt::format("lowerdir={},upperdir={},workdir={}", dir_, upper, work);
  // nosuid,nodev: nothing in an image grants privileges (docs/security.md).
  if (Status m = sys::MountOverlay(target, opts, MS_NOSUID | MS_NODEV); !m) {
    (void)sys::RemoveAll(scratch);
    return SysErrN(m.error().sys_errno(), "mount overlay of \"{}\" on \"{}\"", dir_, target);
  }
  return Undo([target, scratch]() -> Status {
    if (::umount2(target.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
      return SysErr("unmount \"{}\"", target);
    }
    return sys::RemoveAll(scratch);
  });
}

}  // namespace hp::pod
