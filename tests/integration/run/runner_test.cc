// The container runner and the pod runner on this machine: accounts, host namespaces, the
// service account volume, commands, limits, stop, exit codes, and no leftovers (TearDown).
#include <grp.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

using std::chrono::milliseconds;

TEST_F(RunFixture, EchoExitCodeAndCriLog) {
  Decode(Pod(R"Y(  - name: hello
    image: local
    command: [sh, -c, "echo hello; echo oops >&2; exit 3"]
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 3) << events_;
  EXPECT_NE(out_.find("[hello] hello\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[hello] oops\n"), std::string::npos) << out_;
  ASSERT_EQ(r.containers.size(), 1u);
  std::string log = ReadOr(r.containers[0].log_path);
  EXPECT_EQ(r.containers[0].log_path,
            root_ + "/logs/default_p_" + pod_->metadata.uid + "/hello/0.log");
  EXPECT_NE(log.find(" stdout F hello\n"), std::string::npos) << log;
  EXPECT_NE(log.find(" stderr F oops\n"), std::string::npos) << log;
}

TEST_F(RunFixture, InitContainersRunFirstAndFailureStopsThePod) {
  Decode(Pod(R"Y(  - name: main
    image: local
    command: [sh, -c, "cat $CONTAINER_SANDBOX_MOUNT_POINT/../../pods/x 2>/dev/null; echo main"]
)Y",
             R"Y(  initContainers:
  - {name: init1, image: local, command: [sh, -c, "echo first"]}
  - {name: init2, image: local, command: [sh, -c, "echo second; exit 7"]}
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_NE(out_.find("[init1] first\n[init2] second\n"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("[main]"), std::string::npos) << out_;
}

// A uid that is not one path component is refused before anything is made or removed: the
// pod's directory, logs and job are named by it, and the clean-up removes the directory.
TEST_F(RunFixture, APodUidThatIsNotOnePathComponentIsRefusedAndRemovesNothing) {
  ASSERT_TRUE(sys::MkdirAll(root_ + "/victim"));
  ASSERT_TRUE(sys::WriteFile(root_ + "/victim/keep", "keep"));
  for (const char* uid : {"../victim", "a/../../victim", ".hidden", ""}) {
    Decode(Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y"));
    pod_->metadata.uid = uid;
    PodRunOptions o;
    o.runner = Options();
    PodRunner runner(o);
    auto r = runner.Run(*pod_, objects_);
    ASSERT_FALSE(r) << uid;
    EXPECT_EQ(r.error().message().rfind("metadata.uid: ", 0), 0u) << r.error().ToString();
    EXPECT_EQ(ReadOr(root_ + "/victim/keep"), "keep") << uid;
    EXPECT_FALSE(sys::Exists(root_ + "/pods")) << uid;
    EXPECT_FALSE(sys::Exists(root_ + "/logs")) << uid;
  }
}

// Two pods of a group, one after the other: the second pod's ephemeral user has another uid
// and cannot read the 0600 file the first left in a shared directory (useradd handed the
// removed user's uid to the next one before).
TEST_F(RunFixture, EphemeralUsersOfTwoPodsNeverShareAUidOrItsFiles) {
  ASSERT_EQ(::system("getent group hp-it-group2 >/dev/null || groupadd hp-it-group2"), 0);
  const std::string shared = root_ + "-shared";
  ASSERT_TRUE(sys::MkdirAll(shared));
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  std::vector<std::string> uids;
  for (const char* script : {"id -u; echo private > SHARED/left && chmod 600 SHARED/left",
                             "id -u; cat SHARED/left 2>/dev/null || echo cannot-read"}) {
    out_.clear();
    std::string cmd = script;
    for (size_t at; (at = cmd.find("SHARED")) != std::string::npos;) cmd.replace(at, 6, shared);
    Decode(Pod("  - name: c\n    image: local\n    command: [sh, -c, '" + cmd +
               "']\n    securityContext: {windowsOptions: {runAsUserName: hp-it-group2}}\n"));
    PodResult r = RunPod();
    EXPECT_EQ(r.exit_code, 0) << out_ << events_;
    uids.push_back(out_.substr(0, out_.find('\n')));
  }
  (void)::system("groupdel hp-it-group2");
  (void)sys::RemoveAll(shared);
  ASSERT_EQ(uids.size(), 2u);
  EXPECT_NE(uids[0], uids[1]);
  std::string last = ReadOr(tmp_.path() + "/last-uid");
  EXPECT_EQ(uids[1] + "\n", "[c] " + last) << "the second uid is not the record's";
  EXPECT_NE(out_.find("[c] cannot-read\n"), std::string::npos) << out_;
}

struct AccountCase {
  const char* run_as_user_name;
  std::string expected_user;
};

TEST_F(RunFixture, WhoamiForEachAccountMapping) {
  // A group with no user of the same name → an ephemeral user.
  ASSERT_EQ(::system("getent group hp-it-group >/dev/null || groupadd hp-it-group"), 0);
  std::vector<AccountCase> cases = {
      {"NT AUTHORITY\\SYSTEM", "root"},
      {"NT AUTHORITY\\Local service", "hp-localservice"},
      {"NT AUTHORITY\\NetworkService", "hp-networkservice"},
      {"nobody", "nobody"},
      {".\\nobody", "nobody"},
      {"SOMEHOST\\nobody", "nobody"},
  };
  for (const AccountCase& c : cases) {
    out_.clear();
    Decode(Pod(std::string(R"Y(  - name: who
    image: local
    command: [sh, -c, "whoami; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status"]
    securityContext: {windowsOptions: {runAsUserName: ")Y") +
               [&] {
                 std::string s;
                 for (const char* p = c.run_as_user_name; *p; ++p) {
                   if (*p == '\\')
                     s += "\\\\";
                   else
                     s += *p;
                 }
                 return s;
               }() +
               "\"}}\n"));
    PodResult r = RunPod();
    EXPECT_EQ(r.exit_code, 0) << c.run_as_user_name << "\n" << events_;
    EXPECT_NE(out_.find("[who] " + c.expected_user + "\n"), std::string::npos)
        << c.run_as_user_name << ": " << out_;
    if (c.expected_user == "root") {
      EXPECT_NE(out_.find("NoNewPrivs:\t0"), std::string::npos) << out_;
    } else {
      EXPECT_NE(out_.find("NoNewPrivs:\t1"), std::string::npos) << out_;
    }
    if (c.expected_user == "hp-networkservice") {
      EXPECT_NE(out_.find("CapEff:\t0000000000000400"), std::string::npos) << out_;
    } else if (c.expected_user != "root") {
      EXPECT_NE(out_.find("CapEff:\t0000000000000000"), std::string::npos) << out_;
    }
  }
  // The group: an ephemeral user that is gone afterwards.
  out_.clear();
  Decode(Pod(R"Y(  - name: who
    image: local
    command: [sh, -c, "whoami; id -gn"]
    securityContext: {windowsOptions: {runAsUserName: "hp-it-group"}}
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << events_;
  EXPECT_NE(out_.find("[who] hp-"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[who] hp-it-group\n"), std::string::npos) << out_;
  std::string name = out_.substr(out_.find("[who] hp-") + 6);
  name = name.substr(0, name.find('\n'));
  EXPECT_EQ(::getpwnam(name.c_str()), nullptr) << "ephemeral user " << name << " left behind";
  (void)::system("groupdel hp-it-group");

  // runAsUser / runAsNonRoot.
  out_.clear();
  Decode(Pod(R"Y(  - name: who
    image: local
    command: [sh, -c, "id -u"]
    securityContext: {runAsUser: 65534}
)Y"));
  r = RunPod();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(out_.find("[who] 65534\n"), std::string::npos) << out_;
  Decode(Pod(R"Y(  - name: who
    image: local
    command: [sh, -c, "id -u"]
    securityContext: {runAsNonRoot: true, windowsOptions: {runAsUserName: "NT AUTHORITY\\SYSTEM"}}
)Y"));
  r = RunPod();
  EXPECT_EQ(r.exit_code, kStartErrorExitCode);
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_NE(r.containers[0].error.find("container has runAsNonRoot and image will run as root"),
            std::string::npos)
      << r.containers[0].error;
}

TEST_F(RunFixture, HostnameAndNetworkInterfacesAreTheHosts) {
  Decode(Pod(R"Y(  - name: net
    image: local
    command: [sh, -c, "hostname; ls /sys/class/net | tr '\\n' ' '; echo; echo HOSTNAME=$HOSTNAME"]
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_NE(out_.find(std::string("[net] ") + host + "\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find(std::string("[net] HOSTNAME=") + host + "\n"), std::string::npos) << out_;
  std::string ifaces;
  auto names = sys::ListDir("/sys/class/net");
  ASSERT_TRUE(names);
  std::sort(names->begin(), names->end());
  for (const auto& n : *names) ifaces += n + " ";
  EXPECT_NE(out_.find("[net] " + ifaces + "\n"), std::string::npos) << out_ << " vs " << ifaces;
}

TEST_F(RunFixture, ServiceAccountTokenByRelativePathAndSandboxVariable) {
  Decode(Pod(R"Y(  - name: sa
    image: local
    command: [sh, -c, "pwd; cat var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; cut -c1-3 $CONTAINER_SANDBOX_MOUNT_POINT/var/run/secrets/kubernetes.io/serviceaccount/token; ls ${CONTAINER_SANDBOX_MOUNT_POINT}var/run/secrets/kubernetes.io/serviceaccount"]
    securityContext: {windowsOptions: {runAsUserName: "NT AUTHORITY\\Local service"}}
)Y"));
  ASSERT_EQ(::symlink("busybox", (rootfs_ + "/bin/cut").c_str()), 0);
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find("[sa] " + root_ + "/sandboxes/"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[sa] default\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[sa] eyJ\n"), std::string::npos) << out_;  // a JWT
  EXPECT_NE(out_.find("[sa] ca.crt\n[sa] namespace\n[sa] token\n"), std::string::npos) << out_;
}

TEST_F(RunFixture, PathWorkingDirAndCommandVariants) {
  Decode(Pod(R"Y(  - name: a
    image: local
    command: ["./my dir/run me.sh", "with space", "it's \"quoted\""]
  - name: b
    image: local
    workingDir: "data/$(SUB)"
    command: [sh, -c, "pwd; echo $0 $1", "${CONTAINER_SANDBOX_MOUNT_POINT}bin/x y", "$(SUB)"]
    env: [{name: SUB, value: "sub dir"}]
  - name: c
    image: local
    workingDir: /tmp
    command: ["$CONTAINER_SANDBOX_MOUNT_POINT/bin/busybox", pwd]
  - name: d
    image: local
    command: [whoami]
    env: [{name: PATH, value: /nonexistent}]
  - name: e
    image: local
    command: [no-such-program]
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, kStartErrorExitCode);
  EXPECT_NE(out_.find("[a] script: 2 args: with space|it's \"quoted\"\n"), std::string::npos)
      << out_;
  EXPECT_NE(out_.find("/data/sub dir\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("bin/x y sub dir\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[c] /tmp\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[d] root\n"), std::string::npos) << out_;  // found via the image's PATH
  ASSERT_EQ(r.containers.size(), 5u);
  // The image's PATH inside the sandbox first, then the host's.
  const std::string& e = r.containers[4].error;
  size_t image =
      e.find("executable \"no-such-program\" not found; searched: \"" + root_ + "/sandboxes/");
  size_t host = e.find("\"/usr/local/sbin/no-such-program\"");
  EXPECT_NE(image, std::string::npos) << e;
  EXPECT_NE(host, std::string::npos) << e;
  EXPECT_LT(image, host) << e;
  EXPECT_NE(e.find("\"/bin/no-such-program\""), std::string::npos) << e;
}

TEST_F(RunFixture, MemoryHogIsOomKilledInsideItsJob) {
  Decode(Pod(R"Y(  - name: hog
    image: local
    command: [sh, -c, "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"]
    resources: {limits: {memory: 32Mi}}
)Y"));
  PodResult r = RunPod(milliseconds(60000));
  ASSERT_EQ(r.containers.size(), 1u);
  ASSERT_TRUE(r.containers[0].exit);
  EXPECT_EQ(r.containers[0].exit->signal, SIGKILL) << out_;
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(out_.find("survived"), std::string::npos);
}

TEST_F(RunFixture, ForkBombIsHeldByThePidsLimit) {
  // Forks without end. The processes it made stay when a failed fork ends the shell (dash
  // gives up at once), so the job stays at its limit until stopped, whatever the shell.
  Decode(Pod(R"Y(  - name: bomb
    image: local
    command: [sh, -c, "while :; do sleep 100 & done"]
)Y",
             "", "{hostprocess.io/pids-max: \"16\"}"));
  auto runner = CreateRunner();
  ASSERT_TRUE(runner) << runner.error().ToString();
  ASSERT_TRUE((*runner)->Start());
  // Sampled for at least 1 s, and until the bomb reached its limit (up to 10 s on a loaded
  // machine).
  size_t max_seen = 0;
  for (int i = 0; i < 200 && (i < 20 || max_seen < 16u); ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    auto pids = (*runner)->job()->Pids();
    ASSERT_TRUE(pids);
    max_seen = std::max(max_seen, pids->size());
  }
  EXPECT_GT(max_seen, 8u);   // the bomb did run
  EXPECT_LE(max_seen, 16u);  // and was held
  // This process can still fork.
  EXPECT_EQ(::system("true"), 0);
  ASSERT_TRUE((*runner)->Stop(milliseconds(0)));
  auto st = (*runner)->Wait();
  ASSERT_TRUE(st) << st.error().ToString();
  ASSERT_TRUE(*st);  // the first shell ended (killed, or failed to fork)
  auto pids = (*runner)->job()->Pids();
  ASSERT_TRUE(pids);
  EXPECT_TRUE(pids->empty());
  EXPECT_TRUE((*runner)->Teardown());
  EXPECT_TRUE(jobs_->DestroyPod(PodJobId(*pod_)));
}

TEST_F(RunFixture, DaemonisedChildIsKilledWhenTheContainerEnds) {
  Decode(Pod(R"Y(  - name: d
    image: local
    command: [sh, -c, "setsid sleep 1000 >/dev/null 2>&1 & echo $!"]
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0);
  std::string pid = out_.substr(out_.find("[d] ") + 4);
  pid = pid.substr(0, pid.find('\n'));
  ASSERT_FALSE(pid.empty());
  std::string stat = ReadOr("/proc/" + pid + "/stat");
  EXPECT_TRUE(stat.empty() || stat.find(") Z") != std::string::npos) << "pid " << pid << " alive";
}

TEST_F(RunFixture, SigtermIgnoringProgramIsKilledAfterTheGracePeriod) {
  Decode(Pod(R"Y(  - name: stubborn
    image: local
    command: [sh, -c, "trap '' TERM; echo ready; sleep 1000"]
)Y"));
  // The timeout counts from Run's start, the container's set-up included: it leaves the shell
  // time to set its trap even on a loaded machine under the sanitizers (0.5 s did not always).
  auto start = std::chrono::steady_clock::now();
  PodResult r = RunPod(milliseconds(2000));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(out_.find("[stubborn] ready"), std::string::npos) << out_;
  ASSERT_EQ(r.containers.size(), 1u);
  ASSERT_TRUE(r.containers[0].exit);
  EXPECT_EQ(r.containers[0].exit->signal, SIGKILL);
  EXPECT_GE(took, milliseconds(3900));  // 2 s timeout + 2 s grace
  EXPECT_LT(took, milliseconds(12000));
}

TEST_F(RunFixture, VolumesHostPathEmptyDirConfigMapAndSocketRefused) {
  std::string host_dir = root_ + "/hostdir";
  ASSERT_TRUE(sys::MkdirAll(host_dir));
  ASSERT_TRUE(sys::WriteFile(host_dir + "/f", "from host"));
  Decode(Pod(R"Y(  - name: v
    image: local
    command: [sh, -c, "cat h/f; echo; cat cfg/color; echo; echo x > e/file && cat e/file; (echo ro > cfg/new) 2>/dev/null || echo read-only"]
    volumeMounts:
    - {name: h, mountPath: /h}
    - {name: e, mountPath: e}
    - {name: cfg, mountPath: /cfg}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {color: blue}
)Y",
             "  volumes:\n  - {name: h, hostPath: {path: " + host_dir +
                 ", type: Directory}}\n  - {name: e, emptyDir: {medium: Memory}}\n"
                 "  - {name: cfg, configMap: {name: cm}}\n"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find("[v] from host\n[v] blue\n[v] x\n[v] read-only\n"), std::string::npos)
      << out_;

  Decode(Pod(R"Y(  - name: s
    image: local
    command: [sh, -c, "true"]
    volumeMounts: [{name: s, mountPath: /run/s.sock}]
)Y",
             "  volumes: [{name: s, hostPath: {path: /run/x.sock, type: Socket}}]\n"));
  r = RunPod();
  EXPECT_EQ(r.exit_code, kStartErrorExitCode);
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_NE(r.containers[0].error.find("use the socket by its host path \"/run/x.sock\""),
            std::string::npos)
      << r.containers[0].error;
}

TEST_F(RunFixture, SymlinkInImageResolvesAMountInsideTheSandbox) {
  // The image's /escape -> /etc is the image's /etc: the mount lands in <sandbox>/etc.
  ASSERT_EQ(::symlink("/etc", (rootfs_ + "/escape").c_str()), 0);
  ASSERT_EQ(::symlink("../../..", (rootfs_ + "/up").c_str()), 0);
  Decode(Pod(R"Y(  - name: x
    image: local
    command: [sh, -c, "test -d etc/hp-should-not-exist && test -d hp-up-target && echo inside"]
    volumeMounts:
    - {name: e, mountPath: /escape/hp-should-not-exist}
    - {name: e, mountPath: up/hp-up-target}
)Y",
             "  volumes: [{name: e, emptyDir: {}}]\n"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_FALSE(sys::Exists("/etc/hp-should-not-exist"));
  // ../../.. from <root>/sandboxes/<id>/ is root_'s parent on the host.
  EXPECT_FALSE(sys::Exists(root_.substr(0, root_.rfind('/')) + "/hp-up-target"));
  EXPECT_NE(out_.find("[x] inside\n"), std::string::npos) << out_ << events_;
}

TEST_F(RunFixture, NestedMountsGoParentFirstWhateverTheManifestOrder) {
  // m/sub listed before m: mounted in that order, m would hide m/sub (issue 21 item 9).
  Decode(Pod(R"Y(  - name: c
    image: local
    command: [sh, -c, "echo x > m/sub/f && test ! -e m/f && ls m"]
    volumeMounts:
    - {name: a, mountPath: m/sub}
    - {name: b, mountPath: m}
)Y",
             "  volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]\n"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find("[c] sub\n"), std::string::npos) << out_;
}

}  // namespace
}  // namespace hp::pod::testing
