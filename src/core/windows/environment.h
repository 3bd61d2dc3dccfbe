// hp/windows: a container process's environment and the sandbox references in its command,
// as hcsshim's job containers build them (SPEC §7): the account's block, then the image's
// and the pod's variables (names compared without case: a later `path` replaces `PATH`),
// `PATH` with the sandbox and PowerShell's directories appended, CONTAINER_SANDBOX_MOUNT_POINT
// last, so the manifest cannot override it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hp::windows {

inline constexpr std::string_view kSandboxVariable = "CONTAINER_SANDBOX_MOUNT_POINT";
// What hcsshim appends to PATH after the sandbox: PowerShell and WMI, which images that
// replaced the PATH often lose.
inline constexpr std::string_view kExtraPath =
    "C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\;C:\\WINDOWS\\System32\\Wbem";

// The container volume's path as processes see it: with one trailing `\`.
std::string SandboxPath(std::string_view volume);

// `%CONTAINER_SANDBOX_MOUNT_POINT%` and `$env:CONTAINER_SANDBOX_MOUNT_POINT` (cmd and
// PowerShell spellings, exactly as hcsshim matches them) replaced by `sandbox`.
std::string ExpandSandbox(std::string_view text, std::string_view sandbox, bool* changed = nullptr);

// The working directory: the sandbox when none is given; a given one with the sandbox
// variable expanded is used as it is; any other is taken below the sandbox, its drive letter
// dropped (`C:\work` → `<sandbox>\work`: containerd 1.6's layout without file binding).
std::string WorkingDirectory(std::string_view sandbox, std::string_view requested);

using EnvList = std::vector<std::pair<std::string, std::string>>;

// account (the logon's block) + image + pod (values with the sandbox expanded); a name seen
// again (any case) replaces the earlier value in place; PATH (any case) gets `;<sandbox>;` and
// kExtraPath appended; the sandbox variable last.
EnvList BuildEnvironment(const EnvList& account, const EnvList& image, const EnvList& pod,
                         std::string_view sandbox);

// CreateProcessW's block, in UTF-8: `NAME=value\0` each, then one more `\0`.
std::string EnvironmentBlock(const EnvList& env);

}  // namespace hp::windows
