#include "core/agent/store.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>

#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::agent {

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, sys::ReadFile(path));
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return Err(ErrorCode::kInternal, "parse \"{}\": {}", path, e.what());
  }
}

Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& value) {
  return sys::WriteFileAtomic(path, value.dump(1) + "\n");
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

Status Store::Init(std::string boot_id) {
  rebooted_ = false;
  if (boot_id.empty()) {
    ASSIGN_OR_RETURN(boot_id, KernelBootId());
  }
  TRY(sys::MkdirAll(DesiredDir() + "/daemonsets", 0700));
  TRY(sys::MkdirAll(DesiredDir() + "/pods", 0700));
  TRY(sys::MkdirAll(LogsDir(), 0755));
  std::string id_path = RunDir() + "/boot_id";
  auto current = sys::ReadFile(id_path);
  if (!current || std::string(TrimSpace(*current)) != boot_id) {
    rebooted_ = current.has_value();  // a first start is no reboot
    if (sys::Exists(RunDir())) TRY_CTX(sys::RemoveAll(RunDir()), "clear stale \"{}\"", RunDir());
    TRY(sys::MkdirAll(PodsRunDir(), 0700));
    TRY(sys::WriteFileAtomic(id_path, boot_id + "\n"));
  } else {
    TRY(sys::MkdirAll(PodsRunDir(), 0700));
  }
  return Ok();
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
  return WriteJsonFileAtomic(DesiredDir() + "/" + kind + "/" + key + ".json", v);
}

Result<std::optional<nlohmann::json>> Store::GetDesired(const std::string& kind,
                                                        const std::string& key) const {
  std::string path = DesiredDir() + "/" + kind + "/" + key + ".json";
  if (!sys::Exists(path)) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(nlohmann::json v, ReadJsonFile(path));
  return std::optional<nlohmann::json>(std::move(v));
}

Result<std::vector<nlohmann::json>> Store::ListDesired(const std::string& kind) const {
  std::string dir = DesiredDir() + "/" + kind;
  std::vector<nlohmann::json> out;
  if (!sys::IsDir(dir)) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (!EndsWith(n, ".json")) continue;
    auto v = ReadJsonFile(dir + "/" + n);
    if (!v) {
      if (v.error().code() == ErrorCode::kNotFound) continue;  // deleted meanwhile
      return Err(std::move(v).error());
    }
    out.push_back(std::move(*v));
  }
  return out;
}

Status Store::DeleteDesired(const std::string& kind, const std::string& key) {
  std::string path = DesiredDir() + "/" + kind + "/" + key + ".json";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return SysErr("unlink \"{}\"", path);
  return Ok();
}

Result<std::vector<std::string>> Store::ListPodKeys() const {
  std::vector<std::string> out;
  if (!sys::IsDir(PodsRunDir())) return out;
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(PodsRunDir()));
  for (auto& n : names)
    if (sys::IsDir(PodsRunDir() + "/" + n)) out.push_back(std::move(n));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hp::agent
