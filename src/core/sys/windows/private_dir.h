// hp/sys on Windows: the node's own directories (the state root, the container volumes' root)
// made private: SYSTEM and the Administrators only, nothing inherited from their parent. What
// is read from them is acted on with the supervisor's rights (records name volumes to remove,
// processes to stop, pods to start), so no other account may write there. Under Wine the
// security descriptor is accepted and not enforced (docs/windows.md, untested list).
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::sys {

// Creates `path` (and missing parents, as they would be made anyway) with a protected DACL that
// grants full control to SYSTEM and BUILTIN\Administrators only. A directory that exists is
// left as it is.
Status EnsurePrivateDirectory(const std::string& path);

// Makes the new directory `path` (its parent must exist; an existing one is an error) with a
// protected DACL: full control to SYSTEM and BUILTIN\Administrators, read to `reader_sid` (a
// string SID; none when empty), inherited by what is made inside. A secret volume's directory:
// whatever its parent grants, only those accounts read what is written in it. Checked by its
// effect (CheckProtectedDirectory), never by the calls' return values.
Status MakeProtectedDirectory(const std::string& path, const std::string& reader_sid);

// Reads `path`'s DACL back: it must be protected (nothing inherited) and allow no SID but
// `allowed` (string SIDs). kFailedPrecondition naming what is wrong otherwise.
Status CheckProtectedDirectory(const std::string& path, const std::vector<std::string>& allowed);

}  // namespace hp::sys
