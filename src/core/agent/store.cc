#include "core/agent/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "core/agent/status.h"
#include "core/agent/supervisor.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::agent {

// A read(2) of a regular file returns less than asked only at its end, so a file that fits the
// buffer is one read, not a second one to see the end (`get pods` reads two files per pod;
// issue 16).
Result<std::string> ReadStateFile(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDONLY));
  char buf[16384];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return SysErr("read \"{}\"", path);
  std::string text(buf, static_cast<size_t>(n));
  if (static_cast<size_t>(n) < sizeof buf) return text;
  auto rest = sys::ReadFd(fd.get());
  if (!rest) return SysErrN(rest.error().sys_errno(), "read \"{}\"", path);
  return text + *rest;
}

Result<nlohmann::json> ParseJsonText(const std::string& path, std::string_view text) {
  try {
    return ParseJsonOrThrow(text);
  } catch (const std::exception& e) {
    return Err(ErrorCode::kInternal, "parse \"{}\": {}", path, e.what());
  }
}

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadStateFile(path));
  return ParseJsonText(path, text);
}

Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& value, bool durable) {
  return sys::WriteFileAtomic(path, value.dump(1) + "\n", 0644, durable);
}

Result<FileLock> LockFile(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return SysErr("flock \"{}\"", path);
  }
  return FileLock(std::move(fd));
}

Result<std::string> KernelBootId() {
  ASSIGN_OR_RETURN(std::string id, sys::ReadFile("/proc/sys/kernel/random/boot_id"));
  return std::string(TrimSpace(id));
}

Status Store::Init(std::string boot_id, const std::function<void(const std::string&)>& retire) {
  rebooted_ = false;
  kept_.clear();
  if (boot_id.empty()) {
    ASSIGN_OR_RETURN(boot_id, KernelBootId());
  }
  TRY(sys::MkdirAll(DesiredDir() + "/daemonsets", 0700));
  TRY(sys::MkdirAll(DesiredDir() + "/pods", 0700));
  TRY(sys::MkdirAll(LogsDir(), 0755));
  std::string id_path = RunDir() + "/boot_id";
  auto current = sys::ReadFile(id_path);
  if (current && std::string(TrimSpace(*current)) == boot_id) {
    return sys::MkdirAll(PodsRunDir(), 0700);
  }
  // run/boot_id is another boot's, or unreadable: a reboot, or a damaged file. It is only a
  // hint: each pod is judged by its own evidence, which a damaged boot_id cannot falsify. A pod
  // whose supervisor lives, or whose status says it started in this boot, is kept (the
  // reconcile recovers a dead one like any crashed supervisor); every other pod's leftovers are
  // handed to `retire` and its state removed. A first start (no run/) is no reboot.
  rebooted_ = sys::Exists(RunDir());
  if (sys::IsDir(PodsRunDir())) {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, ListPodKeys());
    for (const std::string& key : keys) {
      std::string dir = PodDir(key);
      auto st = ReadPodStatus(dir + "/" + kStatusFile);
      bool this_boot = st && !st->supervisor_boot.empty() && st->supervisor_boot == boot_id;
      if (this_boot || FindLiveSupervisor(dir, boot_id)) {
        kept_.push_back(key);
        continue;
      }
      if (retire) retire(key);
      TRY_CTX(sys::RemoveAll(dir), "clear stale \"{}\"", dir);
    }
  }
  TRY(sys::MkdirAll(PodsRunDir(), 0700));
  return sys::WriteFileAtomic(id_path, boot_id + "\n", 0644, true);
}

Result<bool> Store::IsCurrentBoot(std::string boot_id) const {
  if (boot_id.empty()) {
    ASSIGN_OR_RETURN(boot_id, KernelBootId());
  }
  auto current = sys::ReadFile(RunDir() + "/boot_id");
  return current && std::string(TrimSpace(*current)) == boot_id && sys::IsDir(PodsRunDir());
}

Result<FileLock> Store::Lock() const { return LockFile(root_ + "/lock"); }

Status Store::PutDesired(const std::string& kind, const std::string& key, const nlohmann::json& v) {
  TRY(sys::MkdirAll(DesiredDir() + "/" + kind, 0700));
  // Durable: "a reboot restores what was applied" must hold after a power cut too.
  return WriteJsonFileAtomic(DesiredDir() + "/" + kind + "/" + key + ".json", v, true);
}

namespace {
// A desired file is {"object": {"metadata": {"name": ...}, ...}, ...}: anything else was
// damaged (verbs rely on that shape).
Result<nlohmann::json> ReadDesired(const std::string& path) {
  ASSIGN_OR_RETURN(nlohmann::json v, ReadJsonFile(path));
  auto obj = v.is_object() ? v.find("object") : v.end();
  bool ok = obj != v.end() && obj->is_object() && obj->contains("metadata") &&
            (*obj)["metadata"].is_object() && (*obj)["metadata"].contains("name") &&
            (*obj)["metadata"]["name"].is_string();
  if (!ok) return Err(ErrorCode::kInvalidArgument, "\"{}\": not a stored object", path);
  return v;
}
}  // namespace

Result<std::optional<nlohmann::json>> Store::GetDesired(const std::string& kind,
                                                        const std::string& key) const {
  std::string path = DesiredDir() + "/" + kind + "/" + key + ".json";
  if (!sys::Exists(path)) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(nlohmann::json v, ReadDesired(path));
  return std::optional<nlohmann::json>(std::move(v));
}

Result<std::vector<nlohmann::json>> Store::ListDesired(const std::string& kind,
                                                       std::vector<Unreadable>* bad) const {
  std::string dir = DesiredDir() + "/" + kind;
  std::vector<nlohmann::json> out;
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ListDesiredKeys(kind));
  for (const std::string& key : keys) {
    auto v = ReadDesired(dir + "/" + key + ".json");
    if (!v) {
      if (v.error().code() == ErrorCode::kNotFound) continue;  // deleted meanwhile
      // One damaged object never hides the others: it is skipped, and told.
      if (bad) bad->push_back({kind, key, v.error().ToString()});
      continue;
    }
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::vector<std::string>> Store::ListDesiredKeys(const std::string& kind) const {
  std::string dir = DesiredDir() + "/" + kind;
  std::vector<std::string> keys;
  if (!sys::IsDir(dir)) return keys;
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (EndsWith(n, ".json")) keys.push_back(n.substr(0, n.size() - 5));
  }
  return keys;
}

Status Store::DeleteDesired(const std::string& kind, const std::string& key) {
  std::string path = DesiredDir() + "/" + kind + "/" + key + ".json";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return SysErr("unlink \"{}\"", path);
  return Ok();
}

Status Store::RemoveStaleTempFiles() {
  std::vector<std::string> dirs{DesiredDir()};
  ASSIGN_OR_RETURN(std::vector<std::string> kinds, sys::ListSubdirs(DesiredDir()));
  for (const auto& k : kinds) dirs.push_back(DesiredDir() + "/" + k);
  if (sys::IsDir(DaemonSetEventsDir())) dirs.push_back(DaemonSetEventsDir());
  for (const std::string& dir : dirs) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
    for (const auto& n : names) {
      if (n.find(".tmp-") == std::string::npos) continue;
      std::string path = dir + "/" + n;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return SysErr("unlink \"{}\"", path);
    }
  }
  return Ok();
}

Result<std::vector<std::string>> Store::ListPodKeys() const {
  std::vector<std::string> out;
  if (!sys::IsDir(PodsRunDir())) return out;
  ASSIGN_OR_RETURN(out, sys::ListSubdirs(PodsRunDir()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hp::agent
