// hp/sys: reading the mount table and detaching mounts (crash clean-up of container volumes);
// the overlay mount of a container volume.
#pragma once

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::sys {

// Decodes the octal escapes of a /proc/self/mountinfo path field ("a\040b" → "a b").
std::string UnescapeMountPath(std::string_view field);
// Mount points at `dir` or below it (by path), deepest first, from `mountinfo` text.
std::vector<std::string> MountPointsUnder(std::string_view mountinfo, const std::string& dir);
// Lazily detaches (MNT_DETACH) every mount at `dir` or below it in this mount namespace.
Status DetachMountsUnder(const std::string& dir);

// mount(2) of an overlay at `target` with `flags` and the options `data` ("lowerdir=...,
// upperdir=...,workdir=..."), made `volatile` (Linux 5.10) where the kernel takes it. Only for an
// upper directory that is removed once unmounted, also after a crash (a container volume):
// without `volatile` each unmount syncs the upper file system (a journal commit and a wait for
// the disk: 2-13 ms per unmount on the ext4 of the issue 16 machine) for files that are deleted
// right after. Inside the overlay, fsync(2) then only reports write-back errors. A kernel that
// refuses the option (EINVAL) is asked again without it, and this process does not offer it
// again once such a retry succeeded. The error is the last mount's, with its errno.
Status MountOverlay(const std::string& target, const std::string& data, unsigned long flags);

// The per-mount flags that statfs(2) reports of a mount (f_flags: ST_*), as mount(2) flags for a
// bind remount that keeps them. Such a remount sets every per-mount flag anew: one that names
// only MS_RDONLY drops the source's nosuid, nodev and noexec and its atime rule (runc keeps them
// too). A header function: the launch child calls it after fork.
constexpr unsigned long KeptMountFlags(unsigned long st_flags) {
  unsigned long ms = 0;
  if (st_flags & ST_RDONLY) ms |= MS_RDONLY;
  if (st_flags & ST_NOSUID) ms |= MS_NOSUID;
  if (st_flags & ST_NODEV) ms |= MS_NODEV;
  if (st_flags & ST_NOEXEC) ms |= MS_NOEXEC;
  if (st_flags & ST_NODIRATIME) ms |= MS_NODIRATIME;
  if (st_flags & ST_NOATIME) {
    ms |= MS_NOATIME;
  } else if (st_flags & ST_RELATIME) {
    ms |= MS_RELATIME;
  } else {
    ms |= MS_STRICTATIME;
  }
  return ms;
}

}  // namespace hp::sys
