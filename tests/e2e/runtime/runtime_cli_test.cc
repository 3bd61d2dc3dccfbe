// hostprocess-runtime's command line driven directly (no containerd), as root on the real
// cgroups: bundles without cgroupsPath (issue 15 item 1), cgroups the caller made stay (item 5),
// a rootfs that is "/" or a symlink to it (issue 21 item 10), kill -9 during create and corrupt
// state files (issue 21 item 5, with a small seeded chaos loop).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "common/wait.h"
#include "core/base/strings.h"
#include "core/sys/file.h"
#include "e2e/runtime/harness.h"

namespace hp::e2e {
namespace {

class RuntimeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    root_ = dir_ + "/state";
    tag_ = std::to_string(::getpid());
  }
  void TearDown() override {
    if (dir_.empty()) return;
    for (const std::string& id : ids_) (void)Rt({"delete", "--force", id});
    for (const std::string& c : extra_cgroups_)
      for (const std::string& h : CgroupHierarchies()) ::rmdir((h + c).c_str());
  }

  CmdResult Rt(std::vector<std::string> args, int timeout_s = 30) {
    // Through a file: init inherits create's stdio and would hold a pipe open.
    std::vector<std::string> argv = {
        "sh",
        "-c",
        "out=$1; shift; \"$@\" >\"$out\" 2>&1 </dev/null; rc=$?; cat \"$out\"; exit $rc",
        "sh",
        dir_ + "/out.txt",
        HP_RUNTIME_BINARY,
        "--root",
        root_};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv, timeout_s);
  }

  // A bundle whose process is `/bin/sleep <marker>` (a host program), a bind mount of a temp dir
  // under the rootfs, `cgroups_path` ("" → no linux.cgroupsPath at all).
  std::string Bundle(const std::string& name, const std::string& cgroups_path,
                     bool readonly = false, const std::string& root_path = "rootfs") {
    std::string b = dir_ + "/" + name;
    EXPECT_TRUE(sys::MkdirAll(b + "/rootfs"));
    EXPECT_TRUE(sys::MkdirAll(dir_ + "/vol"));
    std::string linux_part = cgroups_path.empty()
                                 ? std::string(R"("linux": {})")
                                 : fmt::format(R"("linux": {{"cgroupsPath": "{}"}})", cgroups_path);
    std::string config = fmt::format(
        R"({{"ociVersion": "1.0.2", "root": {{"path": "{}", "readonly": {}}},
  "process": {{"args": ["/bin/sleep", "{}"], "cwd": "/", "user": {{"uid": 0, "gid": 0}},
               "env": ["PATH=/usr/bin:/bin"]}},
  "mounts": [{{"destination": "/data", "type": "bind", "source": "{}/vol", "options": ["rbind"]}}],
  {}}})",
        root_path, readonly ? "true" : "false", Marker(), dir_, linux_part);
    EXPECT_TRUE(sys::WriteFile(b + "/config.json", config));
    return b;
  }
  std::string Marker() const { return "7" + tag_ + ".25"; }

  // Processes started from our state root (create, init before exec) or running our marker.
  int ProcessesLeft() const {
    int n = 0;
    DIR* d = ::opendir("/proc");
    if (!d) return -1;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      if (std::to_string(::getpid()) == e->d_name) continue;
      auto cmd = sys::ReadFile(std::string("/proc/") + e->d_name + "/cmdline");
      if (!cmd) continue;
      if (cmd->find(root_) != std::string::npos || cmd->find(Marker()) != std::string::npos) ++n;
    }
    ::closedir(d);
    return n;
  }
  int CgroupsLeft(const std::string& path) const {
    int n = 0;
    for (const std::string& h : CgroupHierarchies()) n += sys::Exists(h + path) ? 1 : 0;
    return n;
  }
  int MountsLeft() const {
    auto info = sys::ReadFile("/proc/self/mountinfo");
    int n = 0;
    if (!info) return -1;
    for (const std::string& line : Split(*info, '\n')) n += line.find(dir_) != std::string::npos;
    return n;
  }
  void HooksAndSeccompAfterCreate(bool older_state);
  bool StateLeft(const std::string& id) const { return sys::Exists(root_ + "/" + id); }

  std::string Id(const std::string& name) {
    std::string id = "hprt-" + name + "-" + tag_;
    ids_.push_back(id);
    return id;
  }

  hp::testing::TempDir tmp_{"hp-rtcli-"};
  std::string dir_, root_, tag_;
  std::vector<std::string> ids_, extra_cgroups_;
};

// A runtime process builds only the command it runs (AddCommands): every name --help lists,
// aliases too, still reaches its command, with global flags before it.
TEST_F(RuntimeCli, EveryListedCommandIsReachedByName) {
  auto help = Rt({"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.output;
  auto at = help.output.find("Subcommands:");
  ASSERT_NE(at, std::string::npos) << help.output;
  std::vector<std::string> names;
  for (const std::string& line : Split(help.output.substr(at), '\n')) {
    if (line.size() < 3 || line[0] != ' ') continue;
    std::string first = std::string(TrimSpace(line.substr(0, line.find("  ", 2))));
    for (const std::string& n : Split(first, ','))
      if (!TrimSpace(n).empty()) names.emplace_back(TrimSpace(n));
  }
  ASSERT_GE(names.size(), 13u) << help.output;
  EXPECT_NE(std::find(names.begin(), names.end(), "ls"), names.end()) << help.output;
  for (const std::string& n : names) {
    auto r = Rt({"--log-format", "text", n, "--help"});
    EXPECT_EQ(r.exit_code, 0) << n << ": " << r.output;
    EXPECT_NE(r.output.find("Usage: hostprocess-runtime " + (n == "ls" ? std::string("list") : n)),
              std::string::npos)
        << n << ": " << r.output;
  }
  // A name no command has is still CLI11's error, as with every command built.
  auto bad = Rt({"no-such-command"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("A subcommand is required"), std::string::npos) << bad.output;
}

// Issue 15 item 1: no linux.cgroupsPath (runc spec's default) is accepted; the job is "/<id>".
TEST_F(RuntimeCli, BundleWithoutCgroupsPath) {
  const std::string id = Id("nocg");
  const std::string b = Bundle("nocg", "");
  auto c = Rt({"create", "--bundle", b, id});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(CgroupsLeft("/" + id), static_cast<int>(CgroupHierarchies().size()));
  ASSERT_EQ(Rt({"start", id}).exit_code, 0);
  auto st = Rt({"state", id});
  EXPECT_NE(st.output.find("\"running\""), std::string::npos) << st.output;
  auto d = Rt({"delete", "--force", id});
  EXPECT_EQ(d.exit_code, 0) << d.output;
  EXPECT_EQ(CgroupsLeft("/" + id), 0);
  EXPECT_EQ(ProcessesLeft(), 0);
  EXPECT_EQ(MountsLeft(), 0);
  EXPECT_FALSE(StateLeft(id));
}

// Issue 15 item 5: a pod cgroup that the caller (kubelet) made before stays after the last
// container's delete; the levels the runtime made go.
TEST_F(RuntimeCli, PodCgroupOfTheCallerStays) {
  const std::string pod = "/hprt-pod-" + tag_;
  extra_cgroups_ = {pod};
  auto hs = CgroupHierarchies();
  ASSERT_GE(hs.size(), 2u);
  // kubelet's pod cgroup, here only in the first hierarchy: the others are the runtime's.
  ASSERT_EQ(::mkdir((hs[0] + pod).c_str(), 0755), 0);
  if (sys::Exists(hs[0] + "/cpuset.cpus")) {
    (void)sys::WriteFile(hs[0] + pod + "/cpuset.cpus", *sys::ReadFile(hs[0] + "/cpuset.cpus"));
    (void)sys::WriteFile(hs[0] + pod + "/cpuset.mems", *sys::ReadFile(hs[0] + "/cpuset.mems"));
  }
  const std::string a = Id("a"), b = Id("b");
  ASSERT_EQ(Rt({"create", "--bundle", Bundle("a", pod + "/" + a), a}).exit_code, 0);
  auto cb = Rt({"create", "--bundle", Bundle("b", pod + "/" + b), b});
  ASSERT_EQ(cb.exit_code, 0) << cb.output;
  EXPECT_EQ(CgroupsLeft(pod), static_cast<int>(hs.size()));
  // The creator of the runtime's pod levels goes first: they stay while b is in them.
  ASSERT_EQ(Rt({"delete", "--force", a}).exit_code, 0);
  EXPECT_EQ(CgroupsLeft(pod), static_cast<int>(hs.size()));
  ASSERT_EQ(Rt({"delete", "--force", b}).exit_code, 0);
  EXPECT_TRUE(sys::IsDir(hs[0] + pod)) << "kubelet's pod cgroup was removed";
  EXPECT_EQ(CgroupsLeft(pod), 1) << "the runtime's pod levels stayed";
  EXPECT_EQ(ProcessesLeft(), 0);
}

// Issue 21 item 10: root.path "/" and a symlink to "/" are refused, naming the path, and leave
// no mount point on the host.
TEST_F(RuntimeCli, RootfsThatIsTheHostRootIsRefused) {
  const std::string id = Id("slash");
  auto b = Bundle("slash", "/hprt-" + tag_ + "/" + id, false, "/");
  auto r = Rt({"create", "--bundle", b, id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("rootfs \"/\""), std::string::npos) << r.output;
  ASSERT_EQ(::symlink("/", (dir_ + "/link").c_str()), 0);
  auto b2 = Bundle("slash2", "/hprt-" + tag_ + "/" + id, false, dir_ + "/link");
  r = Rt({"create", "--bundle", b2, id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("symlink"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir_ + "/link"), std::string::npos) << r.output;
  EXPECT_FALSE(sys::Exists("/data/" + Marker()));
  EXPECT_EQ(CgroupsLeft("/hprt-" + tag_), 0);
  EXPECT_FALSE(StateLeft(id));
}

// Issue 21 item 5: a corrupt or truncated state.json does not stop kill and delete --force.
TEST_F(RuntimeCli, CorruptStateStillCleansUp) {
  for (const char* corruption : {"{\"id\": tru", "", "\x01\x02garbage"}) {
    const std::string id = Id("corrupt");
    const std::string cg = "/hprt-" + tag_ + "/" + id;
    ASSERT_EQ(Rt({"create", "--bundle", Bundle("corrupt", cg, true), id}).exit_code, 0);
    ASSERT_EQ(Rt({"start", id}).exit_code, 0);
    ASSERT_TRUE(sys::WriteFile(root_ + "/" + id + "/state.json", corruption));
    auto list = Rt({"list", "--format", "json"});
    EXPECT_NE(list.output.find(id), std::string::npos) << list.output;
    auto k = Rt({"kill", id, "KILL"});
    EXPECT_EQ(k.exit_code, 0) << k.output;
    auto d = Rt({"delete", "--force", id});
    EXPECT_EQ(d.exit_code, 0) << d.output;
    EXPECT_EQ(ProcessesLeft(), 0);
    EXPECT_EQ(CgroupsLeft(cg), 0);
    EXPECT_EQ(CgroupsLeft("/hprt-" + tag_), 0);
    EXPECT_EQ(MountsLeft(), 0);
    EXPECT_FALSE(StateLeft(id));
    ids_.pop_back();
  }
}

// Issue 21 item 5 and its chaos test: kill -9 at random points of create, start and delete,
// and corrupt or truncated state files; after `delete --force` nothing is left. Seeded, bounded.
TEST_F(RuntimeCli, KillNineAnywhereLeavesNothingAfterDeleteForce) {
  const unsigned seed = 1521;
  std::mt19937 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int rounds = 0, killed = 0, corrupted = 0;
  for (; rounds < 24 && std::chrono::steady_clock::now() < deadline; ++rounds) {
    const std::string id = Id("chaos" + std::to_string(rounds));
    const std::string cg = "/hprt-" + tag_ + "/" + id;
    const std::string b = Bundle("chaos", cg, rounds % 2 == 0);
    const int phase = static_cast<int>(rng() % 3);  // 0 create, 1 start, 2 delete
    auto spawn_and_kill = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = {HP_RUNTIME_BINARY, "--root", root_};
      argv.insert(argv.end(), args.begin(), args.end());
      pid_t pid = ::fork();
      if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40000));
      if (::kill(pid, SIGKILL) == 0) ++killed;
      int status;
      ::waitpid(pid, &status, 0);
    };
    if (phase == 0) {
      spawn_and_kill({"create", "--bundle", b, id});
    } else {
      ASSERT_EQ(Rt({"create", "--bundle", b, id}).exit_code, 0);
      if (phase == 1) {
        spawn_and_kill({"start", id});
      } else {
        (void)Rt({"start", id});
        spawn_and_kill({"delete", "--force", id});
      }
    }
    if (rng() % 3 == 0 && sys::Exists(root_ + "/" + id + "/state.json")) {
      std::string file = rng() % 2 ? "/state.json" : "/intent.json";
      auto text = sys::ReadFile(root_ + "/" + id + file);
      if (text) {
        (void)sys::WriteFile(root_ + "/" + id + file, text->substr(0, rng() % (text->size() + 1)));
        ++corrupted;
      }
    }
    auto d = Rt({"delete", "--force", id});
    EXPECT_EQ(d.exit_code, 0) << "round " << rounds << ": " << d.output;
    const int procs = ProcessesLeft(), cgroups = CgroupsLeft(cg), mounts = MountsLeft();
    EXPECT_EQ(procs, 0) << "round " << rounds;
    EXPECT_EQ(cgroups, 0) << "round " << rounds;
    EXPECT_EQ(mounts, 0) << "round " << rounds;
    EXPECT_FALSE(StateLeft(id)) << "round " << rounds;
    ids_.pop_back();
  }
  EXPECT_EQ(CgroupsLeft("/hprt-" + tag_), 0);
  std::printf(
      "runtime chaos: seed %u, %d rounds, %d kill -9, %d corrupted files, left: "
      "%d processes, %d cgroups, %d mounts\n",
      seed, rounds, killed, corrupted, ProcessesLeft(), CgroupsLeft("/hprt-" + tag_), MountsLeft());
}

// Creates of one id at once: exactly one succeeds and its container stays whole (state
// "created", start works); the others say the id exists. Before, one of them could find the
// winner's directory before its lock, take it for a crashed create's leftover, make its
// container there, and the winner then tore it down as stale: one create said it had made the
// container and none was left (6 of 60 rounds of 12 in review).
TEST_F(RuntimeCli, CreatesOfOneIdAtOnceMakeOneContainerAndLeaveItWhole) {
  const std::string id = Id("race");
  const std::string cg = "/hprt-" + tag_ + "/" + id;
  const std::string b = Bundle("race", cg);
  // What creates killed before they published their directory left: removed by the next
  // create (unlocked, or older than 10 s without its lock file).
  ASSERT_TRUE(sys::MkdirAll(root_ + "/.new-killed", 0711));
  ASSERT_TRUE(sys::WriteFile(root_ + "/.new-killed/.lock", ""));
  ASSERT_TRUE(sys::MkdirAll(root_ + "/.new-lockless", 0711));
  struct timeval old[2] = {{1, 0}, {1, 0}};
  ASSERT_EQ(::utimes((root_ + "/.new-lockless").c_str(), old), 0);
  for (int round = 0; round < 20; ++round) {
    std::vector<pid_t> pids;
    for (int i = 0; i < 10; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        ::execl(HP_RUNTIME_BINARY, HP_RUNTIME_BINARY, "--root", root_.c_str(), "create", "--bundle",
                b.c_str(), id.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
      pids.push_back(pid);
    }
    int made = 0;
    for (pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      made += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    EXPECT_EQ(made, 1) << "round " << round;
    auto st = Rt({"state", id});
    EXPECT_EQ(st.exit_code, 0) << "round " << round << ": " << st.output;
    EXPECT_NE(st.output.find("\"status\": \"created\""), std::string::npos)
        << "round " << round << ": " << st.output;
    EXPECT_EQ(Rt({"start", id}).exit_code, 0) << "round " << round;
    EXPECT_EQ(Rt({"kill", id, "0"}).exit_code, 0) << "round " << round;  // alive (runc's)
    EXPECT_EQ(Rt({"delete", "--force", id}).exit_code, 0) << "round " << round;
    if (HasFailure()) break;
  }
  auto entries = sys::ListDir(root_);
  ASSERT_TRUE(entries);
  for (const std::string& e : *entries) EXPECT_NE(e.rfind(".new-", 0), 0u) << e;
  EXPECT_EQ(ProcessesLeft(), 0);
  EXPECT_EQ(CgroupsLeft(cg), 0);
}

// Issue 15 item 3: linux.seccomp is applied to init, for root without CAP_SYS_ADMIN and without
// no_new_privs (loaded before the identity change) and for an unprivileged user with
// no_new_privs (loaded last): the denied syscall fails with errnoRet, and Seccomp is 2.
TEST_F(RuntimeCli, SeccompProfileIsApplied) {
  ASSERT_TRUE(sys::MkdirAll(dir_ + "/out", 0777));
  ::chmod((dir_ + "/out").c_str(), 0777);
  ::chmod(dir_.c_str(), 0755);
  const std::string seccomp = R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]})";
  struct Case {
    std::string name, user, caps;
    bool nnp;
  };
  for (const Case& c :
       {Case{"root", R"({"uid": 0, "gid": 0})", R"(["CAP_CHOWN", "CAP_KILL"])", false},
        Case{"nobody", R"({"uid": 65534, "gid": 65534})", "[]", true}}) {
    const std::string id = Id("seccomp-" + c.name);
    const std::string out = dir_ + "/out/" + c.name;
    const std::string b = dir_ + "/sc-" + c.name;
    ASSERT_TRUE(sys::MkdirAll(b + "/rootfs"));
    std::string config = fmt::format(
        R"({{"ociVersion": "1.0.2", "root": {{"path": "rootfs"}},
  "process": {{"args": ["/bin/sh", "-c", "mkdir {0}.d; echo rc=$?; grep Seccomp: /proc/self/status; echo done"],
     "cwd": "/", "user": {1}, "noNewPrivileges": {2}, "env": ["PATH=/usr/bin:/bin"],
     "capabilities": {{"bounding": {3}, "effective": {3}, "permitted": {3}}}}},
  "linux": {{"cgroupsPath": "/hprt-{4}/{5}", {6}}}}})",
        out, c.user, c.nnp ? "true" : "false", c.caps, tag_, id, seccomp);
    ASSERT_TRUE(sys::WriteFile(b + "/config.json", config));
    auto cr = Rt({"create", "--bundle", b, id});
    ASSERT_EQ(cr.exit_code, 0) << cr.output;
    // init's stdout is create's: the wrapper's out.txt, which init keeps open.
    ASSERT_EQ(Rt({"start", id}).exit_code, 0);
    std::string text;
    hp::testing::WaitFor(
        [&] {
          text = sys::ReadFile(dir_ + "/out.txt").value_or("");
          return text.find("done") != std::string::npos;
        },
        20000, 10);
    EXPECT_NE(text.find("Invalid cross-device link"), std::string::npos) << c.name << ": " << text;
    EXPECT_NE(text.find("rc=1"), std::string::npos) << text;
    EXPECT_NE(text.find("Seccomp:\t2"), std::string::npos) << text;
    EXPECT_FALSE(sys::Exists(out + ".d"));
    EXPECT_EQ(Rt({"delete", "--force", id}).exit_code, 0);
    ids_.pop_back();
  }
}

// A container with hooks (startContainer, poststart, poststop, each appending its name to a log)
// and a seccomp filter that fails mkdir with EXDEV: created, then (`older_state`) made to look
// like a container of a runtime before the config was kept in its state, or its bundle's
// config.json damaged; started, exec'd in and deleted. The hooks and the filter hold either way.
void RuntimeCli::HooksAndSeccompAfterCreate(bool older_state) {
  const std::string id = Id(older_state ? "older" : "config");
  const std::string b = dir_ + "/" + id;
  const std::string log = dir_ + "/" + id + ".hooks";
  ASSERT_TRUE(sys::MkdirAll(b + "/rootfs"));
  auto hook = [&](const std::string& name) {
    return fmt::format(R"([{{"path": "/bin/sh", "args": ["sh", "-c", "echo {} >> {}"]}}])", name,
                       log);
  };
  std::string config = fmt::format(
      R"({{"ociVersion": "1.0.2", "root": {{"path": "rootfs"}},
  "process": {{"args": ["/bin/sleep", "{0}"], "cwd": "/", "user": {{"uid": 0, "gid": 0}},
               "env": ["PATH=/usr/bin:/bin"]}},
  "hooks": {{"startContainer": {1}, "poststart": {2}, "poststop": {3}}},
  "linux": {{"cgroupsPath": "/hprt-{4}/{5}",
    "seccomp": {{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": [{{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}}]}}}}}})",
      Marker(), hook("startContainer"), hook("poststart"), hook("poststop"), tag_, id);
  ASSERT_TRUE(sys::WriteFile(b + "/config.json", config));
  auto cr = Rt({"create", "--bundle", b, id});
  ASSERT_EQ(cr.exit_code, 0) << cr.output;
  const std::string state = root_ + "/" + id + "/state.json";
  if (older_state) {
    auto text = sys::ReadFile(state);
    ASSERT_TRUE(text);
    auto j = nlohmann::json::parse(*text);
    ASSERT_TRUE(j.contains("config")) << *text;
    j.erase("config");
    ASSERT_TRUE(sys::WriteFile(state, j.dump(2)));
    ASSERT_EQ(::unlink((root_ + "/" + id + "/seccomp.bin").c_str()), 0);
  } else {
    ASSERT_TRUE(sys::WriteFile(b + "/config.json", "{ damaged after create"));
  }

  auto st = Rt({"start", id});
  ASSERT_EQ(st.exit_code, 0) << st.output;
  EXPECT_EQ(sys::ReadFile(log).value_or(""), "startContainer\npoststart\n");

  const std::string made = dir_ + "/" + id + ".d";
  ASSERT_TRUE(sys::WriteFile(
      dir_ + "/p.json",
      fmt::format(
          R"({{"args": ["/bin/sh", "-c", "mkdir {}; echo rc=$?; grep Seccomp: /proc/self/status"],
                      "cwd": "/", "user": {{"uid": 0, "gid": 0}}, "env": ["PATH=/usr/bin:/bin"]}})",
          made)));
  auto ex = Rt({"exec", "--process", dir_ + "/p.json", id});
  EXPECT_EQ(ex.exit_code, 0) << ex.output;
  EXPECT_NE(ex.output.find("Invalid cross-device link"), std::string::npos) << ex.output;
  EXPECT_NE(ex.output.find("Seccomp:\t2"), std::string::npos) << ex.output;
  EXPECT_FALSE(sys::Exists(made));

  // A damaged copy of the filter, or for an older state a bundle that cannot be read, fails the
  // exec rather than running the process without the filter.
  if (older_state) {
    ASSERT_TRUE(sys::WriteFile(b + "/config.json", "{ damaged after exec"));
  } else {
    ASSERT_TRUE(sys::WriteFile(root_ + "/" + id + "/seccomp.bin", "hp-seccomp-cache 3\nshort"));
  }
  auto bad = Rt({"exec", "--process", dir_ + "/p.json", id});
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("seccomp filter"), std::string::npos) << bad.output;
  EXPECT_EQ(bad.output.find("rc="), std::string::npos) << bad.output;
  // The older state's delete reads its poststop hook from the bundle.
  if (older_state) ASSERT_TRUE(sys::WriteFile(b + "/config.json", config));

  ASSERT_EQ(Rt({"delete", "--force", id}).exit_code, 0);
  ids_.pop_back();
  EXPECT_EQ(sys::ReadFile(log).value_or(""), "startContainer\npoststart\npoststop\n");
  EXPECT_EQ(ProcessesLeft(), 0);
  EXPECT_EQ(CgroupsLeft("/hprt-" + tag_), 0);
}

// What start, exec and delete need of config.json is kept at create, as runc keeps the config in
// its state: they do not read the bundle again (here damaged after create).
TEST_F(RuntimeCli, StartExecAndDeleteUseTheConfigOfCreate) { HooksAndSeccompAfterCreate(false); }

// A container created by a runtime before that (no config in its state, no seccomp.bin): the
// commands read the bundle's config.json, as they did.
TEST_F(RuntimeCli, AStateWithoutTheKeptConfigReadsTheBundle) { HooksAndSeccompAfterCreate(true); }

// A relative --root names a directory of the caller's working directory, as runc's does: the
// container's init, which opens its exec fifo there after changing to the container's working
// directory, still finds it, and start runs the process.
TEST_F(RuntimeCli, ARelativeRootIsTheCallersDirectory) {
  const std::string id = Id("relroot");
  std::string b = Bundle("relroot", "/hprt-" + tag_ + "/" + id);
  auto rt = [&](const std::string& args) {
    return e2e::Run({"sh", "-c",
                     fmt::format("cd {} && {} --root rel-state {} >out-rel.txt 2>&1 </dev/null; "
                                 "rc=$?; cat out-rel.txt; exit $rc",
                                 dir_, HP_RUNTIME_BINARY, args)},
                    30);
  };
  auto cr = rt("create --bundle " + b + " " + id);
  ASSERT_EQ(cr.exit_code, 0) << cr.output;
  EXPECT_TRUE(sys::Exists(dir_ + "/rel-state/" + id + "/state.json"));
  auto st = rt("start " + id);
  EXPECT_EQ(st.exit_code, 0) << st.output;
  auto state = rt("state " + id);
  EXPECT_NE(state.output.find("\"running\""), std::string::npos) << state.output;
  EXPECT_EQ(rt("delete --force " + id).exit_code, 0);
  ids_.pop_back();
  EXPECT_EQ(ProcessesLeft(), 0);
  EXPECT_EQ(CgroupsLeft("/hprt-" + tag_), 0);
}

}  // namespace
}  // namespace hp::e2e
