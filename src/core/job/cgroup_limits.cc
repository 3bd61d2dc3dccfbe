// Writing limits into cgroup files (v1: memory/cpu/pids/blkio; v2: memory/cpu/pids/io).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "core/base/strings.h"
#include "core/job/cgroup_internal.h"
#include "core/sys/file.h"

namespace hp::job::internal {

std::vector<std::string> Node::Dirs() const {
  std::vector<std::string> out;
  if (!unified.empty()) out.push_back(unified);
  for (const auto& [c, d] : v1) {
    bool seen = false;
    for (const auto& o : out) seen |= (o == d);
    if (!seen) out.push_back(d);
  }
  return out;
}

std::string Node::DirFor(const CgroupFs& fs, const std::string& controller) const {
  auto it = v1.find(controller);
  if (it != v1.end()) return it->second;
  if (fs.kind == CgroupKind::kV2 && fs.has(controller)) return unified;
  return {};
}

Node Node::Child(const std::string& name) const {
  Node n;
  if (!unified.empty()) n.unified = unified + "/" + name;
  for (const auto& [c, d] : v1) n.v1[c] = d + "/" + name;
  return n;
}

Status WriteCg(const std::string& path, std::string_view value) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return SysErr("open \"{}\"", path);
  UniqueFd owned(fd);
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return SysErr("write \"{}\" to \"{}\"", value, path);
  return Ok();
}

Result<std::string> ReadCg(const std::string& path) { return sys::ReadFile(path); }

Result<uint64_t> ReadU64(const std::string& path) {
  ASSIGN_OR_RETURN(std::string s, ReadCg(path));
  std::string_view t = TrimSpace(s);
  if (t == "max") return UINT64_MAX;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || t.empty())
    return Err(ErrorCode::kInternal, "unexpected content \"{}\" in \"{}\"", t, path);
  return v;
}

Result<uint64_t> ReadKeyed(const std::string& path, std::string_view key) {
  ASSIGN_OR_RETURN(std::string s, ReadCg(path));
  for (const std::string& line : Split(s, '\n')) {
    auto sp = line.find(' ');
    if (sp == std::string::npos || std::string_view(line).substr(0, sp) != key) continue;
    std::string_view v = TrimSpace(std::string_view(line).substr(sp + 1));
    uint64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc())
      return Err(ErrorCode::kInternal, "unexpected \"{}\" line in \"{}\"", line, path);
    return out;
  }
  return Err(ErrorCode::kNotFound, "no \"{}\" in \"{}\"", key, path);
}

namespace {

Result<std::string> NeedDir(const CgroupFs& fs, const Node& node, const std::string& controller,
                            std::string_view limit) {
  std::string dir = node.DirFor(fs, controller);
  if (dir.empty())
    return Err(ErrorCode::kUnsupported,
               "{} limit requested but the cgroup {} controller is not available on this host "
               "(cgroup {} under \"{}\")",
               limit, controller, CgroupKindName(fs.kind), fs.root);
  return dir;
}

bool IsV2Dir(const CgroupFs& fs, const Node& node, const std::string& dir) {
  return fs.kind == CgroupKind::kV2 && dir == node.unified;
}

std::string MaxOr(uint64_t v) { return v ? std::to_string(v) : "max"; }

Status ApplyMemory(const CgroupFs& fs, const Node& node, int64_t bytes) {
  ASSIGN_OR_RETURN(std::string dir, NeedDir(fs, node, "memory", "memory"));
  if (IsV2Dir(fs, node, dir)) {
    TRY(WriteCg(dir + "/memory.max", bytes > 0 ? std::to_string(bytes) : "max"));
    // No swap beyond a limit, as v1's memsw below and kubelet's default (NoSwap): a limited job
    // on a node with swap is OOM-killed at its limit rather than swapped out. Absent without
    // swap accounting.
    if (sys::Exists(dir + "/memory.swap.max"))
      TRY(WriteCg(dir + "/memory.swap.max", bytes > 0 ? "0" : "max"));
    // One OOM kill takes the whole job down, never anything outside it.
    if (sys::Exists(dir + "/memory.oom.group")) TRY(WriteCg(dir + "/memory.oom.group", "1"));
    return Ok();
  }
  std::string v = bytes > 0 ? std::to_string(bytes) : "-1";
  std::string limit = dir + "/memory.limit_in_bytes";
  std::string memsw = dir + "/memory.memsw.limit_in_bytes";
  bool has_memsw = sys::Exists(memsw);
  // memsw must stay >= limit: raise memsw first when growing, limit first when shrinking.
  auto first = WriteCg(limit, v);
  if (first) {
    if (has_memsw) TRY(WriteCg(memsw, v));
    return Ok();
  }
  if (!has_memsw) return first;
  TRY(WriteCg(memsw, v));
  return WriteCg(limit, v);
}

Status ApplyCpuQuota(const CgroupFs& fs, const Node& node, int64_t milli) {
  ASSIGN_OR_RETURN(std::string dir, NeedDir(fs, node, "cpu", "CPU"));
  int64_t quota = MilliCpuToQuota(milli);
  if (IsV2Dir(fs, node, dir))
    return WriteCg(dir + "/cpu.max",
                   fmt::format("{} {}", quota > 0 ? std::to_string(quota) : "max", kCpuPeriodUs));
  TRY(WriteCg(dir + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)));
  return WriteCg(dir + "/cpu.cfs_quota_us", quota > 0 ? std::to_string(quota) : "-1");
}

Status ApplyCpuShares(const CgroupFs& fs, const Node& node, int64_t milli) {
  ASSIGN_OR_RETURN(std::string dir, NeedDir(fs, node, "cpu", "CPU request"));
  uint64_t shares = MilliCpuToShares(milli);
  if (IsV2Dir(fs, node, dir))
    return WriteCg(dir + "/cpu.weight", std::to_string(SharesToWeight(shares)));
  return WriteCg(dir + "/cpu.shares", std::to_string(shares));
}

Status ApplyPids(const CgroupFs& fs, const Node& node, int64_t max) {
  ASSIGN_OR_RETURN(std::string dir, NeedDir(fs, node, "pids", "pids"));
  return WriteCg(dir + "/pids.max", max > 0 ? std::to_string(max) : "max");
}

Status ApplyIo(const CgroupFs& fs, const Node& node, const std::vector<IoDeviceLimit>& io) {
  bool v2 = fs.kind == CgroupKind::kV2;
  ASSIGN_OR_RETURN(std::string dir, NeedDir(fs, node, v2 ? "io" : "blkio", "I/O"));
  for (const IoDeviceLimit& d : io) {
    std::string dev = fmt::format("{}:{}", d.major, d.minor);
    if (v2) {
      TRY(WriteCg(dir + "/io.max",
                  fmt::format("{} rbps={} wbps={} riops={} wiops={}", dev, MaxOr(d.rbps),
                              MaxOr(d.wbps), MaxOr(d.riops), MaxOr(d.wiops))));
      continue;
    }
    // v1: 0 removes a device's rule.
    TRY(WriteCg(dir + "/blkio.throttle.read_bps_device", fmt::format("{} {}", dev, d.rbps)));
    TRY(WriteCg(dir + "/blkio.throttle.write_bps_device", fmt::format("{} {}", dev, d.wbps)));
    TRY(WriteCg(dir + "/blkio.throttle.read_iops_device", fmt::format("{} {}", dev, d.riops)));
    TRY(WriteCg(dir + "/blkio.throttle.write_iops_device", fmt::format("{} {}", dev, d.wiops)));
  }
  return Ok();
}

}  // namespace

Status ApplyLimits(const CgroupFs& fs, const Node& node, const Limits& limits) {
  if (limits.io_total_iops || limits.io_total_bytes_per_second)
    return Err(ErrorCode::kUnsupported,
               "a whole-job I/O rate (Windows' storage QoS) has no cgroup equivalent: throttle "
               "per device with the hostprocess.io/io-bps-max and io-iops-max annotations");
  if (limits.memory_bytes) TRY(ApplyMemory(fs, node, *limits.memory_bytes));
  if (limits.cpu_limit_millis) TRY(ApplyCpuQuota(fs, node, *limits.cpu_limit_millis));
  if (limits.cpu_request_millis) TRY(ApplyCpuShares(fs, node, *limits.cpu_request_millis));
  if (limits.pids_max) TRY(ApplyPids(fs, node, *limits.pids_max));
  if (!limits.io.empty()) TRY(ApplyIo(fs, node, limits.io));
  return Ok();
}

}  // namespace hp::job::internal
