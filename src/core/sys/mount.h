// hp/sys: reading the mount table and detaching mounts (crash clean-up of container volumes).
#pragma once

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

}  // namespace hp::sys
