// hp/sandbox: the state root's permission model and a container volume's own directories
// (SPEC §4 "Permissions", docs/security.md).
//
//   <root>/                 0711 root   traversable, not listable
//   <root>/sandboxes/       0711 root   traversable, not listable
//   <root>/sandboxes/<id>/  0700 the container's account (the container volume's root)
//   <root>/containers, pods, logs, images, run, desired   0700 root
//
// So the container's account reaches its own sandbox (and the volumes mounted in it), and no
// other account reaches any pod's files: volumes, secrets and tokens are only reachable through
// the sandbox they are mounted in.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/plan/command.h"

namespace hp::sandbox {

// Creates the state root (0711) and its shared directories, and gives the ones this layer owns
// their modes when they already exist.
Status PrepareStateRoot(const std::string& root);

// Gives the container volume's root to its account: owner uid:gid, mode 0700.
Status OwnSandbox(const std::string& sandbox, uid_t uid, gid_t gid);

// An error naming the first directory on the way to `dir` that `uid` (with `gids`) cannot
// search, with what to do about it.
Status CheckReachable(const std::string& dir, uid_t uid, const std::vector<gid_t>& gids);

// Creates `rel` inside the sandbox (resolved in-root; missing directories are made through
// descriptors and owned by uid/gid) and returns its real host path.
Result<std::string> MakeDirInSandbox(const std::string& sandbox, const std::string& rel,
                                     std::optional<uid_t> uid = std::nullopt,
                                     std::optional<gid_t> gid = std::nullopt);

// The container's working directory as a real host path: inside the sandbox it resolves (and,
// when `wd.create`, is created) in-root, owned by the account; a host path is taken as is.
Result<std::string> PrepareWorkingDir(const plan::WorkingDir& wd, const std::string& sandbox,
                                      uid_t uid, gid_t gid);

}  // namespace hp::sandbox
