// A fake cgroupfs in a temp dir: the files a kernel would create for v1, v2 and hybrid
// hierarchies, plus rmdir semantics (a cgroup with child cgroups cannot be removed).
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "core/base/strings.h"
#include "core/job/cgroup.h"
#include "core/sys/file.h"

namespace hp::testing {

class FakeCgroupFs {
 public:
  FakeCgroupFs(job::CgroupKind kind, std::string root) : kind_(kind), root_(std::move(root)) {
    if (kind == job::CgroupKind::kV2) {
      Put(root_ + "/cgroup.controllers", "cpuset cpu io memory pids\n");
      Put(root_ + "/cgroup.procs", "");
      Put(root_ + "/cgroup.subtree_control", "");
      return;
    }
    for (const char* c : job::kV1Controllers) {
      const std::string dir = root_ + "/" + std::string(job::V1MountName(c));
      sys::MkdirAll(dir);
      Put(dir + "/cgroup.procs", "");
    }
    Put(root_ + "/cpuset/cpuset.cpus", "0-3\n");
    Put(root_ + "/cpuset/cpuset.mems", "0\n");
    if (kind == job::CgroupKind::kHybrid) {
      sys::MkdirAll(root_ + "/unified");
      Put(root_ + "/unified/cgroup.controllers", "");
      Put(root_ + "/unified/cgroup.procs", "");
    }
  }

  // Creates the files the kernel creates in a new cgroup dir.
  void AfterMkdir(const std::string& dir) {
    bool v2dir = kind_ == job::CgroupKind::kV2 ||
                 (kind_ == job::CgroupKind::kHybrid && StartsWith(dir, root_ + "/unified/"));
    Put(dir + "/cgroup.procs", "");
    if (v2dir) {
      Put(dir + "/cgroup.events", "populated 0\nfrozen 0\n");
      Put(dir + "/cgroup.freeze", "0\n");
      Put(dir + "/cgroup.kill", "");
      Put(dir + "/cgroup.subtree_control", "");
      Put(dir + "/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
      if (kind_ == job::CgroupKind::kV2) {
        for (const char* f : {"memory.max", "memory.swap.max", "memory.oom.group", "memory.current",
                              "memory.peak", "memory.events", "cpu.max", "cpu.weight", "pids.max",
                              "pids.current", "io.max", "io.stat"})
          Put(dir + "/" + f, "");
      }
      return;
    }
    Put(dir + "/tasks", "");
    std::string rel = dir.substr(root_.size() + 1);
    std::string ctrl = rel.substr(0, rel.find('/'));
    auto files = [&](std::initializer_list<const char*> names) {
      for (const char* f : names) Put(dir + "/" + f, "");
    };
    if (ctrl == "memory")
      files({"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.usage_in_bytes",
             "memory.max_usage_in_bytes", "memory.oom_control"});
    if (ctrl == "cpu") files({"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares"});
    if (ctrl == "cpuacct") files({"cpuacct.usage_user", "cpuacct.usage_sys", "cpuacct.stat"});
    if (ctrl == "pids") files({"pids.max", "pids.current"});
    if (ctrl == "blkio")
      files({"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
             "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
             "blkio.throttle.io_service_bytes_recursive"});
    if (ctrl == "freezer") Put(dir + "/freezer.state", "THAWED\n");
    if (ctrl == "cpuset") files({"cpuset.cpus", "cpuset.mems"});  // empty, as the kernel's
  }

  // The kernel's rule: a cgroup with children or with processes is busy.
  int Rmdir(const std::string& dir) {
    if (!sys::IsDir(dir)) return ENOENT;
    auto names = sys::ListDir(dir);
    for (const std::string& n : *names)
      if (sys::IsDir(dir + "/" + n)) return EBUSY;
    auto procs = sys::ReadFile(dir + "/cgroup.procs");
    if (procs && procs->find_first_not_of(" \n") != std::string::npos) return EBUSY;
    (void)sys::RemoveAll(dir);
    return 0;
  }

  job::CgroupManagerOptions Options(const std::string& root, const std::string& self = "") {
    job::CgroupManagerOptions o;
    o.fs = *job::CgroupFs::Detect(root_);
    o.root = root;
    o.self_cgroup = self;
    o.after_mkdir = [this](const std::string& d) { AfterMkdir(d); };
    o.rmdir = [this](const std::string& d) { return Rmdir(d); };
    return o;
  }

  static void Put(const std::string& path, const std::string& text) {
    (void)sys::WriteFile(path, text);
  }
  static std::string Get(const std::string& path) {
    auto r = sys::ReadFile(path);
    return r ? std::string(TrimSpace(*r)) : "<" + r.error().ToString() + ">";
  }

 private:
  job::CgroupKind kind_;
  std::string root_;
};

}  // namespace hp::testing
