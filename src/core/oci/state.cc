#include "core/oci/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/sys/file.h"
#include "core/sys/owner.h"
#include "core/sys/random.h"

namespace hp::oci {

using nlohmann::json;

namespace {

json EncodeHooks(const std::vector<Hook>& hooks) {
  json out = json::array();
  for (const Hook& h : hooks) {
    json j = {{"path", h.path}, {"args", h.args}, {"env", h.env}};
    if (h.timeout) j["timeout"] = *h.timeout;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string EncodeState(const ContainerState& s) {
  json j = {{"id", s.id},
            {"bundle", s.bundle},
            {"rootfs", s.rootfs},
            {"created", s.created},
            {"owner", s.owner},
            {"init_process_pid", s.init_pid},
            {"init_process_start", s.init_start_time},
            {"cgroup_path", s.cgroup_path},
            {"systemd_cgroup", s.systemd_cgroup},
            {"annotations", s.annotations},
            {"mounts", s.mounts},
            {"started", s.started}};
  if (s.config) {
    j["config"] = {{"ociVersion", s.config->oci_version},
                   {"startContainer", EncodeHooks(s.config->start_container)},
                   {"poststart", EncodeHooks(s.config->poststart)},
                   {"poststop", EncodeHooks(s.config->poststop)},
                   {"seccomp", s.config->seccomp}};
  }
  return j.dump(2) + "\n";
}

Result<ContainerState> DecodeState(std::string_view text) {
  try {
    json j = ParseJsonOrThrow(text);
    ContainerState s;
    s.id = j.at("id").get<std::string>();
    s.bundle = j.value("bundle", "");
    s.rootfs = j.value("rootfs", "");
    s.created = j.value("created", "");
    s.owner = j.value("owner", "");
    s.init_pid = j.value("init_process_pid", 0);
    s.init_start_time = j.value("init_process_start", uint64_t{0});
    s.cgroup_path = j.value("cgroup_path", "");
    s.systemd_cgroup = j.value("systemd_cgroup", false);
    s.annotations = j.value("annotations", std::map<std::string, std::string>{});
    s.mounts = j.value("mounts", std::vector<std::string>{});
    s.started = j.value("started", false);
    if (auto c = j.find("config"); c != j.end()) {
      CreatedConfig config;
      config.oci_version = c->value("ociVersion", "");
      // The kept hooks sit under config.json's own names: decoded (and checked) as its hooks.
      ASSIGN_OR_RETURN_CTX(Hooks hooks, DecodeHooksValue(*c), "decode state: config");
      config.start_container = std::move(hooks.start_container);
      config.poststart = std::move(hooks.poststart);
      config.poststop = std::move(hooks.poststop);
      config.seccomp = c->value("seccomp", false);
      s.config = std::move(config);
    }
    return s;
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInternal, "decode state: {}", e.what());
  }
}

Status ValidateId(std::string_view id) {
  auto ok_first = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  auto ok = [&](char c) { return ok_first(c) || c == '_' || c == '+' || c == '-' || c == '.'; };
  if (id.empty() || id.size() > 1024 || !ok_first(id[0]) ||
      !std::all_of(id.begin(), id.end(), ok) || id == "." || id == "..")
    return Err(ErrorCode::kInvalidArgument, "invalid container id format: {}", id);
  return Ok();
}

namespace {

// A POSIX record lock (F_SETLKW) on <dir>/.lock. Unlike flock and OFD locks it belongs to the
// process, not to the open file: a child forked while we hold it (the container's init waiting
// on exec.fifo) does not keep the container locked.
Result<UniqueFd> OpenAndLock(const std::string& dir, bool block, bool create) {
  std::string path = dir + "/.lock";
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | (create ? O_CREAT : 0), 0600));
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int rc;
  do {
    rc = ::fcntl(fd.get(), block ? F_SETLKW : F_SETLK, &fl);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return SysErr("lock \"{}\"", path);
  return fd;
}

// After the lock is taken the directory may have been removed (a concurrent delete): the lock
// is only good if the path still names the locked file.
bool StillThere(int fd, const std::string& dir) {
  struct stat a, b;
  std::string path = dir + "/.lock";
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

constexpr std::string_view kNewPrefix = ".new-";

// The directories of creates killed between making theirs and publishing it: unlocked, so no
// live create owns them.
void RemoveAbandonedNewDirs(const std::string& root) {
  auto entries = sys::ListDir(root);
  if (!entries) return;
  for (const std::string& e : *entries) {
    if (e.rfind(kNewPrefix, 0) != 0) continue;
    std::string dir = root + "/" + e;
    auto lock = OpenAndLock(dir, false, false);
    // No lock file: one killed before it made it, unless its create is at it right now (a
    // directory made more than 10 s ago is not).
    struct stat st;
    bool lockless = !lock && lock.error().sys_errno() == ENOENT && ::stat(dir.c_str(), &st) == 0 &&
                    st.st_mtime + 10 < ::time(nullptr);
    if (lock || lockless) (void)sys::RemoveAll(dir);
  }
}

}  // namespace

Result<ContainerLock> StateStore::CreateAndLock(const std::string& id) {
  TRY(ValidateId(id));
  TRY(sys::CheckStateRoot(root_));
  TRY(sys::MkdirAll(root_, 0711));
  RemoveAbandonedNewDirs(root_);
  std::string dir = Dir(id);
  for (int attempt = 0; attempt < 3; ++attempt) {
    // A new container's directory appears with its lock taken: it is made under a temporary
    // name, locked, and renamed into place. Made and then locked in place, another create of the
    // same id could find it in between, take it for a crashed create's leftover and make its
    // container there, which this create then tore down as stale (two creates at once: one said
    // it had made the container, and none was left).
    unsigned char random[8];
    sys::RandomBytes(random, sizeof random);
    std::string fresh = root_ + "/" + std::string(kNewPrefix);
    for (unsigned char b : random) fresh += fmt::format("{:02x}", b);
    if (::mkdir(fresh.c_str(), 0711) < 0) return SysErr("mkdir \"{}\"", fresh);
    auto mine = OpenAndLock(fresh, false, true);
    if (!mine) {
      (void)sys::RemoveAll(fresh);
      if (mine.error().sys_errno() == ENOENT) continue;  // removed meanwhile (no lock yet)
      return Err(std::move(mine).error());
    }
    if (::rename(fresh.c_str(), dir.c_str()) == 0) return ContainerLock(std::move(*mine));
    int renamed = errno;
    (void)sys::RemoveAll(fresh);
    if (renamed == ENOENT) continue;  // removed meanwhile
    if (renamed != EEXIST && renamed != ENOTEMPTY)
      return SysErrN(renamed, "rename \"{}\" to \"{}\"", fresh, dir);
    // Exists: a live container, a create in progress, or the leftover of a crashed create.
    auto fd = OpenAndLock(dir, false, true);
    if (!fd) {
      if (fd.error().sys_errno() == EAGAIN || fd.error().sys_errno() == EACCES ||
          sys::Exists(StatePath(id)))
        return Err(ErrorCode::kAlreadyExists, "container with id exists: {}", id);
      continue;  // removed meanwhile
    }
    if (!StillThere(fd->get(), dir)) continue;
    if (sys::Exists(StatePath(id)))
      return Err(ErrorCode::kAlreadyExists, "container with id exists: {}", id);
    // Stale: keep the directory (we hold its lock) and clear what a crashed create left; its
    // intent log stays for the caller to undo what that create did.
    ASSIGN_OR_RETURN(auto entries, sys::ListDir(dir));
    for (const auto& e : entries)
      if (e != ".lock" && e != "intent.json") TRY(sys::RemoveAll(dir + "/" + e));
    return ContainerLock(std::move(*fd));
  }
  return Err(ErrorCode::kUnavailable, "container {}: state directory keeps changing", Quote(id));
}

Result<ContainerLock> StateStore::Lock(const std::string& id) {
  if (!ValidateId(id)) return Err(ErrorCode::kNotFound, "container does not exist");
  std::string dir = Dir(id);
  auto fd = OpenAndLock(dir, true, false);
  if (!fd) {
    if (fd.error().sys_errno() == ENOENT || fd.error().sys_errno() == ENOTDIR)
      return Err(ErrorCode::kNotFound, "container does not exist");
    return Err(std::move(fd).error());
  }
  if (!StillThere(fd->get(), dir)) return Err(ErrorCode::kNotFound, "container does not exist");
  return ContainerLock(std::move(*fd));
}

Result<ContainerState> StateStore::Load(const std::string& id) const {
  auto text = sys::ReadFile(StatePath(id));
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return Err(ErrorCode::kNotFound, "container does not exist");
    return Err(std::move(text).error());
  }
  auto s = DecodeState(*text);
  if (!s) return Err(std::move(s).error().Context(fmt::format("\"{}\"", StatePath(id))));
  return s;
}

Status StateStore::Save(const ContainerState& s) const {
  return sys::WriteFileAtomic(StatePath(s.id), EncodeState(s), 0600, true);
}

Result<ContainerState> StateStore::LoadIntent(const std::string& id) const {
  ASSIGN_OR_RETURN(std::string text, sys::ReadFile(IntentPath(id)));
  auto s = DecodeState(text);
  if (!s) return Err(std::move(s).error().Context(fmt::format("\"{}\"", IntentPath(id))));
  return s;
}

Status StateStore::SaveIntent(const ContainerState& s) const {
  // No fsync: the intent guards against a killed process, whose writes the kernel keeps.
  return sys::WriteFileAtomic(IntentPath(s.id), EncodeState(s), 0600, false);
}

Status StateStore::Remove(const std::string& id) const { return sys::RemoveAll(Dir(id)); }

Result<std::vector<std::string>> StateStore::List() const {
  std::vector<std::string> ids;
  if (!sys::IsDir(root_)) return ids;
  ASSIGN_OR_RETURN(auto entries, sys::ListDir(root_));
  for (auto& e : entries)
    if (sys::Exists(StatePath(e))) ids.push_back(e);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace hp::oci
