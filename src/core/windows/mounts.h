// hp/windows: a HostProcess container's volume mounts in containerd 1.6's layout (hcsshim's
// fallbackMountSetup in internal/jobcontainers mounts.go): each mount is a symbolic link inside
// the container volume, at the mount path with its drive letter dropped, to the mount's source
// on the host. Pure: the links are made by the Windows backend (cli windows/container.cc).
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::windows {

// A named pipe (`\\.\pipe\name`), which hcsshim refuses as a mount source.
bool IsNamedPipe(std::string_view source);

// Where the link for `mount_path` is made in the container volume `volume`: `C:\var\log`,
// `\var\log` and `/var/log` are all `<volume>\var\log`. Refused: an empty mount path, one that
// names the volume itself (`C:\`), one that climbs out of it through `..` (hcsshim's
// filepath.Join would follow those out of the volume), and components Windows would rewrite or
// read otherwise: ending in `.` or a space (Win32 trims them), holding `:` (an alternate data
// stream), `*?"<>|` or control characters, or a DOS device name (`nul`, `com1.txt`).
Result<std::string> MountLinkPath(std::string_view volume, std::string_view mount_path);

// A hostPath source must be a full path (`C:\x`, `\\server\share\x`) without `..` components: a
// relative one would be resolved against the supervisor's directory, and its link against the
// link's own.
Status CheckHostPathSource(std::string_view path);

// Whether `inner` is `outer` or below it (case-insensitive, both cleaned link paths).
bool IsSameOrBelow(std::string_view inner, std::string_view outer);

// hcsshim's words for a named pipe source.
inline constexpr std::string_view kNamedPipeMountError =
    "named pipe mounts not supported for job containers - interact with the pipe directly";

}  // namespace hp::windows
