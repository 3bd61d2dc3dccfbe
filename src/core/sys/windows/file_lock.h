// hp/sys on Windows: an exclusive lock on a file (LockFileEx on its first byte) for the commands
// that change a store (the node's pods, the image store). Held while the object lives; Windows
// releases it with the handle, also when the holder is killed, so a dead command never leaves
// it taken.
#pragma once

#include <string>
#include <utility>

#include "core/base/result.h"

namespace hp::sys {

class FileLock {
 public:
  // Opens `path` (created when missing; its directory must exist) and waits for the lock.
  static Result<FileLock> Take(const std::string& path);
  FileLock(FileLock&& o) noexcept : handle_(std::exchange(o.handle_, nullptr)) {}
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(void* handle) : handle_(handle) {}
  void* handle_;
};

}  // namespace hp::sys
