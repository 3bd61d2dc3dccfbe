#include "core/sys/windows/private_dir.h"

#include <windows.h>
// After <windows.h>: its types.
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
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

Status MakeProtectedDirectory(const std::string& path, const std::string& reader_sid) {
  // SY, BA: full control; the reader: generic read (FR). OICI: files made inside inherit it.
  std::wstring sddl = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
  if (!reader_sid.empty()) sddl += L"(A;OICI;FR;;;" + Widen(reader_sid) + L")";
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr))
    return Err(Win32Error("make the security descriptor for \"" + path + "\""));
  SECURITY_ATTRIBUTES sa{sizeof sa, sd, FALSE};
  BOOL made = CreateDirectoryW(Widen(path).c_str(), &sa);
  DWORD error = GetLastError();
  LocalFree(sd);
  if (!made) return Err(Win32Error("create \"" + path + "\"", error));
  std::vector<std::string> allowed = {"S-1-5-18", "S-1-5-32-544"};
  if (!reader_sid.empty()) allowed.push_back(reader_sid);
  return CheckProtectedDirectory(path, allowed);
}

Status CheckProtectedDirectory(const std::string& path, const std::vector<std::string>& allowed) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  DWORD error =
      GetNamedSecurityInfoW(Widen(path).c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                            nullptr, &dacl, nullptr, &sd);
  if (error != ERROR_SUCCESS) return Err(Win32Error("read the DACL of \"" + path + "\"", error));
  auto fail = [&](std::string why) -> Status {
    LocalFree(sd);
    return Err(ErrorCode::kFailedPrecondition, "the DACL of \"{}\" {}", path, why);
  };
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  if (!GetSecurityDescriptorControl(sd, &control, &revision) || !(control & SE_DACL_PROTECTED))
    return fail("is not protected (it inherits from its parent)");
  if (!dacl) return fail("is missing (everyone has access)");
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) return fail("cannot be read");
    auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;  // denials grant nothing
    PSID sid = &static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart;
    LPWSTR text = nullptr;
    if (!ConvertSidToStringSidW(sid, &text)) return fail("has a SID that cannot be read");
    std::string name = Narrow(text);
    LocalFree(text);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      return fail("grants access to " + name);
  }
  LocalFree(sd);
  return Ok();
}

}  // namespace hp::sys
