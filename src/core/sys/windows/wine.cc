#include "core/sys/windows/wine.h"

#include <windows.h>

namespace hp::sys {

std::optional<std::string> WineVersion() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (!ntdll) return std::nullopt;
  using GetVersion = const char*(__cdecl*)();
  auto get = reinterpret_cast<GetVersion>(
      reinterpret_cast<void*>(GetProcAddress(ntdll, "wine_get_version")));
  if (!get) return std::nullopt;
  const char* v = get();
  return std::string(v ? v : "");
}

}  // namespace hp::sys
