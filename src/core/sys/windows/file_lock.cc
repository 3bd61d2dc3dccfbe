#include "core/sys/windows/file_lock.h"

#include <windows.h>

#include "core/sys/windows/wide.h"

namespace hp::sys {

Result<FileLock> FileLock::Take(const std::string& path) {
  HANDLE h = CreateFileW(Widen(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return Err(Win32Error("open \"" + path + "\""));
  OVERLAPPED at{};
  if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &at)) {
    Error e = Win32Error("lock \"" + path + "\"");
    CloseHandle(h);
    return Err(std::move(e));
  }
  return FileLock(h);
}

FileLock::~FileLock() {
  if (handle_) CloseHandle(handle_);  // the lock goes with the handle
}

}  // namespace hp::sys
