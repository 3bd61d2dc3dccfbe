// hp/windows: a process's command line. CreateProcessW takes one string; the program's C runtime
// (MSVCRT/UCRT, as CommandLineToArgvW) splits it back into argv. Join quotes so that the split
// gives back exactly the argv the manifest listed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hp::windows {

// One argument quoted for the C runtime: unchanged when it has no space, tab, newline,
// vertical tab or `"` and is not empty; else in `"..."`, with `"` as `\"` and the backslashes
// before a `"` (or before the closing quote) doubled.
std::string QuoteArgument(std::string_view arg);
// The separators of a command line's arguments (space and tab), as the C runtime splits it.
inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
// The program name (argv[0]) is read by different rules: up to the next `"` when it starts
// with one, else up to the first space or tab; it can hold no `"`. Quoted when it has a space
// or tab (or is empty).
std::string QuoteProgramName(std::string_view name);
// argv[0] by QuoteProgramName, the rest by QuoteArgument, separated by one space.
std::string JoinCommandLine(const std::vector<std::string>& argv);
// The C runtime's split (UCRT rules: `""` inside quotes is one literal `"`).
std::vector<std::string> SplitCommandLine(std::string_view line);

}  // namespace hp::windows
