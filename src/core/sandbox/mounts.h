// hp/sandbox: the runtime mounts of an OCI bundle carried out under its sandbox, in the host's
// mount namespace (the mounts outlive `hostprocess-runtime create` and are undone by `delete`).
//
// Every destination resolves inside the sandbox (hp/sys CreateBelow, in-root), so a symlink in
// the image cannot point a mount outside it; missing directories are created component by
// component and the mount is made on /proc/self/fd/<fd> of the resolved target.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::sandbox {

enum class MountAction { kSkipSystem, kSkipUnsupported, kBind, kTmpfs };

struct MountPlan {
  MountAction action = MountAction::kSkipSystem;
  std::string destination;  // cleaned, absolute, inside the container ("/etc/hosts")
  std::string source;       // host path (bind)
  bool recursive = false;   // rbind
  bool read_only = false;
  unsigned long flags = 0;  // MS_NOSUID | MS_NODEV | MS_NOEXEC ... from the options
  std::string data;         // tmpfs data ("size=65536k,mode=755")
};

// Called with the resolved host path of each mount point just before mounting on it (a caller
// that must survive a crash records it first); an error stops before the mount.
using BeforeMount = std::function<Status(const std::string& mount_point)>;

// Mounts every kBind/kTmpfs plan under `sandbox` (absolute, trailing '/' optional). Returns the
// host paths mounted on, in order. On error, what was mounted is unmounted again.
Result<std::vector<std::string>> MountUnderSandbox(const std::string& sandbox,
                                                   const std::vector<MountPlan>& plans,
                                                   const BeforeMount& before_mount = nullptr);

// OCI `root.readonly`, first half: a rootfs that is not a mount point of its own is bound onto
// itself, so that its mount can be made read-only without touching the file system it lives on.
// Returns the bind's path (to unmount with the others) or "" when the rootfs is a mount already.
// Call before MountUnderSandbox: mounts below it then live on that bind.
Result<std::string> PrepareReadOnlyRoot(const std::string& rootfs,
                                        const BeforeMount& before_mount = nullptr);
// Second half, once every mount point and directory below it exists: the rootfs mount becomes
// read-only (MS_REMOUNT|MS_BIND|MS_RDONLY: the mounts below it keep their own flags).
Status MakeRootReadOnly(const std::string& rootfs);

// Detaches `mount_points` in reverse order; a path that is no longer a mount point is skipped.
Status UnmountAll(const std::vector<std::string>& mount_points);

}  // namespace hp::sandbox
