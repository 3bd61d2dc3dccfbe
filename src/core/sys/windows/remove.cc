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

// What a reparse point is: a link (a name surrogate: symbolic link, junction, mount point, or
// a tag this code does not know, as Wine's Unix links show tag 0) is removed itself; a known
// other kind (deduplicated, cloud or compressed files) is an ordinary file or directory.
bool IsLink(DWORD attrs, DWORD tag) {
  if (!(attrs & FILE_ATTRIBUTE_REPARSE_POINT)) return false;
  return tag == 0 || IsReparseTagNameSurrogate(tag);
}

// Clears the read-only attribute of `path` itself, never of a link's target: through a handle
// opened on the reparse point.
void ClearReadOnly(const std::wstring& path, DWORD attrs) {
  HANDLE h =
      CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                  FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return;
  FILE_BASIC_INFO info{};
  if (GetFileInformationByHandleEx(h, FileBasicInfo, &info, sizeof info)) {
    info.FileAttributes = attrs & ~DWORD{FILE_ATTRIBUTE_READONLY};
    if (info.FileAttributes == 0) info.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    SetFileInformationByHandle(h, FileBasicInfo, &info, sizeof info);
  }
  CloseHandle(h);
}

// Removes the entry `path` (a `\\?\` path) whose attributes and reparse tag are `attrs` and
// `tag`: a link itself, a file, or a directory after its entries. An entry gone meanwhile is
// fine; any other failure is reported and the rest still removed.
Status RemoveEntry(const std::wstring& path, DWORD attrs, DWORD tag) {
  bool dir = attrs & FILE_ATTRIBUTE_DIRECTORY;
  bool link = IsLink(attrs, tag);
  if (link && WineVersion())
    return Err(ErrorCode::kUnsupported,
               "\"{}\" is a link, which Wine cannot remove without removing its target: it is "
               "left in place; remove it by hand",
               Narrow(path));
  if (attrs & FILE_ATTRIBUTE_READONLY) ClearReadOnly(path, attrs);
  if (dir && !link) {
    WIN32_FIND_DATAW entry;
    HANDLE find = FindFirstFileW((path + L"\\*").c_str(), &entry);
    if (find == INVALID_HANDLE_VALUE && GetLastError() != ERROR_FILE_NOT_FOUND)
      return Err(Win32Error("list \"" + Narrow(path) + "\""));
    if (find != INVALID_HANDLE_VALUE) {
      Status first = Ok();
      do {
        std::wstring name = entry.cFileName;
        if (name == L"." || name == L"..") continue;
        // The name as listed, appended verbatim (`x.` and `x ` stay themselves under `\\?\`).
        Status s = RemoveEntry(
            path + L"\\" + name, entry.dwFileAttributes,
            (entry.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? entry.dwReserved0 : 0);
        if (!s && first) first = std::move(s);
      } while (FindNextFileW(find, &entry));
      FindClose(find);
      if (!first) return first;
    }
  }
  // A directory link (symbolic link or junction) is removed as a directory, its target kept.
  BOOL removed = dir ? RemoveDirectoryW(path.c_str()) : DeleteFileW(path.c_str());
  if (!removed && GetLastError() != ERROR_FILE_NOT_FOUND)
    return Err(Win32Error("remove \"" + Narrow(path) + "\""));
  return Ok();
}

// `path` as a full `\\?\` path (`\\?\UNC\server\share\...` for a share): no MAX_PATH limit, and
// no rewriting of names that end in a dot or a space.
std::wstring Verbatim(const std::wstring& path) {
  if (path.rfind(L"\\\\?\\", 0) == 0) return path;
  DWORD n = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (n == 0) return path;
  std::wstring full(n, L'\0');
  n = GetFullPathNameW(path.c_str(), n, full.data(), nullptr);
  full.resize(n);
  while (full.size() > 3 && (full.back() == L'\\' || full.back() == L'/')) full.pop_back();
  if (full.rfind(L"\\\\", 0) == 0) return L"\\\\?\\UNC\\" + full.substr(2);
  return L"\\\\?\\" + full;
}

}  // namespace

Status RemoveAll(const std::string& path) {
  std::wstring wide = Verbatim(Widen(path));
  WIN32_FIND_DATAW self;
  HANDLE find = FindFirstFileW(wide.c_str(), &self);  // the attributes and the reparse tag
  if (find == INVALID_HANDLE_VALUE) {
    DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) return Ok();
    return Err(Win32Error("read the attributes of \"" + path + "\"", error));
  }
  FindClose(find);
  return RemoveEntry(wide, self.dwFileAttributes,
                     (self.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? self.dwReserved0 : 0);
}

}  // namespace hp::sys
