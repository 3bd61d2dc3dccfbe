// hp/job (Linux): the cgroup backend of Job. Which hierarchies exist is detected once into a
// CgroupFs value; everything else takes that value, so unit tests point it at a fake cgroupfs
// in a temp dir.
//
// Kinds:
//   kV2      one cgroup2 mount at <root>; limits through its controllers.
//   kV1      one mount per v1 controller at <root>/<controller>.
//   kHybrid  v1 controllers at <root>/<controller> plus cgroup2 at <root>/unified (usually
//            without controllers): v2 for membership, cgroup.kill, cgroup.freeze and the
//            cgroup.events "populated" notification; v1 for limits and accounting.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/job/job.h"

namespace hp::job {

enum class CgroupKind { kV1, kV2, kHybrid };
std::string_view CgroupKindName(CgroupKind kind);

// The v1 hierarchies a job joins where they are mounted: those whose files it uses for limits,
// accounting and freezing, plus the ones a cgroupfs-driver kubelet and runc put a container in
// (cpuset, devices, hugetlb, net_cls/net_prio, perf_event, rdma, misc, and systemd's named
// hierarchy) so cAdvisor, `kubectl top` and systemd find it there. Others are ignored.
inline constexpr const char* kV1Controllers[] = {
    "memory",  "cpu",     "cpuacct",  "pids",       "blkio", "freezer", "cpuset",      "devices",
    "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",  "misc",    "name=systemd"};
// The directory under the cgroupfs root where a v1 hierarchy is mounted by convention:
// "name=systemd" → "systemd", a controller → its name.
std::string_view V1MountName(std::string_view hierarchy);

struct CgroupFs {
  std::string root = "/sys/fs/cgroup";
  CgroupKind kind = CgroupKind::kV2;
  // The cgroup2 mount: root (kV2), root + "/unified" (kHybrid), empty (kV1).
  std::string unified;
  // kV1/kHybrid: v1 controller → its mount directory (e.g. "memory" → "/sys/fs/cgroup/memory";
  // co-mounted controllers share one directory). kV2: the controllers listed in the root's
  // cgroup.controllers, each mapped to `unified`.
  std::map<std::string, std::string> controllers;

  bool has(std::string_view controller) const {
    return controllers.count(std::string(controller)) != 0;
  }

  // Looks at the files under `root` (works on a real or a fake cgroupfs):
  //   <root>/cgroup.controllers         → kV2
  //   <root>/unified/cgroup.controllers → kHybrid (plus v1 controllers)
  //   <root>/<ctrl>/cgroup.procs        → kV1
  // Co-mounted controllers ("cpu,cpuacct" with "cpu" and "cpuacct" symlinks) map to one
  // directory (the link's target), so they are one hierarchy.
  static Result<CgroupFs> Detect(const std::string& root = "/sys/fs/cgroup");
};

// Where the current process lives in each hierarchy, parsed from /proc/self/cgroup text:
// "0::/a/b" → key "" (v2), "4:memory:/x" → key "memory", "2:cpu,cpuacct:/y" → both keys.
std::map<std::string, std::string> ParseProcCgroup(std::string_view text);

struct CgroupManagerOptions {
  CgroupFs fs;
  // See JobOptions::root.
  std::string root = "/hostprocess";
  // Contents of /proc/self/cgroup, used for a relative root; read from /proc when empty.
  std::string self_cgroup;
  // Test seams for a fake cgroupfs: called after each mkdir (to create the files the kernel
  // would) and instead of rmdir(2) (returns 0 or an errno). Unset → real system calls.
  std::function<void(const std::string& dir)> after_mkdir;
  std::function<int(const std::string& dir)> rmdir;
  // Called before each cgroup directory is made (root levels, pod parent, leaf): a caller that
  // must survive a crash records what it is about to create (hostprocess-runtime's intent).
  std::function<void(const std::string& dir)> before_mkdir;
};

Result<std::unique_ptr<JobManager>> NewCgroupJobManager(CgroupManagerOptions options);

// The cgroup backend's JobAttach. `cgroup_dir` is the cgroup v2 leaf (for clone3
// CLONE_INTO_CGROUP; invalid on pure v1), `cgroup_procs` its cgroup.procs (written by the child
// when it was not cloned into the cgroup directly: a shared-memory clone, or no clone3), and
// `v1_tasks` the `tasks` file of every v1 controller leaf. The (single-threaded) child writes "0"
// into each: moving only the calling thread lets the kernel skip the global threadgroup lock that
// makes cgroup.procs writes cost milliseconds each.
struct CgroupAttach final : JobAttach {
  UniqueFd cgroup_dir;
  UniqueFd cgroup_procs;
  std::vector<UniqueFd> v1_tasks;
};

// Sends the POSIX signal `sig` to every process of `job` (a cgroup job, or any job whose Pids
// are Linux pids): the Linux-only `kill --all <signal>` of the OCI runtime, and kStop's SIGTERM.
Status SignalPids(Job& job, int sig);

}  // namespace hp::job
