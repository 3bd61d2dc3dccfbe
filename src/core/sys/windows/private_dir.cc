#include "core/sys/windows/private_dir.h"

#include <windows.h>
// After <windows.h>: its types.
#include <sddl.h>

#include <filesystem>

#include "core/sys/windows/wide.h"

namespace hp::sys {

Status EnsurePrivateDirectory(const std::string& path) {
  std::wstring wide = Widen(path);
  DWORD attrs = GetFileAttributesW(wide.c_str());
  if (attrs != INVALID_FILE_ATTRIBUTES) return Ok();
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(wide).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // P: protected (nothing inherited); OICI: what is made inside gets the same.
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
                                                            SDDL_REVISION_1, &sd, nullptr))
    return Err(Win32Error("make the security descriptor for \"" + path + "\""));
  SECURITY_ATTRIBUTES sa{sizeof sa, sd, FALSE};
  BOOL made = CreateDirectoryW(wide.c_str(), &sa);
  DWORD error = GetLastError();
  LocalFree(sd);
  if (!made && error != ERROR_ALREADY_EXISTS)
    return Err(Win32Error("create \"" + path + "\"", error));
  return Ok();
}

}  // namespace hp::sys
