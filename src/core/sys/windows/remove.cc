// hp/sys on Windows: RemoveAll (file.h) that never follows a link. A container can make
// symbolic links, junctions and mount points (reparse points) inside its container volume that
// point anywhere on the host; removing the volume removes those links, never what they point to.
// (std::filesystem::remove_all of MinGW's libstdc++ reads entries with stat, which follows them,
// and so removed the target's files: found by the wine tier's planted-link test.)
//
// Under Wine a link is a Unix symbolic link (Wine's CreateSymbolicLinkW makes none), and Wine's
// RemoveDirectoryW and DeleteFileW act on its target (an empty target directory is removed, a
// target file deleted): there a directory link is left in place with an error that says so.
// Wine shows a Unix link to a file as a plain file, which no API here can tell from one
// (docs/windows.md, the Wine matrix).
#include <windows.h>

#include <string>

#include "core/sys/file.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"

namespace hp::sys {
namespace {

constexpr DWORD kNotThere[] = {ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND};

bool Missing(DWORD error) {
  for (DWORD e : kNotThere)
    if (error == e) return true;
  return false;
}

// Removes the entry `path` whose attributes are `attrs`: a link itself, a file, or a directory
// after its entries.
Status RemoveEntry(const std::wstring& path, DWORD attrs) {
  if (attrs & FILE_ATTRIBUTE_READONLY)
    SetFileAttributesW(path.c_str(), attrs & ~DWORD{FILE_ATTRIBUTE_READONLY});
  bool dir = attrs & FILE_ATTRIBUTE_DIRECTORY;
  bool link = attrs & FILE_ATTRIBUTE_REPARSE_POINT;
  if (link && WineVersion())
    return Err(ErrorCode::kUnsupported,
               "\"{}\" is a link, which Wine cannot remove without removing its target: it is "
               "left in place; remove it by hand",
               Narrow(path));
  if (dir && !link) {
    WIN32_FIND_DATAW entry;
    HANDLE find = FindFirstFileW((path + L"\\*").c_str(), &entry);
    if (find == INVALID_HANDLE_VALUE && !Missing(GetLastError()))
      return Err(Win32Error("list \"" + Narrow(path) + "\""));
    if (find != INVALID_HANDLE_VALUE) {
      Status first = Ok();
      do {
        std::wstring name = entry.cFileName;
        if (name == L"." || name == L"..") continue;
        Status s = RemoveEntry(path + L"\\" + name, entry.dwFileAttributes);
        if (!s && first) first = std::move(s);
      } while (FindNextFileW(find, &entry));
      FindClose(find);
      if (!first) return first;
    }
  }
  // A directory link (symbolic link or junction) is removed as a directory, its target kept.
  BOOL removed = dir ? RemoveDirectoryW(path.c_str()) : DeleteFileW(path.c_str());
  if (!removed && !Missing(GetLastError()))
    return Err(Win32Error("remove \"" + Narrow(path) + "\""));
  return Ok();
}

}  // namespace

Status RemoveAll(const std::string& path) {
  std::wstring wide = Widen(path);
  DWORD attrs = GetFileAttributesW(wide.c_str());
  if (attrs == INVALID_FILE_ATTRIBUTES) {
    if (Missing(GetLastError())) return Ok();
    return Err(Win32Error("read the attributes of \"" + path + "\""));
  }
  return RemoveEntry(wide, attrs);
}

}  // namespace hp::sys
