// hp/oci: linux.resources (+ the hostprocess.io/io-* annotations) → the job's limits.
//
// The job speaks Kubernetes' terms (memory bytes, CPU millis, pids, per-device I/O), so the
// OCI values are mapped back: quota/period → limit millis (quota * 1000 / period), shares →
// request millis (shares * 1000 / 1024, kubelet's inverse), blkio throttles → per-device I/O.
// The job then applies them to v1 (memory.limit_in_bytes, cpu.cfs_quota_us, cpu.shares,
// blkio.throttle.*) or v2 (memory.max, cpu.max, cpu.weight, io.max). What the job cannot
// express (swap, cpuset, realtime, hugepages, weights, unified, devices) is reported as a
// warning and not applied: device rules in particular do not apply to HostProcess containers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/job/job.h"
#include "core/oci/spec.h"

namespace hp::oci {

Result<job::Limits> ToJobLimits(const Resources& resources,
                                const std::map<std::string, std::string>& annotations,
                                std::vector<std::string>* warnings);

}  // namespace hp::oci
