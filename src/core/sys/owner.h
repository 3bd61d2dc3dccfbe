// hp/sys: whether another account could change a path that root keeps its state under.
#pragma once

#include <string>

#include "core/base/result.h"

namespace hp::sys {

// Refuses a state root that another account could swap, or plant or read files in. Checked
// before the root is made or used:
// - no component of `root` as written is a symlink that another user owns;
// - every existing directory on its resolved path, up to and including the root, is owned by
//   root or by this process's user;
// - the root, when it exists, is writable by its owner only, and every directory above it is
//   too unless its sticky bit is set (as /tmp's: others cannot rename what root made in it).
// What does not exist yet is made by root later. The error names the path, its owner and mode,
// and what to use instead.
Status CheckStateRoot(const std::string& root);

}  // namespace hp::sys
