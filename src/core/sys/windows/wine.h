// hp/sys on Windows: whether this process runs under Wine, and which. Wine reports success for
// calls it does not carry out (Job Object limits, LogonUserW, NetUserAdd, CreateSymbolicLinkW;
// docs/windows.md), so what depends on them says so at run time instead of claiming an effect.
#pragma once

#include <optional>
#include <string>

namespace hp::sys {

// Wine's version ("8.0") from ntdll!wine_get_version; nullopt on Windows.
std::optional<std::string> WineVersion();

}  // namespace hp::sys
