// hp/sys: thin file-system wrappers returning Result. EINTR is retried, every fd is O_CLOEXEC,
// every error names the path it concerned.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::sys {

Result<UniqueFd> Open(const std::string& path, int flags, mode_t mode = 0);
Result<std::string> ReadFile(const std::string& path);
Result<std::string> ReadFd(int fd);
// Read at most `limit` + 1 bytes and stop: a result longer than `limit` means the input is
// larger (and nothing more of it was read), so an endless input (a pipe, /dev/zero) costs
// `limit` bytes and returns at once.
Result<std::string> ReadFdUpTo(int fd, size_t limit);
Result<std::string> ReadFileUpTo(const std::string& path, size_t limit);
// Reads what is there, up to `size` bytes, into `buf`: how many (0 at the end of the file).
Result<size_t> ReadSome(int fd, char* buf, size_t size);
// Whether the file open as `fd` is the one `path` names now: false when `path` names none or
// another one (a log file rotated away under its reader).
bool IsOpenAt(int fd, const std::string& path);
Status WriteAll(int fd, std::string_view data);
// The separator of the platform's paths: a backslash on Windows, which every API takes and every
// message there shows.
#ifdef _WIN32
inline constexpr char kPathSeparator = '\\';
#else
inline constexpr char kPathSeparator = '/';
#endif

// Writes `path` through a temp file in the same directory and rename(2). `fsync`: durable —
// the temp file is fsynced before the rename and the directory after it, so that after a
// power cut `path` holds the old or the new content, and the new one once this returned.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644,
                       bool fsync = false);
// One file of WriteFilesAtomic: `data` is read during the call only.
struct FileWrite {
  std::string path;
  std::string_view data;
};
// Writes several files, each as WriteFileAtomic writes one (all of one file or none of it), in
// order. `fsync`: each file's data is durable before its rename, and each directory once after
// all the renames, before this returns: n durable files in one directory wait for n + 1
// flushes, not 2n. On an error the files renamed so far stay written.
Status WriteFilesAtomic(const std::vector<FileWrite>& files, mode_t mode = 0644,
                        bool fsync = false);
// Removes from `dir` the temp files WriteFileAtomic leaves when it is killed before its rename
// ("<name>.tmp-XXXXXX"): those of the file `name`, or of every file when `name` is empty. For a
// caller that knows no write of them runs now (it holds the lock their writers take). A missing
// `dir`, or a file gone meanwhile, is no error.
Status RemoveAtomicWriteTemps(const std::string& dir, std::string_view name = {});
// Test seam: called with "write", "fsync", "rename", "fsync dir" before each step of
// WriteFileAtomic and WriteFilesAtomic (null: none).
using AtomicWriteHook = void (*)(const char* step);
void SetAtomicWriteHookForTesting(AtomicWriteHook hook);
// Writes without rename (cgroup files, /proc files).
Status WriteFile(const std::string& path, std::string_view data);
// Creates `path` and its missing parents (`mode` on Linux; Windows gives new directories the
// ACL they inherit).
Status MkdirAll(const std::string& path, mode_t mode = 0755);
// Removes the file `path`; one that is not there is no error.
Status RemoveFile(const std::string& path);
// Removes a tree without following symlinks and without crossing mount points.
Status RemoveAll(const std::string& path);
// The same for `name` in the directory `dirfd`, on the directory's file system.
Status RemoveAllAt(int dirfd, const std::string& name);
bool Exists(const std::string& path);
bool IsDir(const std::string& path);
Result<std::vector<std::string>> ListDir(const std::string& path);
// The entries of `path` that are directories (not symlinks to one), from the entry types the
// directory listing gives, without a stat per entry where the file system provides them.
Result<std::vector<std::string>> ListSubdirs(const std::string& path);
// A fresh directory under $TMPDIR (or /tmp): `prefix` + random suffix.
Result<std::string> MakeTempDir(std::string_view prefix);

}  // namespace hp::sys
