// hp/sys: the one way to open or create a path below a root directory (SPEC §4, docs/security.md).
//
// Every path the node resolves below a container volume, a volume or a layer goes through here:
// a symlink met on the way is followed *within* the root (an absolute target starts again at
// the root, ".." stops at it: openat2 RESOLVE_IN_ROOT), or, with Resolve::kBeneath, any path
// that would leave the root fails (RESOLVE_BENEATH). Magic links (/proc/self/fd/N) are never
// followed. On kernels without openat2 a component walk gives the same answers.
//
// Creation never goes through a path string: each missing directory is mkdirat() on the
// descriptor of its resolved parent and chowned through its own descriptor, so a symlink planted
// by a container cannot turn "create and chown" into a write outside the root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::sys {

enum class Resolve {
  kInRoot,   // symlinks and ".." stay inside the root (the image's view of its own files)
  kBeneath,  // a path that would leave the root is an error (EXDEV)
};

struct BelowOptions {
  Resolve resolve = Resolve::kInRoot;
  bool same_mount = false;  // refuse to cross a mount point (RESOLVE_NO_XDEV)
  bool walk = false;        // use the component walk even when openat2 exists (tests)
};

// Opens `rel` (relative, or absolute meaning "from the root") below the directory fd `root`
// with open(2) `flags` (O_CLOEXEC is added). Errors carry errno; `what` names the path in them.
Result<UniqueFd> OpenBelow(int root, std::string_view rel, int flags, std::string_view what,
                           const BelowOptions& opts = {});

struct CreateOptions {
  mode_t dir_mode = 0755;
  bool file = false;  // the last component is created as an empty regular file
  mode_t file_mode = 0644;
  std::optional<uid_t> uid;  // owner of what is created (only what is created)
  std::optional<gid_t> gid;
};

// Resolves `rel` below `root` like OpenBelow, creating what is missing. Returns an O_PATH fd of
// the last component; `created` (optional) counts the components that were created.
Result<UniqueFd> CreateBelow(int root, std::string_view rel, std::string_view what,
                             const CreateOptions& create = {}, const BelowOptions& opts = {},
                             int* created = nullptr);

// "/proc/self/fd/N": the name of an open fd for mount(2) and re-opening.
std::string ProcFdPath(int fd);

// The directories on the way to an absolute path, lexically: "/a/b" → {"/", "/a", "/a/b"}
// (empty components skipped).
std::vector<std::string> PathPrefixes(std::string_view path);
// The path an fd names now (readlink of ProcFdPath).
Result<std::string> FdRealPath(int fd);

}  // namespace hp::sys
