// hp/oci: carries out the MountPlans of a bundle under its sandbox, in the host's mount
// namespace (the mounts outlive the `create` command and are undone by `delete`).
//
// MINIMAL ADAPTER (owned here until hp/sandbox offers escape-proof mount helpers): every path
// below the sandbox is resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a
// symlink inside the image cannot point a mount outside the sandbox; missing directories are
// created component by component and the mount is made on /proc/self/fd/<fd> of the resolved
// target.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/oci/hostprocess.h"

namespace hp::oci {

// Mounts every kBind/kTmpfs plan under `sandbox` (absolute, trailing '/' optional). Returns the
// host paths mounted on, in order. On error, what was mounted is unmounted again.
Result<std::vector<std::string>> MountUnderSandbox(const std::string& sandbox,
                                                   const std::vector<MountPlan>& plans);

// Detaches `mount_points` in reverse order; a path that is no longer a mount point is skipped.
Status UnmountAll(const std::vector<std::string>& mount_points);

// Creates `rel` (a directory path inside `sandbox`) without leaving the sandbox.
Result<std::string> MkdirInSandbox(const std::string& sandbox, const std::string& rel);

}  // namespace hp::oci
