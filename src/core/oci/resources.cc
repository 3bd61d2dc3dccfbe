#include "core/oci/resources.h"

#include "core/oci/hostprocess.h"

namespace hp::oci {
namespace {

void Warn(std::vector<std::string>* w, std::string msg) {
  if (w) w->push_back(std::move(msg));
}

void AddThrottle(std::vector<job::IoDeviceLimit>& io, const std::vector<ThrottleDevice>& devs,
                 uint64_t job::IoDeviceLimit::*field) {
  for (const ThrottleDevice& d : devs) {
    job::IoDeviceLimit l;
    l.major = static_cast<uint32_t>(d.major);
    l.minor = static_cast<uint32_t>(d.minor);
    l.*field = d.rate;
    job::MergeIoLimits(io, {l});
  }
}

}  // namespace

Result<job::Limits> ToJobLimits(const Resources& r,
                                const std::map<std::string, std::string>& annotations,
                                std::vector<std::string>* warnings) {
  job::Limits l;
  if (r.memory) {
    const MemoryResources& m = *r.memory;
    if (m.limit && *m.limit > 0) l.memory_bytes = *m.limit;
    if (m.swap && *m.swap > 0 && (!m.limit || *m.swap != *m.limit))
      Warn(warnings, "linux.resources.memory.swap is not applied by the HostProcess job");
    if (m.reservation && *m.reservation > 0)
      Warn(warnings, "linux.resources.memory.reservation is not applied by the HostProcess job");
  }
  if (r.cpu) {
    const CpuResources& c = *r.cpu;
    if (c.quota && *c.quota > 0) {
      uint64_t period = c.period && *c.period > 0 ? *c.period : job::kCpuPeriodUs;
      int64_t millis =
          static_cast<int64_t>((static_cast<uint64_t>(*c.quota) * 1000 + period - 1) / period);
      l.cpu_limit_millis = millis;
    }
    if (c.shares && *c.shares > 0)
      l.cpu_request_millis = static_cast<int64_t>(*c.shares * 1000 / 1024);
    if (!c.cpus.empty() || !c.mems.empty())
      Warn(warnings,
           "linux.resources.cpu.cpus/mems (cpuset) are not applied by the HostProcess job");
    if ((c.realtime_runtime && *c.realtime_runtime != 0) ||
        (c.realtime_period && *c.realtime_period != 0))
      Warn(warnings, "linux.resources.cpu.realtime* are not applied by the HostProcess job");
  }
  if (r.pids_limit && *r.pids_limit > 0) l.pids_max = *r.pids_limit;
  if (r.block_io) {
    const BlockIoResources& b = *r.block_io;
    AddThrottle(l.io, b.throttle_read_bps, &job::IoDeviceLimit::rbps);
    AddThrottle(l.io, b.throttle_write_bps, &job::IoDeviceLimit::wbps);
    AddThrottle(l.io, b.throttle_read_iops, &job::IoDeviceLimit::riops);
    AddThrottle(l.io, b.throttle_write_iops, &job::IoDeviceLimit::wiops);
    if (b.weight || b.leaf_weight || !b.weight_device.empty())
      Warn(warnings, "linux.resources.blockIO weights are not applied by the HostProcess job");
  }
  if (!r.hugepage_limits.empty())
    Warn(warnings, "linux.resources.hugepageLimits are not applied by the HostProcess job");
  if (!r.unified.empty())
    Warn(warnings, "linux.resources.unified is not applied by the HostProcess job");
  for (const char* key : {kIoBpsAnnotation, kIoIopsAnnotation}) {
    auto it = annotations.find(key);
    if (it == annotations.end()) continue;
    auto io = job::ParseIoLimits(it->second);
    if (!io) return Err(std::move(io).error().Context(fmt::format("annotation {}", key)));
    job::MergeIoLimits(l.io, *io);
  }
  return l;
}

}  // namespace hp::oci
