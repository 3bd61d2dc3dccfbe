// The Windows node's state directory when neither --root nor HOSTPROCESS_ROOT says (command.h):
// %ProgramData%\hostprocess, the machine-wide application data (C:\ProgramData on every
// Windows); made private to SYSTEM and the Administrators when first used (sys/windows
// private_dir.h).
#include <windows.h>

#include "cli/hostprocess/command.h"
#include "core/sys/windows/wide.h"

namespace hp::cli {

std::string DefaultRoot() {
  wchar_t buf[MAX_PATH];
  DWORD n = GetEnvironmentVariableW(L"ProgramData", buf, MAX_PATH);
  std::string base = n > 0 && n < MAX_PATH ? sys::Narrow({buf, n}) : "C:\\ProgramData";
  return base + "\\hostprocess";
}

}  // namespace hp::cli
