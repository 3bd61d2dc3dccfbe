// hp/oci: linux.cgroupsPath → the cgroup path (relative to each hierarchy's root) the job uses.
//
// Two forms, as runc accepts them:
//   cgroupfs  "/a/b" (absolute; a relative "a/b" is taken from the hierarchy root too)
//   systemd   "slice:prefix:name" → "/<expanded slice>/<prefix>-<name>.scope"
//             ("a-b.slice" expands to "/a.slice/a-b.slice"; a name ending in ".slice" is the
//             slice itself). We do not talk to systemd: the path is created with cgroupfs.
// An empty cgroupsPath gives "/<id>" (cgroupfs) or "system.slice:hostprocess:<id>" (systemd).
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::oci {

// "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "/".
Result<std::string> ExpandSystemdSlice(std::string_view slice);

// Returns a clean absolute path ("/a/b"), never "/" alone, never containing "..".
Result<std::string> ResolveCgroupsPath(std::string_view cgroups_path, bool systemd,
                                       std::string_view id);

}  // namespace hp::oci
