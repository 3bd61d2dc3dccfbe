#include "core/sandbox/container.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/base/strings.h"
#include "core/sys/below.h"
#include "core/sys/file.h"
#include "core/sys/owner.h"

namespace hp::sandbox {
namespace {

// Creates `dir` with `mode` when missing; an existing one of root's gets `mode`.
Status EnsureMode(const std::string& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) < 0 && errno != EEXIST) return SysErr("mkdir \"{}\"", dir);
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return SysErr("stat \"{}\"", dir);
  if (st.st_uid == 0 && (st.st_mode & 07777) != mode && ::fchmod(fd.get(), mode) < 0)
    return SysErr("chmod \"{}\"", dir);
  return Ok();
}

bool CanSearch(const struct stat& st, uid_t uid, const std::vector<gid_t>& gids) {
  if (uid == 0) return true;
  if (st.st_uid == uid) return st.st_mode & S_IXUSR;
  if (std::find(gids.begin(), gids.end(), st.st_gid) != gids.end()) return st.st_mode & S_IXGRP;
  return st.st_mode & S_IXOTH;
}

}  // namespace

Status PrepareStateRoot(const std::string& root) {
  std::string clean = plan::CleanPath(root);
  TRY(sys::CheckStateRoot(clean));
  if (!sys::IsDir(clean)) {
    size_t slash = clean.rfind('/');
    if (slash != std::string::npos && slash > 0) TRY(sys::MkdirAll(clean.substr(0, slash), 0755));
    if (::mkdir(clean.c_str(), 0711) < 0 && errno != EEXIST) return SysErr("mkdir \"{}\"", clean);
  }
  TRY(EnsureMode(clean, 0711));
  TRY(EnsureMode(clean + "/sandboxes", 0711));
  for (const char* d : {"containers", "pods", "logs"}) TRY(EnsureMode(clean + "/" + d, 0700));
  return Ok();
}

Status OwnSandbox(const std::string& sandbox, uid_t uid, gid_t gid) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(sandbox, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  if (::fchown(fd.get(), uid, gid) < 0) return SysErr("chown \"{}\"", sandbox);
  if (::fchmod(fd.get(), 0700) < 0) return SysErr("chmod \"{}\"", sandbox);
  return Ok();
}

Status CheckReachable(const std::string& dir, uid_t uid, const std::vector<gid_t>& gids) {
  std::string path = plan::CleanPath(dir);
  std::string cur;
  for (const std::string& part : Split(path, '/')) {
    if (part.empty()) continue;
    cur += "/" + part;
    struct stat st;
    if (::stat(cur.c_str(), &st) < 0) return SysErr("stat \"{}\"", cur);
    if (S_ISDIR(st.st_mode) && !CanSearch(st, uid, gids)) {
      return Err(ErrorCode::kPermissionDenied,
                 "uid {} cannot reach \"{}\": \"{}\" (owner {}, mode {:04o}) is not searchable by "
                 "it; use a state root whose parent directories others can search (e.g. "
                 "/var/lib/hostprocess, the default)",
                 uid, path, cur, st.st_uid, st.st_mode & 07777);
    }
  }
  return Ok();
}

Result<std::string> MakeDirInSandbox(const std::string& sandbox, const std::string& rel,
                                     std::optional<uid_t> uid, std::optional<gid_t> gid) {
  ASSIGN_OR_RETURN(UniqueFd root, sys::Open(sandbox, O_PATH | O_DIRECTORY));
  sys::CreateOptions create;
  create.uid = uid;
  create.gid = gid;
  std::string what = sandbox + (StartsWith(rel, "/") ? rel.substr(1) : rel);
  ASSIGN_OR_RETURN(UniqueFd fd, sys::CreateBelow(root.get(), rel, what, create));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return SysErr("stat \"{}\"", what);
  if (!S_ISDIR(st.st_mode))
    return Err(ErrorCode::kFailedPrecondition, "\"{}\" is not a directory", what);
  return sys::FdRealPath(fd.get());
}

Result<std::string> PrepareWorkingDir(const plan::WorkingDir& wd, const std::string& sandbox,
                                      uid_t uid, gid_t gid) {
  if (!wd.in_sandbox) return wd.path;
  std::string base = plan::CleanPath(sandbox);
  std::string path = plan::CleanPath(wd.path);
  std::string rel = path.size() > base.size() ? path.substr(base.size() + 1) : std::string();
  if (wd.create) return MakeDirInSandbox(sandbox, rel, uid, gid);
  ASSIGN_OR_RETURN(UniqueFd root, sys::Open(sandbox, O_PATH | O_DIRECTORY));
  ASSIGN_OR_RETURN(UniqueFd fd, sys::OpenBelow(root.get(), rel, O_PATH | O_DIRECTORY, wd.path));
  return sys::FdRealPath(fd.get());
}

}  // namespace hp::sandbox
