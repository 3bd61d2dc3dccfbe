// Shared by the job and launch integration tests: a JobManager rooted in a fresh cgroup
// subtree of the test's own cgroups, removed (with every process in it) in TearDown.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "core/job/cgroup.h"
#include "core/job/job.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"

namespace hp::testing {

inline std::string RandomSuffix() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

class JobFixture : public ::testing::Test {
 public:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (real cgroups)";
    auto fs = job::CgroupFs::Detect();
    ASSERT_TRUE(fs) << fs.error().ToString();
    fs_ = *fs;
    root_ = "hostprocess-test-" + RandomSuffix();
    job::CgroupManagerOptions o;
    o.fs = fs_;
    o.root = root_;
    auto m = job::NewCgroupJobManager(o);
    ASSERT_TRUE(m) << m.error().ToString();
    manager_ = std::move(*m);
    auto self = sys::ReadFile("/proc/self/cgroup");
    ASSERT_TRUE(self);
    self_ = job::ParseProcCgroup(*self);
  }

  void TearDown() override {
    if (!manager_) return;
    jobs_.clear();
    auto pods = manager_->ListPods();
    if (pods) {
      for (const auto& p : *pods) {
        auto d = manager_->DestroyPod(p);
        EXPECT_TRUE(d) << d.error().ToString();
      }
    }
    auto r = manager_->RemoveRoot();
    EXPECT_TRUE(r) << r.error().ToString();
    for (const std::string& d : RootDirs()) EXPECT_FALSE(sys::Exists(d)) << d << " left behind";
  }

  // Every hierarchy's directory of the test root.
  std::vector<std::string> RootDirs() const {
    std::vector<std::string> out;
    if (!fs_.unified.empty()) out.push_back(fs_.unified + Rel(""));
    if (fs_.kind != job::CgroupKind::kV2)
      for (const auto& [c, m] : fs_.controllers) out.push_back(m + Rel(c));
    return out;
  }
  // Path of the test root inside hierarchy `key` ("" = v2).
  std::string Rel(const std::string& key) const {
    auto it = self_.find(key);
    std::string base = it == self_.end() ? "/" : it->second;
    if (base.back() != '/') base += '/';
    return base + root_;
  }

  job::Job* NewJob(const std::string& pod, const std::string& c, const job::Limits& l = {}) {
    auto j = manager_->Create(pod, c, l);
    EXPECT_TRUE(j) << j.error().ToString();
    if (!j) return nullptr;
    jobs_.push_back(std::move(*j));
    return jobs_.back().get();
  }

  // Launches `argv` in `job` with stdout into a pipe; returns the process and the read end.
  struct Running {
    launch::Process proc;
    UniqueFd out;
  };
  Running Start(std::vector<std::string> argv, job::Job* job, launch::LaunchSpec spec = {}) {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    UniqueFd r(p[0]), w(p[1]);
    spec.path = argv[0];
    spec.argv = argv;
    if (spec.env.empty()) spec.env = {"PATH=/usr/bin:/bin"};
    spec.stdout_fd = w.get();
    spec.job = job;
    auto proc = launch::Launch(spec);
    EXPECT_TRUE(proc) << proc.error().ToString();
    Running out;
    if (proc) out.proc = std::move(*proc);
    out.out = std::move(r);
    return out;
  }

  static std::string ReadLine(int fd) {
    std::string s;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') s += c;
    return s;
  }

  job::CgroupFs fs_;
  std::string root_;
  std::map<std::string, std::string> self_;
  std::unique_ptr<job::JobManager> manager_;
  std::vector<std::unique_ptr<job::Job>> jobs_;
};

}  // namespace hp::testing
