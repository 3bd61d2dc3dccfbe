#include "core/sys/below.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include "core/base/strings.h"

namespace hp::sys {
namespace {

constexpr int kMaxLinks = 40;  // the kernel's MAXSYMLINKS

std::deque<std::string> Components(std::string_view path) {
  std::deque<std::string> out;
  for (std::string& p : Split(path, '/')) {
    if (!p.empty() && p != ".") out.push_back(std::move(p));
  }
  return out;
}

// openat2; -1 with errno ENOSYS where the kernel has none.
int OpenAt2(int root, const std::string& rel, int flags, const BelowOptions& opts) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_NO_MAGICLINKS |
                (opts.resolve == Resolve::kInRoot ? RESOLVE_IN_ROOT : RESOLVE_BENEATH) |
                (opts.same_mount ? RESOLVE_NO_XDEV : 0);
  long fd;
  int tries = 0;
  do {
    fd = ::syscall(SYS_openat2, root, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 64)));
  return static_cast<int>(fd);
}

// Creates `name` in the directory `dir` (a directory, or an empty file) owned as asked.
int CreateIn(int dir, const std::string& name, bool file, const CreateOptions& create) {
  if (file) {
    UniqueFd fd(::openat(dir, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                         create.file_mode));
    if (!fd) return -1;
    if ((create.uid || create.gid) &&
        ::fchown(fd.get(), create.uid.value_or(-1), create.gid.value_or(-1)) < 0)
      return -1;
    return 0;
  }
  if (::mkdirat(dir, name.c_str(), create.dir_mode) < 0) return -1;
  if (!create.uid && !create.gid) return 0;
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd || ::fchown(fd.get(), create.uid.value_or(-1), create.gid.value_or(-1)) < 0) return -1;
  return 0;
}

// The same resolution without openat2: one component at a time, O_NOFOLLOW, symlinks read and
// spliced into the rest of the path, a stack of directory fds for "..". With `create`, a missing
// component is created in its resolved parent (through a dangling symlink too, at the place
// the link names inside the root, as runc's securejoin + MkdirAll does).
int Walk(int root, std::string_view rel, int flags, const BelowOptions& opts,
         const CreateOptions* create = nullptr, int* created = nullptr) {
  struct stat root_st;
  if (::fstat(root, &root_st) < 0) return -1;
  std::vector<UniqueFd> dirs;
  dirs.emplace_back(::fcntl(root, F_DUPFD_CLOEXEC, 3));
  if (!dirs.back()) return -1;
  std::deque<std::string> todo = Components(rel);
  int links = 0;
  UniqueFd last_fd;    // O_PATH fd of the final component
  bool at_dir = true;  // the result is the top of `dirs`
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {
      if (dirs.size() > 1) {
        dirs.pop_back();
      } else if (opts.resolve == Resolve::kBeneath) {
        errno = EXDEV;
        return -1;
      }
      continue;
    }
    const bool last = todo.empty();
    UniqueFd fd(::openat(dirs.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == ENOENT && create) {
      if (CreateIn(dirs.back().get(), name, last && create->file, *create) == 0) {
        if (created) ++*created;
      } else if (errno != EEXIST) {
        return -1;  // EEXIST: made meanwhile by someone else; opened below as it is
      }
      fd.reset(::openat(dirs.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!fd) return -1;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) return -1;
    if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
      if (++links > kMaxLinks) {
        errno = ELOOP;
        return -1;
      }
      char buf[4096];
      ssize_t n = ::readlinkat(fd.get(), "", buf, sizeof buf - 1);
      if (n < 0) return -1;
      std::string_view target(buf, static_cast<size_t>(n));
      if (!target.empty() && target[0] == '/') {
        if (opts.resolve == Resolve::kBeneath) {
          errno = EXDEV;
          return -1;
        }
        dirs.resize(1);
      }
      std::deque<std::string> parts = Components(target);
      todo.insert(todo.begin(), parts.begin(), parts.end());
      continue;
    }
    if (opts.same_mount && st.st_dev != root_st.st_dev) {
      errno = EXDEV;
      return -1;
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
      }
      dirs.push_back(std::move(fd));
      continue;
    }
    last_fd = std::move(fd);
    at_dir = false;
  }
  int base = at_dir ? dirs.back().get() : last_fd.get();
  struct stat st;
  if (::fstat(base, &st) < 0) return -1;
  if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  if ((flags & O_PATH) && !S_ISLNK(st.st_mode)) {
    return ::fcntl(base, F_DUPFD_CLOEXEC, 3);
  }
  // Re-open the resolved object with the wanted flags through its own descriptor: no name is
  // looked up again, so nothing can be swapped in between.
  return ::open(ProcFdPath(base).c_str(), (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

bool HaveOpenat2() {
  static const bool have = [] {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    long fd = ::syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
    if (fd >= 0) ::close(static_cast<int>(fd));
    return fd >= 0 || errno != ENOSYS;
  }();
  return have;
}

}  // namespace

std::string ProcFdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<std::string> FdRealPath(int fd) {
  char buf[4096];
  std::string link = ProcFdPath(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n < 0) return SysErr("readlink \"{}\"", link);
  if (static_cast<size_t>(n) == sizeof buf)
    return Err(ErrorCode::kInvalidArgument, "path of \"{}\" is too long", link);
  return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> PathPrefixes(std::string_view path) {
  std::vector<std::string> out{"/"};
  for (const std::string& p : Split(path, '/')) {
    if (!p.empty()) out.push_back(out.back() == "/" ? "/" + p : out.back() + "/" + p);
  }
  return out;
}

Result<UniqueFd> OpenBelow(int root, std::string_view rel, int flags, std::string_view what,
                           const BelowOptions& opts) {
  std::string clean(rel);
  while (!clean.empty() && clean[0] == '/') clean.erase(0, 1);
  int fd = (!opts.walk && HaveOpenat2()) ? OpenAt2(root, clean, flags, opts) : -1;
  if (fd < 0 && (opts.walk || errno == ENOSYS)) fd = Walk(root, clean, flags, opts);
  if (fd < 0) {
    if (errno == EXDEV)
      return SysErr("open \"{}\": the path leads out of its root directory", what);
    return SysErr("open \"{}\"", what);
  }
  return UniqueFd(fd);
}

Result<UniqueFd> CreateBelow(int root, std::string_view rel, std::string_view what,
                             const CreateOptions& create, const BelowOptions& opts, int* created) {
  if (created) *created = 0;
  // Always the walk: every creation is relative to a descriptor that the walk resolved.
  int fd = Walk(root, rel, O_PATH | (create.file ? 0 : O_DIRECTORY), opts, &create, created);
  if (fd < 0) {
    if (errno == EXDEV)
      return SysErr("create \"{}\": the path leads out of its root directory", what);
    return SysErr("create \"{}\"", what);
  }
  return UniqueFd(fd);
}

}  // namespace hp::sys
