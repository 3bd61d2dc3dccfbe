// hp/windows: Windows path rules as pure string logic (no Windows headers), so that the Windows
// backends' decisions are unit-tested on every platform. A path here is UTF-8; `\` and `/` are
// both separators, as the Win32 API takes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hp::windows {

bool IsSeparator(char c);
// `C:\x`, `C:/x`, `\\server\share\x`, `\\?\C:\x`: a path that names one place whatever the
// current drive and directory.
bool IsAbsolute(std::string_view path);
// `\x` (the current drive's root) and `C:x` (relative to drive C's current directory): neither
// relative to a given directory nor absolute; refused where a path must stay below a root.
bool IsDriveOrRootRelative(std::string_view path);
// A relative path that climbs out of its base through `..` components (`..\x`, `a\..\..\x`).
bool EscapesBase(std::string_view relative);
// `base` + `\` + `rest`, with one separator between them.
std::string JoinPath(std::string_view base, std::string_view rest);
// The path with `/` turned into `\`, repeated separators folded and `.` components removed;
// `..` folds with the component before it but never climbs above a drive root.
std::string Clean(std::string_view path);
// Whether the last component has an extension (`a.exe`, `tool.v2`; not `a`, `dir.d\a`, `.a`).
bool HasExtension(std::string_view path);
// The directories of a `PATH` value: split at `;`, surrounding quotes removed, empty entries
// skipped (a `;` inside quotes belongs to the directory, as cmd.exe reads it).
std::vector<std::string> SplitPathList(std::string_view value);
// Case-insensitive equality of names (ASCII folding, as the file system and environment
// compare the names this project uses).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace hp::windows
