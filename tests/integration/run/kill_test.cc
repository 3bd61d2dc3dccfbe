// Issue 21 item 1: a kill -9 of a foreground `hostprocess run` leaves nothing behind. The pod's
// processes (a daemonised one too) die with `run` (its keeper kills the job), and the next
// command on the root removes whatever a dead run and a dead keeper left: processes, cgroups,
// mounts, sandboxes, scratch, the image lease and the ephemeral user.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "core/sys/process.h"
#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

using std::chrono::milliseconds;

bool Alive(pid_t pid) {
  std::string stat = ReadOr("/proc/" + std::to_string(pid) + "/stat");
  return !stat.empty() && stat.find(") Z ") == std::string::npos;
}

bool WaitUntil(const std::function<bool()>& pred, int ms) {
  auto end = std::chrono::steady_clock::now() + milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

class RunKill : public RunFixture {
 protected:
  static constexpr const char* kGroup = "hp-it-kill";

  std::string Binary() {
    return binary_.empty() ? std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess"
                           : binary_;
  }

  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
    std::string cmd = "bash '" + std::string(HP_SOURCE_DIR) +
                      "/scripts/build-example-image.sh' --root '" + root_ + "' --hostprocess '" +
                      Binary() + "' >'" + root_ + "/image.log' 2>&1";
    ASSERT_EQ(::system(cmd.c_str()), 0) << ReadOr(root_ + "/image.log");
  }

  void TearDown() override {
    // Whatever a failed test left: its processes, users and group.
    for (pid_t p : pids_)
      if (Alive(p)) ::kill(p, SIGKILL);
    for (const std::string& id : ids_) {
      std::string user = "hp-" + id.substr(0, 12);
      if (::getpwnam(user.c_str())) (void)!::system(("userdel " + user).c_str());
    }
    if (::getgrnam(kGroup)) (void)!::system((std::string("groupdel ") + kGroup).c_str());
    RunFixture::TearDown();
  }

  // A pod whose container daemonises a child as a real agent does (setsid + double fork: the
  // child is in no session of the pod and its parent is gone), with an emptyDir and the
  // service account volume (bind mounts).
  std::string DaemonPod(const std::string& account) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: k}\nspec:\n  hostNetwork: true\n"
           "  terminationGracePeriodSeconds: 2\n"
           "  securityContext:\n    windowsOptions: {hostProcess: true, runAsUserName: '" +
           account +
           "'}\n"
           "  volumes: [{name: scratch, emptyDir: {}}]\n"
           "  containers:\n  - name: c\n    image: hostprocess.local/busybox:latest\n"
           "    volumeMounts: [{name: scratch, mountPath: /scratch}]\n"
           "    command: [sh, -c, \"setsid sh -c 'sleep 1001 &'; echo ready; sleep 1000\"]\n";
  }

  // Starts `hostprocess run` and waits until the daemon runs; fills pids_ (every process of the
  // job) and ids_ (the container ids of the run's record).
  // `hostprocess run -f manifest` (with `rm`, `--rm`) in a child, its output in `out`.
  pid_t SpawnRun(const std::string& manifest, const std::string& out, bool rm = false) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(Binary().c_str(), "hostprocess", "--root", root_.c_str(), "run", "-f",
              manifest.c_str(), "--cgroup-root", cgroup_root_.c_str(), rm ? "--rm" : nullptr,
              nullptr);
      ::_exit(127);
    }
    return pid;
  }

  // Runs a copy of the binary alone, whose keeper is a fork of `run`.
  void UseACopiedBinary() {
    binary_ = root_ + "/bin/hostprocess";
    ASSERT_TRUE(sys::MkdirAll(root_ + "/bin"));
    auto self = sys::ReadFile(std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess");
    ASSERT_TRUE(self);
    ASSERT_TRUE(sys::WriteFile(binary_, *self));
    ASSERT_EQ(::chmod(binary_.c_str(), 0755), 0);
  }

  pid_t StartRun(const std::string& account) {
    std::string manifest = root_ + "/pod.yaml";
    EXPECT_TRUE(sys::WriteFile(manifest, DaemonPod(account)));
    pid_t pid = SpawnRun(manifest, root_ + "/out");
    daemon_ = 0;
    bool up = WaitUntil(
        [&] {
          pids_.clear();
          auto pods = jobs_->ListPods();
          for (const auto& p : pods ? *pods : std::vector<std::string>{}) {
            auto cs = jobs_->ListContainers(p);
            for (const auto& c : cs ? *cs : std::vector<std::string>{}) {
              auto job = jobs_->Open(p, c);
              if (!job) continue;
              auto ps = (*job)->Pids();
              if (ps) pids_.insert(pids_.end(), ps->begin(), ps->end());
            }
          }
          // The daemon is `sleep 1001` itself, not the short-lived `sh -c 'sleep 1001 &'` that
          // starts it (which may still be there when "ready" is printed).
          for (pid_t p : pids_) {
            std::string cmd = ReadOr("/proc/" + std::to_string(p) + "/cmdline");
            if (cmd == std::string("sleep\0"
                                   "1001\0",
                                   11))
              daemon_ = p;
          }
          return daemon_ != 0 && ReadOr(root_ + "/out").find("[c] ready") != std::string::npos;
        },
        15000);
    EXPECT_TRUE(up) << ReadOr(root_ + "/out");
    ids_ = RecordField("containers");
    EXPECT_EQ(ids_.size(), 1u);
    return pid;
  }

  // A field of the one foreground record (strings, or a number as its decimal text).
  std::vector<std::string> RecordField(const std::string& field) {
    std::vector<std::string> out;
    auto names = sys::ListDir(root_ + "/run/foreground");
    for (const auto& n : names ? *names : std::vector<std::string>{}) {
      if (n.size() < 5 || n.substr(n.size() - 5) != ".json") continue;
      try {
        auto j = nlohmann::json::parse(ReadOr(root_ + "/run/foreground/" + n));
        if (j[field].is_array()) {
          for (const auto& v : j[field]) out.push_back(v.get<std::string>());
        } else if (j[field].is_number()) {
          out.push_back(std::to_string(j[field].get<int64_t>()));
        }
      } catch (...) {
      }
    }
    return out;
  }

  int Hp(const std::string& args) {
    std::string cmd = "'" + Binary() + "' --root '" + root_ + "' " + args + " >'" + root_ +
                      "/next.out' 2>'" + root_ + "/next.err' </dev/null";
    int rc = ::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  // What is left of the pod's cgroups, mounts and state (and with `logs`, its logs): "" when
  // nothing, else a word for each.
  std::string Left(bool logs) {
    std::string left;
    auto pods = jobs_->ListPods();
    if (!pods || !pods->empty()) left += " cgroups";
    if (CountMounts() != mounts_before_) left += " mounts";
    std::vector<std::string> dirs = {"sandboxes", "containers", "pods", "images/leases",
                                     "run/foreground"};
    if (logs) dirs.push_back("logs");
    for (const std::string& dir : dirs) {
      auto list = sys::ListDir(root_ + "/" + dir);
      if (list && !list->empty()) left += " " + dir + ":" + (*list)[0];
    }
    return left;
  }

  // Nothing of the pod is left.
  void ExpectNothingLeft() {
    for (pid_t p : pids_) EXPECT_FALSE(Alive(p)) << "process " << p << " of the pod left";
    EXPECT_EQ(Left(false), "") << ReadOr("/proc/self/mountinfo");
    for (const std::string& id : ids_) {
      std::string user = "hp-" + id.substr(0, 12);
      EXPECT_EQ(::getpwnam(user.c_str()), nullptr) << "user " << user << " left";
    }
  }

  void Scenario(const std::string& account, bool kill_keeper, const std::string& next_verb) {
    SCOPED_TRACE(account + (kill_keeper ? ", keeper killed too" : ", keeper") + ", then " +
                 next_verb);
    pid_t run = StartRun(account);
    ASSERT_NE(daemon_, 0);
    ASSERT_GE(pids_.size(), 2u);
    // The daemon left the pod's session: the parent-death signal and the session do not reach it.
    auto daemon = sys::ReadProcStat(daemon_);
    ASSERT_TRUE(daemon);
    for (pid_t p : pids_) {
      auto other = sys::ReadProcStat(p);
      if (p != daemon_ && other) {
        EXPECT_NE(other->session, daemon->session);
      }
    }
    {
      // The keeper program next to the binary, exec'd; a fork of `run` without it.
      std::vector<std::string> keeper = RecordField("keeper");
      ASSERT_EQ(keeper.size(), 1u);
      std::string comm = ReadOr("/proc/" + keeper[0] + "/comm");
      EXPECT_EQ(comm, binary_.empty() ? "hostprocess-kee\n" : "hostprocess\n");
    }
    if (kill_keeper) {
      std::vector<std::string> keeper = RecordField("keeper");
      ASSERT_EQ(keeper.size(), 1u);
      pid_t k = std::stoi(keeper[0]);
      ASSERT_GT(k, 0);
      ASSERT_EQ(::kill(k, SIGKILL), 0);
      ASSERT_TRUE(WaitUntil([&] { return !Alive(k); }, 5000));
    }
    auto killed = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(run, SIGKILL), 0);
    int st = 0;
    ASSERT_EQ(::waitpid(run, &st, 0), run);
    if (!kill_keeper) {
      // The keeper kills the job at once, the daemon with it.
      EXPECT_TRUE(WaitUntil([&] { return !Alive(daemon_); }, 5000)) << "the daemon outlived run";
      std::printf("daemon gone %lld ms after kill -9 of run\n",
                  static_cast<long long>(std::chrono::duration_cast<milliseconds>(
                                             std::chrono::steady_clock::now() - killed)
                                             .count()));
    } else {
      std::this_thread::sleep_for(milliseconds(300));
      EXPECT_TRUE(Alive(daemon_)) << "nothing but the next command should have killed it";
    }
    int rc = Hp(next_verb);
    EXPECT_TRUE(rc == 0 || next_verb.rfind("delete", 0) == 0) << rc << ReadOr(root_ + "/next.err");
    ExpectNothingLeft();
  }

  // 25 rounds of kill -9 of `run` at a random moment of its first 20 ms; after each, what the
  // keeper alone leaves (nothing, within 10 s).
  void KillDuringStart();

  std::string binary_;  // set: the binary run instead of the build's
  std::vector<pid_t> pids_;
  pid_t daemon_ = 0;
  std::vector<std::string> ids_;
};

TEST_F(RunKill, SystemPodDiesWithRunAndNothingIsLeft) {
  Scenario("NT AUTHORITY\\SYSTEM", false, "get pods");
  Scenario("NT AUTHORITY\\SYSTEM", true, "delete pod nothing");
}

TEST_F(RunKill, WithoutTheKeeperProgramAForkKeepsTheRun) {
  // The binary copied alone (no hostprocess-keeper next to it).
  UseACopiedBinary();
  if (HasFatalFailure()) return;
  Scenario("NT AUTHORITY\\SYSTEM", false, "get pods");
}

// The processes of the chaos pod (`sleep 1003`) still alive: "" when none.
std::string ChaosProcessesLeft() {
  std::string left;
  auto procs = sys::ListDir("/proc");
  for (const std::string& n : procs ? *procs : std::vector<std::string>{}) {
    if (n.find_first_not_of("0123456789") != std::string::npos) continue;
    if (ReadOr("/proc/" + n + "/cmdline") == std::string("sleep\0"
                                                         "1003\0",
                                                         10) &&
        Alive(std::stoi(n)))
      left += " process " + n;
  }
  return left;
}

void RunKill::KillDuringStart() {
  std::string manifest = root_ + "/chaos.yaml";
  ASSERT_TRUE(sys::WriteFile(
      manifest,
      "apiVersion: v1\nkind: Pod\nmetadata: {name: chaos}\nspec:\n  hostNetwork: true\n"
      "  terminationGracePeriodSeconds: 0\n"
      "  securityContext:\n    windowsOptions: {hostProcess: true}\n"
      "  volumes: [{name: scratch, emptyDir: {}}]\n"
      "  containers:\n  - name: c\n    image: hostprocess.local/busybox:latest\n"
      "    volumeMounts: [{name: scratch, mountPath: /scratch}]\n"
      "    command: [sleep, \"1003\"]\n"));
  unsigned seed = static_cast<unsigned>(::time(nullptr));
  std::printf("seed %u\n", seed);
  std::minstd_rand rng(seed);
  for (int round = 0; round < 25 && !HasFailure(); ++round) {
    int delay_us = static_cast<int>(rng() % 20000);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill after " + std::to_string(delay_us) +
                 " us (seed " + std::to_string(seed) + ")");
    pid_t run = SpawnRun(manifest, "/dev/null", true);
    ASSERT_GT(run, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ::kill(run, SIGKILL);
    int st = 0;
    ASSERT_EQ(::waitpid(run, &st, 0), run);
    std::string left;
    bool clean = WaitUntil(
        [&] {
          left = Left(true) + ChaosProcessesLeft();
          return left.empty();
        },
        10000);
    EXPECT_TRUE(clean) << "left 10 s after the kill:" << left;
  }
}

// kill -9 of `run` 0-20 ms after its exec: before its keeper, between the keeper and the
// record, before the lock's rename, while the job, volume and container are made. The keeper
// alone (no later command) must remove everything. This found the `.lock.new` that a run killed
// before its record, or before its keeper, left (keeper_test.cc).
TEST_F(RunKill, KilledAtAnyMomentOfItsStartTheKeeperLeavesNothing) { KillDuringStart(); }

TEST_F(RunKill, KilledAtAnyMomentOfItsStartTheForkedKeeperLeavesNothing) {
  UseACopiedBinary();
  if (HasFatalFailure()) return;
  KillDuringStart();
}

TEST_F(RunKill, ARunWhoseKeeperWasKilledEndsWithItsPodsCode) {
  // `run` tells its keeper it finished through their pipe: with the keeper killed, that write
  // must not end `run` (SIGPIPE) before it reports the container's exit code.
  std::string manifest = root_ + "/three.yaml";
  ASSERT_TRUE(sys::WriteFile(
      manifest,
      "apiVersion: v1\nkind: Pod\nmetadata: {name: three}\nspec:\n  hostNetwork: true\n"
      "  securityContext:\n    windowsOptions: {hostProcess: true}\n"
      "  containers:\n  - name: c\n    image: hostprocess.local/busybox:latest\n"
      "    command: [sh, -c, \"sleep 1; exit 3\"]\n"));
  pid_t run = SpawnRun(manifest, "/dev/null");
  ASSERT_GT(run, 0);
  std::vector<std::string> keeper;
  ASSERT_TRUE(WaitUntil(
      [&] {
        keeper = RecordField("keeper");
        return keeper.size() == 1;
      },
      5000));
  pid_t k = std::stoi(keeper[0]);
  ASSERT_EQ(::kill(k, SIGKILL), 0);
  int st = 0;
  ASSERT_EQ(::waitpid(run, &st, 0), run);
  EXPECT_TRUE(WIFEXITED(st)) << "run ended by signal " << (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 3);
}

TEST_F(RunKill, EphemeralUserPodDiesWithRunAndNothingIsLeft) {
  if (!::getgrnam(kGroup)) {
    ASSERT_EQ(::system((std::string("groupadd ") + kGroup).c_str()), 0);
  }
  Scenario(kGroup, false, "apply");
  // `run` itself reaps before it starts its own pod (which ends at once).
  std::string other = root_ + "/other.yaml";
  ASSERT_TRUE(
      sys::WriteFile(other,
                     "apiVersion: v1\nkind: Pod\nmetadata: {name: o}\nspec:\n  hostNetwork: true\n"
                     "  securityContext:\n    windowsOptions: {hostProcess: true}\n"
                     "  containers:\n  - {name: o, image: hostprocess.local/busybox:latest, "
                     "command: [\"true\"]}\n"));
  Scenario(kGroup, true, "run -f '" + other + "' --cgroup-root '" + cgroup_root_ + "'");
}

}  // namespace
}  // namespace hp::pod::testing
