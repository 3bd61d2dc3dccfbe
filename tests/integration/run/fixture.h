// A root-only fixture: its own --root (a temp dir), its own cgroup root (relative, under this
// process's cgroup), a busybox rootfs directory, and a check that nothing is left afterwards.
#pragma once

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "core/job/job.h"
#include "core/k8s/decode.h"
#include "core/pod/dir_rootfs.h"
#include "core/pod/pod_runner.h"
#include "core/sandbox/volumes.h"
#include "core/sys/file.h"
#include "core/user/accounts.h"

namespace hp::pod::testing {

using sandbox::HostVolumes;
using sandbox::HostVolumesConfig;
using user::HostAccounts;

inline std::string ReadOr(const std::string& p) {
  auto r = sys::ReadFile(p);
  return r ? *r : std::string();
}

class RunFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (cgroups, mounts, users)";
    if (!sys::Exists("/bin/busybox")) GTEST_SKIP() << "needs busybox-static at /bin/busybox";
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);  // non-root accounts traverse it
    rootfs_ = root_ + "/image";
    ASSERT_TRUE(sys::MkdirAll(rootfs_ + "/bin"));
    ASSERT_TRUE(sys::MkdirAll(rootfs_ + "/my dir"));
    ASSERT_EQ(::system(("cp /bin/busybox '" + rootfs_ + "/bin/busybox'").c_str()), 0);
    for (const char* app : {"sh", "echo", "cat", "sleep", "whoami", "id", "hostname", "ls", "head",
                            "tr", "seq", "pwd", "setsid", "env", "true", "false"}) {
      ASSERT_EQ(::symlink("busybox", (rootfs_ + "/bin/" + app).c_str()), 0);
    }
    ASSERT_TRUE(sys::WriteFile(rootfs_ + "/my dir/run me.sh",
                               "#!/bin/sh\necho \"script: $# args: $1|$2\"\n"));
    ASSERT_EQ(::chmod((rootfs_ + "/my dir/run me.sh").c_str(), 0755), 0);
    cgroup_root_ = "hp-run-it-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto jobs = job::NewJobManager({cgroup_root_});
    ASSERT_TRUE(jobs) << jobs.error().ToString();
    jobs_ = std::move(*jobs);
    rootfs_provider_ = std::make_unique<DirRootfs>(rootfs_);
    volumes_ = std::make_unique<HostVolumes>(HostVolumesConfig{root_ + "/serviceaccount"});
    mounts_before_ = CountMounts();
  }

  void TearDown() override {
    if (root_.empty()) return;
    if (jobs_) {
      // Nothing may be left: no pod cgroup, no sandbox, no mount.
      auto pods = jobs_->ListPods();
      EXPECT_TRUE(pods && pods->empty()) << "cgroups left behind";
      if (pods) {
        for (const auto& p : *pods) (void)jobs_->DestroyPod(p);
      }
      EXPECT_TRUE(jobs_->RemoveRoot());
    }
    EXPECT_EQ(CountMounts(), mounts_before_) << "mounts left behind under " << root_;
    auto sandboxes = sys::ListDir(root_ + "/sandboxes");
    EXPECT_TRUE(!sandboxes || sandboxes->empty()) << "sandboxes left behind";
    auto containers = sys::ListDir(root_ + "/containers");
    EXPECT_TRUE(!containers || containers->empty()) << "container scratch left behind";
    auto pods_dir = sys::ListDir(root_ + "/pods");
    EXPECT_TRUE(!pods_dir || pods_dir->empty()) << "pod state left behind";
  }

  int CountMounts() {
    std::string info = ReadOr("/proc/self/mountinfo");
    int n = 0;
    size_t pos = 0;
    while ((pos = info.find(root_, pos)) != std::string::npos) {
      ++n;
      pos += root_.size();
    }
    return n;
  }

  void Decode(const std::string& yaml) {
    auto d = k8s::DecodeString(yaml, "test.yaml");
    ASSERT_TRUE(d) << d.error().ToString();
    decoded_ = std::move(*d);
    objects_ = {};
    pod_ = nullptr;
    for (k8s::Object& o : decoded_.objects) {
      if (auto* p = std::get_if<k8s::Pod>(&o.value)) pod_ = p;
      if (o.config_map()) objects_.config_maps.push_back(o.config_map());
      if (o.secret()) objects_.secrets.push_back(o.secret());
    }
    ASSERT_NE(pod_, nullptr);
    if (pod_->metadata.uid.empty()) pod_->metadata.uid = "uid-" + std::to_string(++pod_counter_);
  }

  RunnerOptions Options() {
    RunnerOptions o;
    o.root = root_;
    o.jobs = jobs_.get();
    o.rootfs = rootfs_provider_.get();
    o.accounts = &accounts_;
    o.volumes = volumes_.get();
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    o.node.hostname = host;
    o.node.host_ip = "127.0.0.1";
    o.node.allocatable_cpu_millis = 2000;
    o.node.allocatable_memory_bytes = int64_t{1} << 30;
    return o;
  }

  // Creates (does not start) the runner of the decoded pod's container `index`.
  Result<std::unique_ptr<ContainerRunner>> CreateRunner(size_t index = 0) {
    ContainerRequest req;
    req.pod = pod_;
    req.container = &pod_->spec.containers[index];
    req.objects = &objects_;
    return ContainerRunner::Create(Options(), req);
  }

  // Runs the decoded pod to the end and returns its result; the output of every container
  // is collected in out_.
  PodResult RunPod(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    PodRunOptions o;
    o.runner = Options();
    o.timeout = timeout;
    o.output = [this](const std::string& name, LogStream, std::string_view line) {
      std::lock_guard<std::mutex> lock(out_mu_);
      out_ += "[" + name + "] " + std::string(line) + "\n";
    };
    o.events = [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(out_mu_);
      events_ += m + "\n";
    };
    PodRunner runner(o);
    auto r = runner.Run(*pod_, objects_);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : PodResult{};
  }

  std::string Pod(const std::string& containers, const std::string& extra_spec = "",
                  const std::string& annotations = "{}") {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: " + annotations +
           "\nspec:\n  hostNetwork: true\n  terminationGracePeriodSeconds: 2\n"
           "  securityContext:\n    windowsOptions: {hostProcess: true}\n" +
           extra_spec + "  containers:\n" + containers;
  }

  hp::testing::TempDir tmp_{"hp-run-it-"};
  std::string root_, rootfs_, cgroup_root_;
  std::unique_ptr<job::JobManager> jobs_;
  std::unique_ptr<DirRootfs> rootfs_provider_;
  std::unique_ptr<HostVolumes> volumes_;
  // Ephemeral uids counted in this test's directory, not the node's record.
  HostAccounts accounts_{user::AccountNames{.ephemeral_uid_record = tmp_.path() + "/last-uid"}};
  k8s::Decoded decoded_;
  k8s::Pod* pod_ = nullptr;
  PodObjects objects_;
  std::mutex out_mu_;
  std::string out_, events_;
  int mounts_before_ = 0;
  int pod_counter_ = 0;
};

}  // namespace hp::pod::testing
