// The node agent as a user drives it: the built `hostprocess` binary with its own --root (a
// temp dir holding the example busybox image) and its own --cgroup-root under this process's
// cgroup. TearDown fails the test if anything is left (supervisors, pod state, cgroups, mounts,
// sandboxes), then removes whatever is left regardless.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "common/wait.h"
#include "core/agent/cleanup.h"
#include "core/agent/status.h"
#include "core/job/job.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::agent::testing {

inline std::string ReadOr(const std::string& p) {
  auto r = sys::ReadFile(p);
  return r ? *r : std::string();
}

struct CliResult {
  int rc = -1;
  std::string out, err;
};

class AgentE2E : public ::testing::Test {
 protected:
  static std::string Binary() {
    return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess";
  }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (cgroups, mounts, users)";
    if (!sys::Exists("/bin/busybox")) GTEST_SKIP() << "needs busybox-static at /bin/busybox";
    ASSERT_TRUE(sys::Exists(Binary())) << "hostprocess binary not built: " << Binary();
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
    cgroup_root_ = "hp-agent-e2e-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string cmd = "bash '" + std::string(HP_SOURCE_DIR) +
                      "/scripts/build-example-image.sh' --root '" + root_ + "' --hostprocess '" +
                      Binary() + "' >'" + root_ + "/image.log' 2>&1";
    ASSERT_EQ(::system(cmd.c_str()), 0) << ReadOr(root_ + "/image.log");
  }

  void TearDown() override {
    if (root_.empty()) return;
    // What the test left is a failure; then it is removed whatever happened.
    auto keys = sys::ListDir(root_ + "/run/pods");
    EXPECT_TRUE(!keys || keys->empty()) << "pods left: " << (keys ? keys->size() : 0);
    if (keys) {
      for (const auto& k : *keys) {
        std::string dir = root_ + "/run/pods/" + k;
        auto st = ReadPodStatus(dir + "/status.json");
        if (st && ProcessAlive(st->supervisor_pid, st->supervisor_start)) {
          ::kill(st->supervisor_pid, SIGKILL);
          WaitFor([&] { return !ProcessAlive(st->supervisor_pid, st->supervisor_start); }, 5000);
        }
        auto rec = ReadOr(dir + "/pod.json");
        std::string uid;
        try {
          uid = nlohmann::json::parse(rec)["pod"]["metadata"].value("uid", "");
        } catch (...) {
        }
        (void)CleanupPod(
            {root_, cgroup_root_, uid, st ? st->live_containers : std::vector<std::string>{}});
      }
    }
    auto jobs = job::NewJobManager({cgroup_root_});
    if (jobs) {
      auto pods = (*jobs)->ListPods();
      EXPECT_TRUE(pods && pods->empty()) << "cgroups left behind";
      if (pods)
        for (const auto& p : *pods) (void)(*jobs)->DestroyPod(p);
      (void)(*jobs)->RemoveRoot();
    }
    auto info = ReadOr("/proc/self/mountinfo");
    EXPECT_TRUE(sys::MountPointsUnder(info, root_).empty()) << "mounts left under " << root_;
    for (const char* dir : {"sandboxes", "containers", "pods"}) {
      auto list = sys::ListDir(root_ + "/" + dir);
      EXPECT_TRUE(!list || list->empty()) << dir << " left behind";
    }
    (void)sys::DetachMountsUnder(root_);
  }

  // Runs `hostprocess --root R ARGS` (shell words); stdin from `input` when given.
  CliResult Hp(const std::string& args, const std::string& input = "") {
    static int n = 0;
    std::string base = root_ + "/cli-" + std::to_string(++n);
    std::string cmd = HpCommand(args, base);
    if (!input.empty()) {
      EXPECT_TRUE(sys::WriteFile(base + ".in", input));
      cmd += " <'" + base + ".in'";
    } else {
      cmd += " </dev/null";
    }
    int rc = ::system(cmd.c_str());
    return Collected(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, base);
  }

  // The same with a terminal as stdin (util-linux `script` makes a pseudo-terminal for it).
  CliResult HpOnTerminal(const std::string& args) {
    static int n = 0;
    std::string base = root_ + "/tty-" + std::to_string(++n);
    EXPECT_TRUE(
        sys::WriteFile(base + ".sh", HpCommand(args, base) + "; echo $? >'" + base + ".rc'\n"));
    std::string cmd = "script -qec 'sh " + base + ".sh' /dev/null </dev/null >/dev/null 2>&1";
    (void)::system(cmd.c_str());
    std::string rc = ReadOr(base + ".rc");
    return Collected(rc.empty() ? -1 : std::atoi(rc.c_str()), base);
  }

  // `hostprocess --root R ARGS` with its output in BASE.out and BASE.err.
  std::string HpCommand(const std::string& args, const std::string& base) {
    return "'" + Binary() + "' --root '" + root_ + "' " + args + " >'" + base + ".out' 2>'" + base +
           ".err'";
  }
  CliResult Collected(int rc, const std::string& base) {
    CliResult r;
    r.rc = rc;
    r.out = ReadOr(base + ".out");
    r.err = ReadOr(base + ".err");
    return r;
  }

  // apply -f of `yaml` (written to a file), with this test's cgroup root.
  CliResult Apply(const std::string& yaml, const std::string& extra = "") {
    static int n = 0;
    std::string file = root_ + "/manifest-" + std::to_string(++n) + ".yaml";
    EXPECT_TRUE(sys::WriteFile(file, yaml));
    return Hp("apply -f '" + file + "' --cgroup-root '" + cgroup_root_ + "' " + extra);
  }

  static bool WaitFor(const std::function<bool()>& pred, int timeout_ms) {
    return hp::testing::WaitFor(pred, timeout_ms);
  }

  // `get pod NAME -o json` (null when it fails).
  nlohmann::json PodJson(const std::string& name, const std::string& ns = "default") {
    CliResult r = Hp("get pod " + name + " -n " + ns + " -o json");
    if (r.rc != 0) return nullptr;
    try {
      return nlohmann::json::parse(r.out);
    } catch (...) {
      return nullptr;
    }
  }

  // Applies the seed's Linux DaemonSet and waits (10 s) until its pod runs; returns the pod's
  // name, or "" when it did not come up.
  std::string ApplySeedDaemonSetAndWait() {
    if (Apply(ReadOr(std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset-linux.yaml"))
            .rc != 0)
      return "";
    std::string pod;
    bool up = WaitFor(
        [&] {
          pod = Hp("get pods -n kube-system -o name").out;
          if (pod.size() < 5) return false;
          pod = pod.substr(4, pod.find('\n') - 4);
          return StatusColumnOf(pod, "kube-system") == "Running";
        },
        10000);
    return up ? pod : "";
  }

  // The STATUS column of `get pods` for `name`.
  std::string StatusColumnOf(const std::string& name, const std::string& ns = "default") {
    CliResult r = Hp("get pods -n " + ns + " --no-headers");
    size_t pos = r.out.find(name + " ");
    if (pos == std::string::npos) return "";
    std::string line = r.out.substr(pos, r.out.find('\n', pos) - pos);
    std::vector<std::string> cols;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') i++;
      size_t j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      if (j > i) cols.push_back(line.substr(i, j - i));
      i = j;
    }
    return cols.size() > 2 ? cols[2] : "";
  }

  // A bare HostProcess pod running `script` in one busybox container.
  static std::string PodYaml(const std::string& name, const std::string& script,
                             const std::string& restart = "Always",
                             const std::string& container_extra = "",
                             const std::string& spec_extra = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
           "\nspec:\n  hostNetwork: true\n  restartPolicy: " + restart +
           "\n  terminationGracePeriodSeconds: 2\n  securityContext:\n    windowsOptions:\n"
           "      hostProcess: true\n      runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"\n" +
           spec_extra +
           "  containers:\n  - name: c\n    image: hostprocess.local/busybox:latest\n"
           "    command: [sh, -c, " +
           nlohmann::json(script).dump() + "]\n" + container_extra;
  }

  hp::testing::TempDir tmp_{"hp-agent-e2e-"};
  std::string root_;
  std::string cgroup_root_;
};

}  // namespace hp::agent::testing
