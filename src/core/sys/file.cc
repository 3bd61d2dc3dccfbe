#include "core/sys/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/base/scope_exit.h"

namespace hp::sys {

Result<UniqueFd> Open(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return SysErr("open \"{}\"", path);
  return UniqueFd(fd);
}

Result<std::string> ReadFd(int fd) { return ReadFdUpTo(fd, SIZE_MAX - 1); }

Result<std::string> ReadFdUpTo(int fd, size_t limit) {
  std::string out;
  char buf[65536];
  const size_t want = limit + 1;
  while (out.size() < want) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, want - out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("read");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) { return ReadFileUpTo(path, SIZE_MAX - 1); }

Result<std::string> ReadFileUpTo(const std::string& path, size_t limit) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDONLY));
  auto r = ReadFdUpTo(fd.get(), limit);
  if (!r) return SysErrN(r.error().sys_errno(), "read \"{}\"", path);
  return r;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

Status WriteFile(const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644));
  auto r = WriteAll(fd.get(), data);
  if (!r) return SysErrN(r.error().sys_errno(), "write \"{}\"", path);
  return Ok();
}

namespace {
AtomicWriteHook g_atomic_write_hook = nullptr;
void Step(const char* step) {
  if (g_atomic_write_hook) g_atomic_write_hook(step);
}
}  // namespace

void SetAtomicWriteHookForTesting(AtomicWriteHook hook) { g_atomic_write_hook = hook; }

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode, bool fsync) {
  return WriteFilesAtomic({{path, data}}, mode, fsync);
}

Status WriteFilesAtomic(const std::vector<FileWrite>& files, mode_t mode, bool fsync) {
  struct Temp {
    std::string path;  // cleared once renamed
    UniqueFd fd;
  };
  std::vector<Temp> temps;
  temps.reserve(files.size());
  ScopeExit unlink_temps([&] {
    for (const Temp& t : temps)
      if (!t.path.empty()) ::unlink(t.path.c_str());
  });
  for (const FileWrite& f : files) {
    Temp& t = temps.emplace_back(Temp{f.path + ".tmp-XXXXXX", UniqueFd()});
    int raw = ::mkostemp(t.path.data(), O_CLOEXEC);
    if (raw < 0) {
      t.path.clear();
      return SysErr("create temp file for \"{}\"", f.path);
    }
    t.fd.reset(raw);
    if (::fchmod(raw, mode) < 0) return SysErr("chmod \"{}\"", t.path);
    Step("write");
    auto w = WriteAll(raw, f.data);
    if (!w) return SysErrN(w.error().sys_errno(), "write \"{}\"", t.path);
  }
  // Durable: the data reaches the disk before the name does (else a power cut after the rename
  // can leave an empty file under the new name), and the renames before we return.
  std::vector<std::string> dirs;
  for (size_t i = 0; i < files.size(); i++) {
    Temp& t = temps[i];
    const std::string& path = files[i].path;
    if (fsync) {
      Step("fsync");
      if (::fsync(t.fd.get()) < 0) return SysErr("fsync \"{}\"", t.path);
    }
    t.fd.reset();
    Step("rename");
    if (::rename(t.path.c_str(), path.c_str()) < 0)
      return SysErr("rename \"{}\" to \"{}\"", t.path, path);
    t.path.clear();
    if (!fsync) continue;
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  for (const std::string& dir : dirs) {
    Step("fsync dir");
    ASSIGN_OR_RETURN(UniqueFd dfd, Open(dir, O_RDONLY | O_DIRECTORY));
    if (::fsync(dfd.get()) < 0) return SysErr("fsync \"{}\"", dir);
  }
  return Ok();
}

Status MkdirAll(const std::string& path, mode_t mode) {
  if (path.empty()) return Err(ErrorCode::kInvalidArgument, "mkdir: empty path");
  // The usual case first: the directory is there (one stat), or only its last component is
  // missing (one mkdir). Only a missing parent walks up, creating what is missing on the way
  // back down (a component made by someone else meanwhile is fine).
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Ok();
    return Err(ErrorCode::kFailedPrecondition, "\"{}\" is not a directory", path);
  }
  if (::mkdir(path.c_str(), mode) == 0) return Ok();
  if (errno == ENOENT) {
    size_t end = path.find_last_not_of('/');
    size_t slash = end == std::string::npos ? std::string::npos : path.rfind('/', end);
    if (slash != std::string::npos && slash > 0) TRY(MkdirAll(path.substr(0, slash), mode));
    if (::mkdir(path.c_str(), mode) == 0) return Ok();
  }
  if (errno != EEXIST) return SysErr("mkdir \"{}\"", path);
  if (!IsDir(path)) return Err(ErrorCode::kFailedPrecondition, "\"{}\" is not a directory", path);
  return Ok();
}

namespace {
Status RemoveAllAt(int dirfd, const char* name, const std::string& display, dev_t dev) {
  struct stat st;
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return Ok();
    return SysErr("stat \"{}\"", display);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) return SysErr("unlink \"{}\"", display);
    return Ok();
  }
  if (dev != 0 && st.st_dev != dev)
    return Err(ErrorCode::kFailedPrecondition, "refusing to remove \"{}\": it is a mount point",
               display);
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return SysErr("open \"{}\"", display);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return SysErr("opendir \"{}\"", display);
  }
  ScopeExit close_dir([&] { ::closedir(d); });
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    TRY(RemoveAllAt(fd, e->d_name, display + "/" + e->d_name, st.st_dev));
  }
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return SysErr("rmdir \"{}\"", display);
  return Ok();
}
}  // namespace

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return SysErr("unlink \"{}\"", path);
  return Ok();
}

Status RemoveAll(const std::string& path) { return RemoveAllAt(AT_FDCWD, path.c_str(), path, 0); }

Status RemoveAllAt(int dirfd, const std::string& name) {
  struct stat st;
  if (::fstat(dirfd, &st) < 0) return SysErr("stat the parent of \"{}\"", name);
  return RemoveAllAt(dirfd, name.c_str(), name, st.st_dev);
}

Result<size_t> ReadSome(int fd, char* buf, size_t size) {
  for (;;) {
    ssize_t n = ::read(fd, buf, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return SysErr("read");
  }
}

bool IsOpenAt(int fd, const std::string& path) {
  struct stat open_st, path_st;
  return ::fstat(fd, &open_st) == 0 && ::stat(path.c_str(), &path_st) == 0 &&
         path_st.st_ino == open_st.st_ino && path_st.st_dev == open_st.st_dev;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

namespace {

// The names in directory `path` but "." and "..", those for which keep(dir, entry) holds.
template <typename Keep>
Result<std::vector<std::string>> ListEntries(const std::string& path, Keep keep) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return SysErr("opendir \"{}\"", path);
  ScopeExit close_dir([&] { ::closedir(d); });
  std::vector<std::string> out;
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    if (keep(d, e)) out.emplace_back(e->d_name);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> ListDir(const std::string& path) {
  return ListEntries(path, [](DIR*, const struct dirent*) { return true; });
}

Result<std::vector<std::string>> ListSubdirs(const std::string& path) {
  return ListEntries(path, [](DIR* d, const struct dirent* e) {
    if (e->d_type != DT_UNKNOWN) return e->d_type == DT_DIR;
    struct stat st {};  // a file system without entry types: ask
    return ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
  });
}

Result<std::string> MakeTempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) return SysErr("mkdtemp \"{}\"", tmpl);
  return tmpl;
}

}  // namespace hp::sys
