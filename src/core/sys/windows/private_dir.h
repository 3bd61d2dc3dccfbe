// hp/sys on Windows: the node's own directories (the state root, the container volumes' root)
// made private: SYSTEM and the Administrators only, nothing inherited from their parent. What
// is read from them is acted on with the supervisor's rights (records name volumes to remove,
// processes to stop, pods to start), so no other account may write there. Under Wine the
// security descriptor is accepted and not enforced (docs/windows.md, untested list).
#pragma once

#include <string>

#include "core/base/result.h"

namespace hp::sys {

// Creates `path` (and missing parents, as they would be made anyway) with a protected DACL that
// grants full control to SYSTEM and BUILTIN\Administrators only. A directory that exists is
// left as it is.
Status EnsurePrivateDirectory(const std::string& path);

}  // namespace hp::sys
