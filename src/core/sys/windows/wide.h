// hp/sys on Windows: UTF-8 (the core's strings) to and from UTF-16 (the W functions), and
// Win32 errors as Error values naming what failed.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::sys {

std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);
// An Error for GetLastError() (or `code`): "<what>: <system message> (error N)".
Error Win32Error(std::string_view what);
Error Win32Error(std::string_view what, unsigned long code);

}  // namespace hp::sys
