// hp/windows: a pod's resources as Job Object limits (SPEC §7), the numbers the Windows job
// backend sets (JOBOBJECT_CPU_RATE_CONTROL_INFORMATION, JOBOBJECT_EXTENDED_LIMIT_INFORMATION).
// Pure: the platform-neutral job::Limits in, plain numbers out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hp::windows {

// CPU rate hard cap in 1/100 of a percent of the whole machine: millis*10000/(1000*ncpu),
// clamped to 1..10000 (hcsshim's conversion of a CPU limit for process-isolated containers).
uint32_t CpuRate(int64_t limit_millis, uint32_t ncpu);
// Job Object CPU weight (1..9) from a request when there is no limit: the request as a
// processor weight (its share of the machine, 1..10000), then hcsshim's 1 + 8*weight/10000.
uint32_t CpuWeight(int64_t request_millis, uint32_t ncpu);

struct JobObjectLimits {
  std::optional<uint32_t> cpu_rate;          // JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP
  std::optional<uint32_t> cpu_weight;        // JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED
  std::optional<uint64_t> job_memory;        // JOB_OBJECT_LIMIT_JOB_MEMORY (commit, bytes)
  std::optional<uint32_t> active_processes;  // JOB_OBJECT_LIMIT_ACTIVE_PROCESS
  // JOBOBJECT_IO_RATE_CONTROL_INFORMATION (SetIoRateControlInformationJobObject), all volumes
  std::optional<int64_t> io_max_iops;
  std::optional<int64_t> io_max_bandwidth;  // bytes per second
};

struct ResourceRequest {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> cpu_limit_millis;
  std::optional<int64_t> cpu_request_millis;
  std::optional<int64_t> pids_max;
};

// The storage QoS annotations hcsshim reads for a job container's I/O rate control (the pod's
// annotations: CRI has no Windows field for them).
inline constexpr std::string_view kIopsMaximumAnnotation =
    "io.microsoft.container.storage.qos.iopsmaximum";
inline constexpr std::string_view kBandwidthMaximumAnnotation =
    "io.microsoft.container.storage.qos.bandwidthmaximum";

// A whole job's I/O rate (JOBOBJECT_IO_RATE_CONTROL_INFORMATION over all volumes).
struct IoRate {
  std::optional<int64_t> iops;
  std::optional<int64_t> bytes_per_second;
};
// The I/O rate of the annotations, as hcsshim parses them: a decimal integer, 0 or absent for
// none; a value that is not one (or does not fit hcsshim's int32) is ignored with a warning in
// `warnings` that names the annotation, as hcsshim ignores it with a log line.
IoRate IoRateFromAnnotations(const std::map<std::string, std::string>& annotations,
                             std::vector<std::string>* warnings);

// The limits to set; a weight only without a limit (a hard cap and a weight exclude each
// other in one Job Object). Non-positive values are no limit.
JobObjectLimits ToJobObjectLimits(const ResourceRequest& r, uint32_t ncpu);

}  // namespace hp::windows
