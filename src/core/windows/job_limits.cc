#include "core/windows/job_limits.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace hp::windows {

uint32_t CpuRate(int64_t limit_millis, uint32_t ncpu) {
  if (ncpu == 0) ncpu = 1;
  int64_t rate = std::max<int64_t>(limit_millis, 0) * 10000 / (1000 * static_cast<int64_t>(ncpu));
  return static_cast<uint32_t>(std::clamp<int64_t>(rate, 1, 10000));
}

uint32_t CpuWeight(int64_t request_millis, uint32_t ncpu) {
  if (ncpu == 0) ncpu = 1;
  int64_t weight =
      std::max<int64_t>(request_millis, 0) * 10000 / (1000 * static_cast<int64_t>(ncpu));
  weight = std::clamp<int64_t>(weight, 1, 10000);
  return static_cast<uint32_t>(1 + 8 * weight / 10000);
}

JobObjectLimits ToJobObjectLimits(const ResourceRequest& r, uint32_t ncpu) {
  JobObjectLimits out;
  if (r.cpu_limit_millis && *r.cpu_limit_millis > 0) {
    out.cpu_rate = CpuRate(*r.cpu_limit_millis, ncpu);
  } else if (r.cpu_request_millis && *r.cpu_request_millis > 0) {
    out.cpu_weight = CpuWeight(*r.cpu_request_millis, ncpu);
  }
  if (r.memory_bytes && *r.memory_bytes > 0)
    out.job_memory = static_cast<uint64_t>(*r.memory_bytes);
  if (r.pids_max && *r.pids_max > 0)
    out.active_processes =
        static_cast<uint32_t>(std::min<int64_t>(*r.pids_max, std::numeric_limits<uint32_t>::max()));
  return out;
}

IoRate IoRateFromAnnotations(const std::map<std::string, std::string>& annotations,
                             std::vector<std::string>* warnings) {
  IoRate rate;
  auto read = [&](std::string_view name, std::optional<int64_t>* out) {
    auto it = annotations.find(std::string(name));
    if (it == annotations.end()) return;
    const std::string& v = it->second;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 0 ||
        n > std::numeric_limits<int32_t>::max()) {
      warnings->push_back("annotation " + std::string(name) + ": \"" + v +
                          "\" is not a whole number from 0 to 2147483647; no limit is set");
      return;
    }
    if (n > 0) *out = n;
  };
  read(kIopsMaximumAnnotation, &rate.iops);
  read(kBandwidthMaximumAnnotation, &rate.bytes_per_second);
  return rate;
}

}  // namespace hp::windows
