// hp/sys on Windows: the part of file.h that the platform-neutral modules use (reading input,
// listing a directory, writing a file or to a descriptor). Paths are UTF-8, as everywhere in the
// core, and reach Windows as UTF-16; files are read in binary mode so that the bytes are the ones
// Linux reads.
#include "core/sys/file.h"

#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/sys/random.h"
#include "core/sys/windows/wide.h"

namespace hp::sys {
namespace {

// `prefix` and six random characters from mkdtemp's alphabet.
std::string RandomName(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char random[6];
  RandomBytes(random, sizeof random);
  std::string name(prefix);
  for (unsigned char r : random) name += kAlphabet[r % (sizeof kAlphabet - 1)];
  return name;
}

}  // namespace

Result<UniqueFd> Open(const std::string& path, int flags, mode_t mode) {
  if ((flags & (_O_WRONLY | _O_RDWR | _O_CREAT | _O_TRUNC | _O_APPEND)) == 0) {
    // A reader lets others rename and delete the file, as on Linux (the C runtime's _wopen does
    // not): `logs -f` must not keep `delete` from removing a pod's logs.
    HANDLE h = CreateFileW(FsPath(path).c_str(), GENERIC_READ,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
      DWORD error = GetLastError();
      int e = error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ? ENOENT
              : error == ERROR_ACCESS_DENIED                                 ? EACCES
                                                                             : EIO;
      return SysErrN(e, "open \"{}\"", path);
    }
    int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), _O_RDONLY | _O_BINARY);
    if (fd < 0) {
      CloseHandle(h);
      return SysErr("open \"{}\"", path);
    }
    return UniqueFd(fd);
  }
  int fd;
  do {
    fd = ::_wopen(FsPath(path).c_str(), flags | _O_BINARY | _O_NOINHERIT, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return SysErr("open \"{}\"", path);
  return UniqueFd(fd);
}

Result<std::string> ReadFdUpTo(int fd, size_t limit) {
  std::string out;
  char buf[65536];
  const size_t want = limit + 1;
  while (out.size() < want) {
    int n = ::_read(fd, buf, static_cast<unsigned>(std::min(sizeof buf, want - out.size())));
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("read");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> ReadFd(int fd) { return ReadFdUpTo(fd, SIZE_MAX - 1); }

Result<std::string> ReadFileUpTo(const std::string& path, size_t limit) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, _O_RDONLY));
  auto r = ReadFdUpTo(fd.get(), limit);
  if (!r) return SysErrN(r.error().sys_errno(), "read \"{}\"", path);
  return r;
}

Result<std::string> ReadFile(const std::string& path) { return ReadFileUpTo(path, SIZE_MAX - 1); }

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    int n =
        ::_write(fd, data.data(), static_cast<unsigned>(std::min<size_t>(data.size(), 1 << 30)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

Status WriteFile(const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, _O_WRONLY | _O_CREAT | _O_TRUNC, _S_IREAD | _S_IWRITE));
  if (auto w = WriteAll(fd.get(), data); !w)
    return SysErrN(w.error().sys_errno(), "write \"{}\"", path);
  return Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t, bool durable) {
  // A temp file beside `path` (`<path>.tmp-XXXXXX`, as on Linux, so that the store finds what a
  // killed writer left), flushed to the disk when durable, then moved over `path`.
  std::string tmp;
  HANDLE h = INVALID_HANDLE_VALUE;
  for (int attempt = 0; h == INVALID_HANDLE_VALUE; attempt++) {
    tmp = RandomName(path + ".tmp-");
    h = CreateFileW(FsPath(tmp).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                    FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE && (GetLastError() != ERROR_FILE_EXISTS || attempt >= 100))
      return tl::unexpected(Win32Error("create temp file for \"" + path + "\""));
  }
  auto fail = [&](std::string_view what) {
    Error e = Win32Error(std::string(what) + " \"" + tmp + "\"");
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    DeleteFileW(FsPath(tmp).c_str());
    return tl::unexpected(std::move(e));
  };
  while (!data.empty()) {
    DWORD n = 0;
    DWORD want = static_cast<DWORD>(std::min<size_t>(data.size(), 1 << 30));
    if (!::WriteFile(h, data.data(), want, &n, nullptr)) return fail("write");
    data.remove_prefix(n);
  }
  if (durable && !FlushFileBuffers(h)) return fail("flush");
  CloseHandle(h);
  h = INVALID_HANDLE_VALUE;
  if (Status moved = MoveRetrying(tmp, path, true); !moved) {
    DeleteFileW(FsPath(tmp).c_str());
    return moved;
  }
  return Ok();
}

Status WriteFilesAtomic(const std::vector<FileWrite>& files, mode_t mode, bool durable) {
  // Each file as WriteFileAtomic writes it: its rename is written through (MoveRetrying), so
  // there is no directory flush to share.
  for (const FileWrite& f : files) TRY(WriteFileAtomic(f.path, f.data, mode, durable));
  return Ok();
}

Status MoveRetrying(const std::string& from, const std::string& to, bool replace) {
  // MOVEFILE_WRITE_THROUGH returns once the rename is on the disk.
  DWORD flags = MOVEFILE_WRITE_THROUGH | (replace ? MOVEFILE_REPLACE_EXISTING : 0);
  for (int attempt = 0;; ++attempt) {
    if (MoveFileExW(FsPath(from).c_str(), FsPath(to).c_str(), flags)) return Ok();
    DWORD error = GetLastError();
    if (attempt >= 100 || (error != ERROR_ACCESS_DENIED && error != ERROR_SHARING_VIOLATION))
      return tl::unexpected(Win32Error("move \"" + from + "\" to \"" + to + "\"", error));
    Sleep(20);
  }
}

Status MkdirAll(const std::string& path, mode_t) {
  if (path.empty()) return Err(ErrorCode::kInvalidArgument, "mkdir: empty path");
  std::error_code ec;
  std::filesystem::create_directories(FsPath(path), ec);
  if (IsDir(path)) return Ok();
  if (!ec && Exists(path))
    return Err(ErrorCode::kFailedPrecondition, "\"{}\" is not a directory", path);
  return Err(ErrorCode::kInternal, "create \"{}\": {}", path,
             ec ? ec.message() : std::string("failed"));
}

Status RemoveFile(const std::string& path) {
  if (DeleteFileW(FsPath(path).c_str())) return Ok();
  DWORD error = GetLastError();
  if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) return Ok();
  return tl::unexpected(Win32Error("remove \"" + path + "\"", error));
}

Result<size_t> ReadSome(int fd, char* buf, size_t size) {
  for (;;) {
    int n = ::_read(fd, buf, static_cast<unsigned>(std::min<size_t>(size, 1 << 30)));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return SysErr("read");
  }
}

bool IsOpenAt(int fd, const std::string& path) {
  // The volume and the file index identify a file, as st_dev and st_ino do on Linux (MinGW's
  // stat has no inode).
  auto open_file = reinterpret_cast<HANDLE>(::_get_osfhandle(fd));
  BY_HANDLE_FILE_INFORMATION a, b;
  if (open_file == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(open_file, &a)) return false;
  HANDLE named =
      CreateFileW(FsPath(path).c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                  nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (named == INVALID_HANDLE_VALUE) return false;
  bool got = GetFileInformationByHandle(named, &b);
  CloseHandle(named);
  return got && a.dwVolumeSerialNumber == b.dwVolumeSerialNumber &&
         a.nFileIndexHigh == b.nFileIndexHigh && a.nFileIndexLow == b.nFileIndexLow;
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(FsPath(path), ec);
}

bool IsDir(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(FsPath(path), ec);
}

Result<std::vector<std::string>> ListDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::directory_iterator it(FsPath(path), ec);
  if (ec) return SysErrN(ENOENT, "opendir \"{}\"", path);
  std::vector<std::string> out;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return SysErrN(EIO, "readdir \"{}\"", path);
    std::u8string name = it->path().filename().u8string();
    out.emplace_back(name.begin(), name.end());
  }
  return out;
}

Result<std::vector<std::string>> ListSubdirs(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(path));
  std::vector<std::string> out;
  for (std::string& n : names) {
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::symlink_status(FsPath(path + "\\" + n), ec)))
      out.push_back(std::move(n));
  }
  return out;
}

Result<std::string> MakeTempDir(std::string_view prefix) {
  // %TMP% as GetTempPathW gives it (with its trailing `\`), the prefix, six random characters
  // from mkdtemp's alphabet; a name that exists is tried again with others.
  wchar_t buf[MAX_PATH + 1];
  DWORD n = GetTempPathW(MAX_PATH + 1, buf);
  if (n == 0 || n > MAX_PATH)
    return Err(ErrorCode::kInternal, "the temporary directory: error {}", GetLastError());
  std::filesystem::path base(std::wstring(buf, n));
  for (int attempt = 0; attempt < 100; attempt++) {
    std::filesystem::path dir = base / FsPath(RandomName(prefix));
    if (CreateDirectoryW(dir.c_str(), nullptr)) {
      std::u8string u8 = dir.u8string();
      return std::string(u8.begin(), u8.end());
    }
    if (DWORD err = GetLastError(); err != ERROR_ALREADY_EXISTS) {
      std::u8string u8 = dir.u8string();
      return Err(ErrorCode::kInternal, "create \"{}\": error {}", std::string(u8.begin(), u8.end()),
                 err);
    }
  }
  return Err(ErrorCode::kInternal, "no free temporary directory name for \"{}\"", prefix);
}

}  // namespace hp::sys
