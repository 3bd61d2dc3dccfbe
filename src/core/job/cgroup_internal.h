// Internal to hp/job's cgroup backend: one cgroup "node" (a dir in every hierarchy) and the
// file helpers shared by the lifecycle, limit and stats code.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/job/cgroup.h"

namespace hp::job::internal {

// One cgroup (root, pod parent or container leaf) across the hierarchies.
struct Node {
  std::string unified;                    // cgroup2 dir; empty on pure v1
  std::map<std::string, std::string> v1;  // v1 controller → dir
  // Every distinct dir, unified first (co-mounted v1 controllers share one).
  std::vector<std::string> Dirs() const;
  // The dir holding `controller`'s files: v1 dir if any, else unified when the v2 hierarchy
  // has that controller, else empty.
  std::string DirFor(const CgroupFs& fs, const std::string& controller) const;
  Node Child(const std::string& name) const;
};

struct Hooks {
  std::function<void(const std::string& dir)> after_mkdir;
  std::function<int(const std::string& dir)> rmdir;  // returns 0 or an errno
  std::function<void(const std::string& dir)> before_mkdir;
};

// Writes a cgroup control file (no O_CREAT: the file must exist).
Status WriteCg(const std::string& path, std::string_view value);
Result<std::string> ReadCg(const std::string& path);
// Reads "key value" lines (cpu.stat, memory.events, cgroup.events, memory.oom_control).
Result<uint64_t> ReadKeyed(const std::string& path, std::string_view key);
Result<uint64_t> ReadU64(const std::string& path);

// Applies `limits` to `node`: only set fields. Fails with kUnsupported when a limit needs a
// controller the host does not have.
Status ApplyLimits(const CgroupFs& fs, const Node& node, const Limits& limits);
Result<Stats> ReadStats(const CgroupFs& fs, const Node& node);

}  // namespace hp::job::internal
