// The account model of SPEC §4 "Permissions" (docs/security.md), attacked as issue 13 found it:
// a second local account (`nobody`) probes a running pod's files; symlinks planted by a container
// or an image try to turn the node's "create and chown" into a write outside the sandbox; a
// symlink planted by another user tries to place the absolute layout's mount points elsewhere.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

class Security : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (::system("command -v setpriv >/dev/null") != 0) GTEST_SKIP() << "needs setpriv";
  }
  // Runs `cmd` (sh) as nobody; its exit code.
  int AsNobody(const std::string& cmd) {
    std::string full = "setpriv --reuid=65534 --regid=65534 --clear-groups -- /bin/busybox sh -c " +
                       Quoted(cmd) + " >/dev/null 2>&1";
    int rc = ::system(full.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  static std::string Quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  // Starts the decoded pod in a thread; returns the sandbox of its container once `ready`
  // exists in it (written by the container).
  std::string StartAndWait() {
    run_ = std::thread([this] { result_ = RunPod(std::chrono::milliseconds(30000)); });
    for (int i = 0; i < 400; ++i) {
      auto ids = sys::ListDir(root_ + "/sandboxes");
      if (ids) {
        for (const std::string& id : *ids) {
          std::string s = root_ + "/sandboxes/" + id;
          if (sys::Exists(s + "/ready")) return s;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return "";
  }
  void Finish(const std::string& sandbox) {
    if (!sandbox.empty()) (void)sys::WriteFile(sandbox + "/done", "");
    if (run_.joinable()) run_.join();
  }
  std::thread run_;
  PodResult result_;
};

constexpr const char* kWait = "touch ready; while [ ! -e done ]; do sleep 0.05; done";

TEST_F(Security, NobodyReachesNothingOfAPodItsAccountReachesItsOwn) {
  Decode(
      Pod(std::string(R"Y(  - name: c
    image: local
    securityContext:
      windowsOptions: {runAsUserName: "NT AUTHORITY\\Local service"}
    command: [sh, -c, "cat var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null && cat s/key >/dev/null && echo mine > e/mine && )Y") +
              kWait + R"Y("]
    volumeMounts:
    - {name: s, mountPath: s}
    - {name: e, mountPath: e}
)Y",
          "  volumes:\n  - {name: s, secret: {secretName: sec}}\n  - {name: e, emptyDir: {}}\n") +
      "---\napiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData: {key: s3cret}\n");
  std::string sandbox = StartAndWait();
  ASSERT_FALSE(sandbox.empty()) << out_ << events_;
  const std::string token = sandbox + "/var/run/secrets/kubernetes.io/serviceaccount/token";
  // Everything exists (root sees it): the probes below can only fail for want of permission.
  ASSERT_TRUE(sys::Exists(token));
  ASSERT_TRUE(sys::Exists(sandbox + "/s/key"));
  ASSERT_TRUE(sys::Exists(sandbox + "/e/mine")) << "the container's account reached its own files";
  struct stat st;
  ASSERT_EQ(::stat(sandbox.c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u) << "the sandbox belongs to the container's account";
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  for (const std::string& probe : {
           "ls '" + root_ + "'",
           "ls '" + root_ + "/sandboxes'",
           "ls '" + sandbox + "'",
           "cat '" + token + "'",
           "cat '" + sandbox + "/s/key'",
           "echo x > '" + sandbox + "/e/x'",
           "ls '" + root_ + "/pods'",
           "ls '" + root_ + "/containers'",
           "ls '" + root_ + "/logs'",
       }) {
    EXPECT_NE(AsNobody(probe), 0) << "nobody could: " << probe;
  }
  // A walk of the whole root finds nothing readable or writable of the pod.
  EXPECT_NE(
      AsNobody("find '" + root_ + "' -mindepth 2 -readable -o -mindepth 2 -writable | grep ."), 0);
  Finish(sandbox);
  EXPECT_EQ(result_.exit_code, 0) << out_ << events_;
}

TEST_F(Security, WorkingDirThroughAPlantedSymlinkStaysInTheSandbox) {
  // An init container plants e/link -> <victim> (a root-owned host directory); the main
  // container, as Local service, asks for workingDir e/link/owned.
  std::string victim = root_ + "-victim";
  ASSERT_TRUE(sys::MkdirAll(victim, 0755));
  Decode(Pod(R"Y(  - name: main
    image: local
    workingDir: e/link/owned
    securityContext:
      windowsOptions: {runAsUserName: "NT AUTHORITY\\Local service"}
    command: [pwd]
    volumeMounts: [{name: e, mountPath: e}]
)Y",
             "  volumes: [{name: e, emptyDir: {}}]\n  initContainers:\n  - name: plant\n"
             "    image: local\n    command: [ln, -s, " +
                 victim + ", e/link]\n    volumeMounts: [{name: e, mountPath: e}]\n"));
  PodResult r = RunPod(std::chrono::milliseconds(30000));
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_FALSE(sys::Exists(victim + "/owned")) << "a directory was made in the host directory";
  // It ran in the directory made inside the sandbox, at the link's target seen from there.
  EXPECT_NE(out_.find("/sandboxes/"), std::string::npos) << out_;
  EXPECT_NE(out_.find(victim + "/owned\n"), std::string::npos) << out_;
  (void)sys::RemoveAll(victim);
}

TEST_F(Security, ImageWorkingDirThroughAnImageSymlinkStaysInTheSandbox) {
  std::string victim = root_ + "-victim";
  ASSERT_TRUE(sys::MkdirAll(victim, 0755));
  ASSERT_EQ(::symlink(victim.c_str(), (rootfs_ + "/w").c_str()), 0);
  plan::ImageConfig config;
  config.env = {"PATH=/bin"};
  config.working_dir = "/w/x";
  rootfs_provider_ = std::make_unique<DirRootfs>(rootfs_, config);
  Decode(Pod(R"Y(  - name: c
    image: local
    securityContext:
      windowsOptions: {runAsUserName: "NT AUTHORITY\\Local service"}
    command: [pwd]
)Y"));
  PodResult r = RunPod(std::chrono::milliseconds(30000));
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_FALSE(sys::Exists(victim + "/x")) << "the image's WorkingDir was made on the host";
  EXPECT_NE(out_.find("/sandboxes/"), std::string::npos) << out_;
  (void)sys::RemoveAll(victim);
}

TEST_F(Security, AbsoluteLayoutRefusesMountPointsThroughAnotherUsersSymlink) {
  // nobody plants /tmp/<x> -> <victim> in the world-writable /tmp.
  std::string victim = root_ + "-victim";
  ASSERT_TRUE(sys::MkdirAll(victim, 0755));
  std::string planted = "/tmp/hp-planted-" + std::to_string(::getpid());
  (void)::unlink(planted.c_str());
  ASSERT_EQ(AsNobody("ln -s '" + victim + "' '" + planted + "'"), 0);
  Decode(Pod(R"Y(  - name: c
    image: local
    command: ["true"]
    volumeMounts: [{name: e, mountPath: )Y" +
                 planted + R"Y(/sub}]
)Y",
             "  volumes: [{name: e, emptyDir: {}}]\n", "{hostprocess.io/mount-layout: absolute}"));
  PodResult r = RunPod(std::chrono::milliseconds(30000));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(sys::Exists(victim + "/sub")) << "a root-owned directory appeared in " << victim;
  EXPECT_NE(events_.find("symlink owned by uid 65534"), std::string::npos) << events_;
  ::unlink(planted.c_str());
  (void)sys::RemoveAll(victim);
}

// The mount points the absolute layout made in a directory nobody owns are removed by
// descriptor from that directory: nobody renames the made directory away and puts a symlink to
// a root-owned directory in its place while the pod runs; the clean-up removed that directory's
// empty `deep` through the symlink before.
TEST_F(Security, AbsoluteLayoutRemovesOnlyTheMountPointsItMadeNotThroughASwappedSymlink) {
  std::string owned = root_ + "-nobody";
  std::string victim = root_ + "-victim";
  ASSERT_TRUE(sys::MkdirAll(owned, 0755));
  ASSERT_EQ(::chown(owned.c_str(), 65534, 65534), 0);
  ASSERT_TRUE(sys::MkdirAll(victim + "/deep", 0755));
  Decode(Pod(std::string(R"Y(  - name: c
    image: local
    command: [sh, -c, ")Y") +
                 kWait + R"Y("]
    volumeMounts: [{name: e, mountPath: )Y" +
                 owned + R"Y(/mnt/deep}]
)Y",
             "  volumes: [{name: e, emptyDir: {}}]\n", "{hostprocess.io/mount-layout: absolute}"));
  std::string sandbox = StartAndWait();
  EXPECT_FALSE(sandbox.empty()) << out_ << events_;
  EXPECT_TRUE(sys::IsDir(owned + "/mnt/deep")) << "the layout made no mount point";
  EXPECT_EQ(AsNobody("cd '" + owned + "' && mv mnt mnt.moved && ln -s '" + victim + "' mnt"), 0);
  Finish(sandbox);
  EXPECT_EQ(result_.exit_code, 0) << out_ << events_;
  EXPECT_TRUE(sys::IsDir(victim + "/deep")) << "removed through nobody's symlink";
  (void)sys::RemoveAll(owned);
  (void)sys::RemoveAll(victim);
}

TEST_F(Security, ProcessesThatLeaveTheJobAreFoundAndKilledWithTheContainer) {
  // A SYSTEM container moves a child out of its cgroups (root can); the child would survive
  // the job's kill. It keeps the container's session: found, reported and killed. ($$$$ is
  // the shell's $$ after kubelet's $$ -> $ expansion.) Only cgroup.procs files that exist are
  // written: on a hybrid or v1 host /sys/fs/cgroup is a tmpfs, where a redirection would
  // create a stray file in the host's /sys/fs/cgroup.
  std::string pid_file = root_ + "/escaped.pid";
  const std::string host_procs = "/sys/fs/cgroup/cgroup.procs";
  const bool had_host_procs = sys::Exists(host_procs);
  Decode(Pod(R"Y(  - name: c
    image: local
    command:
    - sh
    - -c
    - |
      sh -c 'for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/*/cgroup.procs; do [ -e "$f" ] && echo $$$$ > "$f" 2>/dev/null; done; echo $$$$ > )Y" +
             pid_file + R"Y(; exec sleep 100' &
      while [ ! -s )Y" +
             pid_file + R"Y( ]; do sleep 0.05; done
)Y"));
  PodResult r = RunPod(std::chrono::milliseconds(30000));
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  std::string pid = ReadOr(pid_file);
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  ASSERT_FALSE(pid.empty());
  // Its name is sleep's, or still sh's when the scan came between the pid file and the exec.
  EXPECT_NE(events_.find("processes had left its job and were killed by session: " + pid + " ("),
            std::string::npos)
      << events_;
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::string stat = ReadOr("/proc/" + pid + "/stat");
    gone = stat.empty() || stat.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "the process that left the job still runs: " << pid;
  if (!gone) ::kill(std::stoi(pid), SIGKILL);
  if (!had_host_procs && sys::Exists(host_procs)) {
    ADD_FAILURE() << "the test wrote " << host_procs << " into the host's cgroup tmpfs";
    ::unlink(host_procs.c_str());
  }
}

}  // namespace
}  // namespace hp::pod::testing
