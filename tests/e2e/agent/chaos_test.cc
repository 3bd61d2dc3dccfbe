// Issue 21, "Done when": a bounded, seeded chaos test of the node side. Random rounds of kill -9
// at random points of `run` (and of its keeper), `apply` and `delete`, of supervisors, and
// corrupt or truncated state files (pod.json, status.json, supervisor.json, desired objects,
// run/boot_id); recovery (`apply`) in between checks that no pod ever runs twice. Then every pod
// is deleted and nothing may be left: processes, cgroups, mounts, sandboxes, scratch, emptyDirs,
// users, leases, records. The seed is printed (HP_CHAOS_SEED=N reproduces a run), and so are
// the counts. The time is bounded: rounds stop after HP_CHAOS_SECONDS (default 30) or 60 rounds.
//
// Hooks for the runtime's chaos (hostprocess-runtime create/start/delete): add an Action and its
// Do* below; the final checks already cover every kind of leftover.
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A container that daemonises a child as a real agent does: setsid + double fork.
constexpr const char* kDaemonScript = "setsid sh -c 'sleep 1000 &'; echo ready; sleep 1000";
constexpr int kAgentPods = 3;  // a-0, a-1, a-2: few names, so actions collide

class ChaosE2E : public AgentE2E {
 protected:
  void SetUp() override {
    AgentE2E::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    group_ = "hp-chaos-" + std::to_string(::getpid() % 100000);
    if (!::getgrnam(group_.c_str())) {
      ASSERT_EQ(::system(("groupadd " + group_).c_str()), 0);
    }
    gid_ = ::getgrnam(group_.c_str())->gr_gid;
    const char* seed = std::getenv("HP_CHAOS_SEED");
    // CI runs seed 1 (reproducible); HP_CHAOS_SEED=random explores (the seed is printed).
    if (!seed || !*seed) seed = "1";
    seed_ = std::string(seed) == "random"
                ? static_cast<uint64_t>(Clock::now().time_since_epoch().count())
                : std::strtoull(seed, nullptr, 10);
    const char* secs = std::getenv("HP_CHAOS_SECONDS");
    budget_ = milliseconds(1000 * (secs && *secs ? std::atoi(secs) : 30));
    rng_.seed(seed_);
    std::printf("chaos seed %llu (HP_CHAOS_SEED=%llu reproduces it)\n",
                static_cast<unsigned long long>(seed_), static_cast<unsigned long long>(seed_));
  }

  void TearDown() override {
    if (!root_.empty()) {
      // Processes first (a failed test's), then the users of the test's group, then its group.
      for (pid_t p : PodProcesses()) ::kill(p, SIGKILL);
      for (const std::string& u : GroupUsers()) (void)!::system(("userdel " + u).c_str());
    }
    if (!group_.empty() && ::getgrnam(group_.c_str())) {
      (void)!::system(("groupdel " + group_).c_str());
    }
    AgentE2E::TearDown();
  }

  int Rand(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Starts `hostprocess --root R ARGS...` without waiting.
  pid_t Spawn(const std::vector<std::string>& args) {
    std::string out = root_ + "/chaos-" + std::to_string(++spawned_);
    std::vector<std::string> all = {"hostprocess", "--root", root_};
    all.insert(all.end(), args.begin(), args.end());
    pid_t pid = ::fork();
    if (pid == 0) {
      int o = ::open((out + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      int n = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      ::dup2(n, 0);
      ::dup2(o, 1);
      ::dup2(o, 2);
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(Binary().c_str(), argv.data());
      ::_exit(127);
    }
    return pid;
  }

  // kill -9 after `ms` (unless it ended before); true when it was killed.
  bool KillAfter(pid_t pid, int ms) {
    auto end = Clock::now() + milliseconds(ms);
    int st = 0;
    while (Clock::now() < end) {
      if (::waitpid(pid, &st, WNOHANG) == pid) return false;
      std::this_thread::sleep_for(milliseconds(2));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
  }

  std::string AgentPod(int k) {
    std::string name = "a-" + std::to_string(k);
    std::string extra = "    env: [{name: HP_CHAOS_POD, value: " + name + "}]\n";
    if (k == 1) extra += "    securityContext: {windowsOptions: {runAsUserName: " + group_ + "}}\n";
    return PodYaml(name, kDaemonScript, "Always", extra, "  volumes: [{name: e, emptyDir: {}}]\n");
  }

  // Every process of this test's pods, supervisors, runs and keepers: their command line or
  // environment names the test's root.
  std::vector<pid_t> PodProcesses(
      std::map<std::string, std::set<std::string>>* sandboxes = nullptr) {
    std::vector<pid_t> out;
    auto procs = sys::ListDir("/proc");
    for (const auto& p : procs ? *procs : std::vector<std::string>{}) {
      if (p.find_first_not_of("0123456789") != std::string::npos) continue;
      pid_t pid = std::stoi(p);
      if (pid == ::getpid()) continue;
      std::string stat = ReadOr("/proc/" + p + "/stat");
      if (stat.empty() || stat.find(") Z ") != std::string::npos) continue;
      std::string cmd = ReadOr("/proc/" + p + "/cmdline");
      std::string env = ReadOr("/proc/" + p + "/environ");
      if (cmd.find(root_) == std::string::npos && env.find(root_) == std::string::npos) continue;
      out.push_back(pid);
      if (!sandboxes) continue;
      std::string pod = EnvOf(env, "HP_CHAOS_POD");
      std::string sandbox = EnvOf(env, "CONTAINER_SANDBOX_MOUNT_POINT");
      if (!pod.empty() && !sandbox.empty()) (*sandboxes)[pod].insert(sandbox);
    }
    return out;
  }

  static std::string EnvOf(const std::string& environ, const std::string& name) {
    std::string key = name + "=";
    for (size_t i = 0; i < environ.size();) {
      size_t end = environ.find('\0', i);
      if (end == std::string::npos) end = environ.size();
      if (environ.compare(i, key.size(), key) == 0) {
        return environ.substr(i + key.size(), end - i - key.size());
      }
      i = end + 1;
    }
    return "";
  }

  // Users whose group is the test's (the ephemeral users of its pods).
  std::vector<std::string> GroupUsers() {
    std::vector<std::string> out;
    ::setpwent();
    while (struct passwd* pw = ::getpwent()) {
      if (pw->pw_gid == gid_ && gid_ != 0) out.push_back(pw->pw_name);
    }
    ::endpwent();
    return out;
  }

  // No pod of the agent runs twice (two container volumes alive for one pod name).
  void CheckNoPodTwice(const std::string& when) {
    std::map<std::string, std::set<std::string>> sandboxes;
    PodProcesses(&sandboxes);
    for (const auto& [pod, set] : sandboxes) {
      if (pod.rfind("a-", 0) != 0) continue;
      max_copies_ = std::max(max_copies_, static_cast<int>(set.size()));
      EXPECT_LE(set.size(), 1u) << "pod " << pod << " runs twice " << when << " (seed " << seed_
                                << ")";
    }
  }

  void DoRun(int round) {
    std::string name = "fg-" + std::to_string(round);
    std::string file = root_ + "/" + name + ".yaml";
    std::string extra = "    env: [{name: HP_CHAOS_POD, value: " + name + "}]\n";
    if (round % 2)
      extra += "    securityContext: {windowsOptions: {runAsUserName: " + group_ + "}}\n";
    ASSERT_TRUE(sys::WriteFile(file, PodYaml(name, kDaemonScript, "Never", extra,
                                             "  volumes: [{name: e, emptyDir: {}}]\n")));
    pid_t run = Spawn({"run", "-f", file, "--cgroup-root", cgroup_root_});
    bool keeper_too = Rand(0, 1) == 1;
    int delay = Rand(0, 1500);
    auto end = Clock::now() + milliseconds(delay);
    while (Clock::now() < end) std::this_thread::sleep_for(milliseconds(2));
    if (keeper_too) {
      // The keeper named by this run's record, if it has one yet.
      auto names = sys::ListDir(root_ + "/run/foreground");
      for (const auto& n : names ? *names : std::vector<std::string>{}) {
        if (n.size() < 5 || n.substr(n.size() - 5) != ".json") continue;
        try {
          auto j = nlohmann::json::parse(ReadOr(root_ + "/run/foreground/" + n));
          if (j.value("pid", 0) == run && j.value("keeper", 0) > 0) {
            ::kill(j.value("keeper", 0), SIGKILL);
            counts_["run: keeper killed too"]++;
          }
        } catch (...) {
        }
      }
    }
    counts_[KillAfter(run, 0) ? "run killed" : "run ended before the kill"]++;
    Trace(fmt::format("run {} killed after {} ms{}", name, delay, keeper_too ? " (+keeper)" : ""));
  }

  void DoApply() {
    int k = Rand(0, kAgentPods - 1);
    std::string file = root_ + "/a-" + std::to_string(k) + ".yaml";
    ASSERT_TRUE(sys::WriteFile(file, AgentPod(k)));
    applied_.insert("a-" + std::to_string(k));
    pid_t pid = Spawn({"apply", "-f", file, "--cgroup-root", cgroup_root_});
    int delay = Rand(0, 400);
    bool killed = KillAfter(pid, delay);
    counts_[killed ? "apply killed" : "apply ended before the kill"]++;
    Trace(fmt::format("apply a-{} {} {} ms", k, killed ? "killed after" : "ended before", delay));
  }

  void DoDelete() {
    std::string name = "a-" + std::to_string(Rand(0, kAgentPods - 1));
    pid_t pid = Spawn({"delete", "pod", name, "--ignore-not-found"});
    int delay = Rand(0, 400);
    bool killed = KillAfter(pid, delay);
    counts_[killed ? "delete killed" : "delete ended before the kill"]++;
    Trace(fmt::format("delete {} {} {} ms", name, killed ? "killed after" : "ended before", delay));
  }

  void DoKillSupervisor() {
    auto keys = sys::ListDir(root_ + "/run/pods");
    if (!keys || keys->empty()) return;
    const std::string& key = (*keys)[static_cast<size_t>(Rand(0, int(keys->size()) - 1))];
    auto st = ReadPodStatus(root_ + "/run/pods/" + key + "/status.json");
    if (st && ProcessAlive(st->supervisor_pid, st->supervisor_start)) {
      ::kill(st->supervisor_pid, SIGKILL);
      counts_["supervisor killed"]++;
      Trace("supervisor of " + key + " killed");
    }
  }

  void DoCorrupt() {
    std::vector<std::string> files = {root_ + "/run/boot_id"};
    auto keys = sys::ListDir(root_ + "/run/pods");
    for (const auto& k : keys ? *keys : std::vector<std::string>{}) {
      for (const char* f : {"pod.json", "status.json", "supervisor.json"}) {
        files.push_back(root_ + "/run/pods/" + k + "/" + f);
      }
    }
    auto desired = sys::ListDir(root_ + "/desired/pods");
    for (const auto& d : desired ? *desired : std::vector<std::string>{}) {
      files.push_back(root_ + "/desired/pods/" + d);
    }
    std::string file = files[static_cast<size_t>(Rand(0, int(files.size()) - 1))];
    auto text = sys::ReadFile(file);
    if (!text) return;
    std::string what = file.find("/desired/") != std::string::npos
                           ? "desired object"
                           : file.substr(file.rfind('/') + 1);
    switch (Rand(0, 2)) {
      case 0:  // truncated, as by a crash in a write without rename
        ASSERT_TRUE(sys::WriteFile(file, text->substr(0, Rand(0, int(text->size()) / 2))));
        counts_[what + " truncated"]++;
        Trace(file.substr(root_.size()) + " truncated");
        break;
      case 1:  // garbage
        ASSERT_TRUE(sys::WriteFile(file, "\x01\xff{\"garbage"));
        counts_[what + " corrupted"]++;
        Trace(file.substr(root_.size()) + " corrupted");
        break;
      default:
        ASSERT_EQ(::unlink(file.c_str()), 0);
        counts_[what + " removed"]++;
        Trace(file.substr(root_.size()) + " removed");
    }
  }

  void Trace(const std::string& line) { trace_ += line + "\n"; }

  void Recover(const std::string& when) {
    Trace("  recover");
    CliResult r = Hp("apply --cgroup-root '" + cgroup_root_ + "'");
    counts_["recoveries"]++;
    EXPECT_EQ(r.rc, 0) << r.err << " (seed " << seed_ << ")";
    CheckNoPodTwice(when);
  }

  std::string group_;
  gid_t gid_ = 0;
  uint64_t seed_ = 0;
  milliseconds budget_{30000};
  std::mt19937_64 rng_;
  int spawned_ = 0;
  std::map<std::string, int> counts_;
  std::string trace_;  // what each round did, printed when the test fails
  std::set<std::string> applied_;
  int max_copies_ = 0;
};

TEST_F(ChaosE2E, KillsAndDamagedStateLeaveNothingBehind) {
  auto start = Clock::now();
  int rounds = 0;
  while (rounds < 60 && Clock::now() - start < budget_ && !HasFailure()) {
    std::string when = "after round " + std::to_string(rounds);
    switch (Rand(0, 9)) {
      case 0:
      case 1:
        DoRun(rounds);
        break;
      case 2:
      case 3:
      case 4:
        DoApply();
        break;
      case 5:
        DoDelete();
        break;
      case 6:
      case 7:
        DoKillSupervisor();
        break;
      default:
        DoCorrupt();
        break;
    }
    if (Rand(0, 2) == 0) Recover(when);
    rounds++;
  }
  auto chaos = Clock::now() - start;
  // Recovery, then every pod and object deleted; `get` reaps what killed runs left.
  Recover("after the last round");
  for (int k = 0; k < kAgentPods; k++) {
    CliResult r = Hp("delete pod a-" + std::to_string(k) + " --ignore-not-found");
    EXPECT_EQ(r.rc, 0) << r.err << " (seed " << seed_ << ")";
  }
  CliResult g = Hp("get pods -A");
  EXPECT_EQ(g.rc, 0) << g.err;

  std::vector<pid_t> procs = PodProcesses();
  auto jobs = job::NewJobManager({cgroup_root_});
  ASSERT_TRUE(jobs);
  auto pods = (*jobs)->ListPods();
  size_t cgroups = pods ? pods->size() : 999;
  size_t mounts = sys::MountPointsUnder(ReadOr("/proc/self/mountinfo"), root_).size();
  auto count = [&](const std::string& dir) {
    auto l = sys::ListDir(root_ + "/" + dir);
    return l ? l->size() : 0;
  };
  size_t users = GroupUsers().size();
  std::printf("chaos: seed %llu, %d rounds in %lld ms, then recovery and delete in %lld ms\n",
              static_cast<unsigned long long>(seed_), rounds,
              static_cast<long long>(std::chrono::duration_cast<milliseconds>(chaos).count()),
              static_cast<long long>(
                  std::chrono::duration_cast<milliseconds>(Clock::now() - start - chaos).count()));
  for (const auto& [what, n] : counts_) std::printf("  %-34s %d\n", what.c_str(), n);
  std::printf("  most copies of one pod seen       %d\n", max_copies_);
  std::printf(
      "left: processes %zu, cgroups %zu, mounts %zu, sandboxes %zu, scratch %zu, pods %zu, "
      "users %zu, leases %zu, run records %zu, pod states %zu\n",
      procs.size(), cgroups, mounts, count("sandboxes"), count("containers"), count("pods"), users,
      count("images/leases"), count("run/foreground"), count("run/pods"));
  std::string seed = " (seed " + std::to_string(seed_) + ")";
  EXPECT_EQ(procs.size(), 0u) << seed;
  EXPECT_EQ(cgroups, 0u) << seed;
  EXPECT_EQ(mounts, 0u) << seed;
  EXPECT_EQ(count("sandboxes"), 0u) << seed;
  EXPECT_EQ(count("containers"), 0u) << seed;
  EXPECT_EQ(count("pods"), 0u) << seed;
  EXPECT_EQ(users, 0u) << seed;
  EXPECT_EQ(count("images/leases"), 0u) << seed;
  EXPECT_EQ(count("run/foreground"), 0u) << seed;
  EXPECT_EQ(count("run/pods"), 0u) << seed;
  if (HasFailure()) {
    std::printf("rounds:\n%s", trace_.c_str());
    for (pid_t p : procs) {
      std::string cmd = ReadOr("/proc/" + std::to_string(p) + "/cmdline");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      std::string stat = ReadOr("/proc/" + std::to_string(p) + "/stat");
      std::printf("left: process %d: %s [%s]\n", p, cmd.c_str(), stat.substr(0, 60).c_str());
    }
    for (const char* dir : {"sandboxes", "containers", "images/leases"}) {
      auto l = sys::ListDir(root_ + "/" + dir);
      for (const auto& n : l ? *l : std::vector<std::string>{})
        std::printf("left: %s/%s\n", dir, n.c_str());
    }
    auto leases = sys::ListDir(root_ + "/images/leases");
    for (const auto& n : leases ? *leases : std::vector<std::string>{})
      std::printf("%s\n", ReadOr(root_ + "/images/leases/" + n).c_str());
  }
}

}  // namespace
}  // namespace hp::agent::testing
