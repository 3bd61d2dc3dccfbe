#include "core/sys/owner.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/sys/below.h"

namespace hp::sys {
namespace {

constexpr const char* kUse =
    "use a state root that only root can change (e.g. /var/lib/hostprocess, the default)";

// "/a/b/c" → {"/", "/a", "/a/b", "/a/b/c"}; a relative path is taken from the working
// directory.
Result<std::vector<std::string>> Prefixes(const std::string& path) {
  if (!path.empty() && path[0] == '/') return PathPrefixes(path);
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return SysErr("getcwd");
  return PathPrefixes(std::string(cwd) + "/" + path);
}

bool Trusted(uid_t owner) { return owner == 0 || owner == ::geteuid(); }

}  // namespace

Status CheckStateRoot(const std::string& root) {
  ASSIGN_OR_RETURN(std::vector<std::string> written, Prefixes(root));
  std::string existing = "/";  // the longest prefix that exists
  for (const std::string& p : written) {
    struct stat st;
    if (::lstat(p.c_str(), &st) < 0) {
      if (errno == ENOENT) break;
      return SysErr("state root \"{}\": stat \"{}\"", root, p);
    }
    if (S_ISLNK(st.st_mode) && !Trusted(st.st_uid)) {
      return Err(ErrorCode::kPermissionDenied,
                 "state root \"{}\": \"{}\" is a symlink owned by uid {}: {}", root, p, st.st_uid,
                 kUse);
    }
    existing = p;
  }
  char buf[PATH_MAX];
  if (!::realpath(existing.c_str(), buf)) return SysErr("state root \"{}\": resolve", root);
  ASSIGN_OR_RETURN(std::vector<std::string> resolved, Prefixes(buf));
  bool root_exists = existing == written.back();
  for (size_t i = 0; i < resolved.size(); ++i) {
    const std::string& p = resolved[i];
    struct stat st;
    if (::stat(p.c_str(), &st) < 0) return SysErr("state root \"{}\": stat \"{}\"", root, p);
    bool is_root = root_exists && i + 1 == resolved.size();
    const char* problem = nullptr;
    if (!S_ISDIR(st.st_mode)) {
      problem = "is not a directory";
    } else if (!Trusted(st.st_uid)) {
      problem = "is owned by another user";
    } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (is_root || !(st.st_mode & S_ISVTX))) {
      problem = "is writable by other users";
    }
    if (problem) {
      return Err(ErrorCode::kPermissionDenied,
                 "state root \"{}\": \"{}\" (owner {}, mode {:04o}) {}: {}", root, p, st.st_uid,
                 st.st_mode & 07777, problem, kUse);
    }
  }
  return Ok();
}

}  // namespace hp::sys
