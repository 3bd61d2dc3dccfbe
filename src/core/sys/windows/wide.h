// hp/sys on Windows: UTF-8 (the core's strings) to and from UTF-16 (the W functions), and
// Win32 errors as Error values naming what failed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::sys {

std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);
// A UTF-8 path as std::filesystem takes it on Windows (its UTF-16 form).
std::filesystem::path FsPath(const std::string& utf8);
// An Error for GetLastError() (or `code`): "<what>: <system message> (error N)".
Error Win32Error(std::string_view what);
Error Win32Error(std::string_view what, unsigned long code);

// MoveFileExW (write-through; over an existing `to` when `replace`), tried again for up to 2 s
// while another program (an editor, a virus scanner) holds a file without delete sharing
// (access denied, sharing violation). The error names both paths. (sys/windows/file.cc)
Status MoveRetrying(const std::string& from, const std::string& to, bool replace);

}  // namespace hp::sys
