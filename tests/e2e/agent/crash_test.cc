// Crash safety of the node agent (issue 21): damaged state files and restarts never leave a
// pod orphaned, running twice or leaked.
#include <pwd.h>

#include <vector>

#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

class CrashE2E : public AgentE2E {
 protected:
  // Applies a bare pod and waits until it runs; returns its supervisor's status.
  PodStatus RunPod(const std::string& name) {
    EXPECT_EQ(Apply(PodYaml(name, "sleep 1000")).rc, 0);
    EXPECT_TRUE(WaitFor([&] { return StatusColumnOf(name) == "Running"; }, 10000))
        << Hp("get pods").out << Hp("describe pod " + name).out;
    auto st = ReadPodStatus(PodDir(name) + "/status.json");
    EXPECT_TRUE(st);
    return st ? *st : PodStatus{};
  }
  std::string PodDir(const std::string& name) { return root_ + "/run/pods/default_" + name; }
  // Processes whose command line names this test's root and `what` (a supervisor's key).
  int Supervisors(const std::string& key) {
    int n = 0;
    auto procs = sys::ListDir("/proc");
    for (const auto& p : procs ? *procs : std::vector<std::string>{}) {
      if (p.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmd = ReadOr("/proc/" + p + "/cmdline");
      if (cmd.find(root_) != std::string::npos && cmd.find(key) != std::string::npos &&
          cmd.find("supervis") != std::string::npos)
        n++;
    }
    return n;
  }
};

// Item 2: a damaged or missing run/boot_id is no reboot: the running pod keeps its state and
// mounts, `get` shows it, and `apply` starts no second copy.
TEST_F(CrashE2E, DamagedBootIdKeepsLivePods) {
  for (const char* damage : {"\x01garbage\xff", ""}) {
    SCOPED_TRACE(damage[0] ? "corrupt boot_id" : "missing boot_id");
    PodStatus st = RunPod("keep");
    ASSERT_EQ(st.live_containers.size(), 1u);
    std::string sandbox = root_ + "/sandboxes/" + st.live_containers[0];
    if (damage[0]) {
      ASSERT_TRUE(sys::WriteFile(root_ + "/run/boot_id", damage));
    } else {
      ASSERT_EQ(::unlink((root_ + "/run/boot_id").c_str()), 0);
    }
    EXPECT_EQ(StatusColumnOf("keep"), "Running") << Hp("get pods").err;
    EXPECT_TRUE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
    auto info = ReadOr("/proc/self/mountinfo");
    EXPECT_FALSE(sys::MountPointsUnder(info, sandbox).empty()) << "sandbox unmounted";
    CliResult r = Apply(PodYaml("keep", "sleep 1000"));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "pod/keep unchanged\n");
    EXPECT_EQ(Supervisors("default_keep"), 1);
    EXPECT_EQ(Hp("delete pod keep").rc, 0);
    EXPECT_FALSE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
    EXPECT_FALSE(sys::Exists(sandbox));
  }
}

// Item 3: a damaged pod.json does not hide the running pod from `apply`: its supervisor is
// found through its status and stopped (with everything it had) before the pod starts again.
TEST_F(CrashE2E, DamagedPodRecordNeverRunsThePodTwice) {
  PodStatus st = RunPod("twice");
  ASSERT_EQ(st.live_containers.size(), 1u);
  std::string sandbox = root_ + "/sandboxes/" + st.live_containers[0];
  ASSERT_TRUE(sys::WriteFile(PodDir("twice") + "/pod.json", "{\"pod\": {\"metadata\""));
  CliResult r = Apply(PodYaml("twice", "sleep 1000"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find("pod.json"), std::string::npos) << r.err;  // said what was wrong
  EXPECT_FALSE(ProcessAlive(st.supervisor_pid, st.supervisor_start)) << "first supervisor lives";
  EXPECT_FALSE(sys::Exists(sandbox)) << "first sandbox left";
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("twice") == "Running"; }, 10000));
  EXPECT_EQ(Supervisors("default_twice"), 1);
  EXPECT_EQ(Hp("delete pod twice").rc, 0);
}

// Item 3, the status damaged instead: the identity the CLI recorded still names the
// supervisor, so `apply` neither restarts nor duplicates the pod.
TEST_F(CrashE2E, DamagedStatusDoesNotStartASecondSupervisor) {
  PodStatus st = RunPod("status");
  ASSERT_TRUE(sys::WriteFile(PodDir("status") + "/status.json", "{\"phase\""));
  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
  EXPECT_EQ(Supervisors("default_status"), 1);
  EXPECT_EQ(Hp("delete pod status").rc, 0);
  EXPECT_FALSE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
}

// Found by the chaos test under ASan: status.json and supervisor.json both damaged while the
// supervisor lives. The flock it holds on the pod directory still names it: `apply` neither
// stops its container nor starts a second supervisor, and a second supervisor started by hand
// leaves at once.
TEST_F(CrashE2E, BothIdentityFilesDamagedStillFindTheSupervisor) {
  PodStatus st = RunPod("both");
  ASSERT_EQ(st.live_containers.size(), 1u);
  std::string container = st.live_containers[0];
  ASSERT_TRUE(sys::WriteFile(PodDir("both") + "/status.json", "{\"phase\""));
  ASSERT_TRUE(sys::WriteFile(PodDir("both") + "/supervisor.json", "\x01\xff"));
  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
  EXPECT_EQ(Supervisors("default_both"), 1);
  EXPECT_TRUE(sys::Exists(root_ + "/sandboxes/" + container))
      << "the running container was stopped";
  CliResult second = Hp("__supervise default_both");
  EXPECT_EQ(second.rc, 1);
  EXPECT_NE(second.err.find("another supervisor runs this pod"), std::string::npos) << second.err;
  EXPECT_TRUE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
  EXPECT_EQ(Hp("delete pod both").rc, 0);
  EXPECT_FALSE(ProcessAlive(st.supervisor_pid, st.supervisor_start));
  EXPECT_FALSE(sys::Exists(root_ + "/sandboxes/" + container));
}

// Found by the chaos test under ASan (seed 56704561655515): a supervisor killed in a container's
// teardown, after its status was damaged, left the container's sandbox, scratch and ephemeral
// user with nothing naming them. `apply` and `delete` sweep what no pod names, and leave it
// while a pod's status is unreadable (it might name it).
TEST_F(CrashE2E, UnnamedContainerDirsAndUserAreSwept) {
  PodStatus st = RunPod("orph");
  ASSERT_EQ(st.live_containers.size(), 1u);
  const std::string live = st.live_containers[0];
  auto make_orphan = [&](const std::string& id) {
    for (const char* dir : {"/sandboxes/", "/containers/"}) {
      ASSERT_TRUE(sys::MkdirAll(root_ + dir + id + "/sub"));
      ASSERT_TRUE(sys::WriteFile(root_ + dir + id + "/sub/file", "x"));
    }
    std::string user = "hp-" + id.substr(0, 12);
    ASSERT_EQ(::system(("useradd --system --no-create-home " + user).c_str()), 0);
  };
  auto gone = [&](const std::string& id) {
    return !sys::Exists(root_ + "/sandboxes/" + id) && !sys::Exists(root_ + "/containers/" + id) &&
           ::getpwnam(("hp-" + id.substr(0, 12)).c_str()) == nullptr;
  };
  const std::string a(64, 'a'), b(64, 'b');
  make_orphan(a);
  if (HasFatalFailure()) return;
  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(gone(a)) << r.err;
  EXPECT_NE(r.err.find(a), std::string::npos) << r.err;  // said what it removed
  EXPECT_TRUE(sys::Exists(root_ + "/sandboxes/" + live)) << "the live container was swept";
  EXPECT_EQ(StatusColumnOf("orph"), "Running");

  // The live pod's status damaged: nothing is swept.
  make_orphan(b);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(sys::WriteFile(PodDir("orph") + "/status.json", "{\"phase\""));
  r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(sys::Exists(root_ + "/sandboxes/" + b));
  EXPECT_TRUE(sys::Exists(root_ + "/sandboxes/" + live));
  // The pod deleted: its status goes with it, and the orphan with the sweep.
  r = Hp("delete pod orph");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(gone(b)) << r.err;
  EXPECT_FALSE(sys::Exists(root_ + "/sandboxes/" + live));
  for (const std::string& id : {a, b}) {
    std::string user = "hp-" + id.substr(0, 12);
    if (::getpwnam(user.c_str())) (void)!::system(("userdel " + user).c_str());
  }
}

// Found by the chaos test (seed 2): a supervisor killed and its status then damaged left the
// container's sandbox, mounts, scratch and lease: the status named the containers. The pod's
// jobs name them too.
TEST_F(CrashE2E, DeadSupervisorWithDamagedStatusLeavesNoSandbox) {
  PodStatus st = RunPod("lost");
  ASSERT_EQ(st.live_containers.size(), 1u);
  std::string sandbox = root_ + "/sandboxes/" + st.live_containers[0];
  std::string scratch = root_ + "/containers/" + st.live_containers[0];
  ASSERT_EQ(::kill(st.supervisor_pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return !ProcessAlive(st.supervisor_pid, st.supervisor_start); }, 5000));
  ASSERT_TRUE(sys::WriteFile(PodDir("lost") + "/status.json", "{\"phase\": \"Runn"));
  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_FALSE(sys::Exists(sandbox)) << "the lost container's sandbox is left";
  EXPECT_FALSE(sys::Exists(scratch)) << "the lost container's scratch is left";
  EXPECT_TRUE(sys::MountPointsUnder(ReadOr("/proc/self/mountinfo"), sandbox).empty());
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("lost") == "Running"; }, 10000));
  EXPECT_EQ(Hp("delete pod lost").rc, 0);
  auto leases = sys::ListDir(root_ + "/images/leases");
  EXPECT_TRUE(!leases || leases->empty()) << "leases left";
}

// Item 4: one damaged desired file blocks no verb: the other objects apply, get and delete as
// usual, the damaged object's running pod is left alone, and `delete` removes the damaged
// object, saying what was wrong with it.
TEST_F(CrashE2E, DamagedDesiredObjectBlocksNoVerb) {
  const std::string ds_pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(ds_pod.empty()) << Hp("get pods -A").out;
  std::string file = root_ + "/desired/daemonsets/kube-system_privileged-daemonset.json";
  ASSERT_TRUE(sys::WriteFile(file, "{\"object\": {\"spec\""));
  CliResult r = Apply(PodYaml("other", "sleep 1000"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;  // warned, by path
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("other") == "Running"; }, 10000));
  EXPECT_EQ(StatusColumnOf(ds_pod, "kube-system"), "Running");  // not removed
  r = Hp("get ds -A");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Hp("delete pod other").rc, 0);
  r = Hp("delete ds privileged-daemonset -n kube-system");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps \"privileged-daemonset\" deleted\n");
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_FALSE(sys::Exists(file));
  EXPECT_EQ(Hp("get pods -n kube-system").err, "No resources found in kube-system namespace.\n");
}

// A stored DaemonSet that reads as JSON but no longer decodes as a DaemonSet is as damaged as
// one that does not read: named, and its pod left running (it used to be removed as no longer
// wanted). One listing for both nodes (agent::ListDaemonSetViews).
TEST_F(CrashE2E, DaemonSetThatNoLongerDecodesKeepsItsPod) {
  const std::string ds_pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(ds_pod.empty()) << Hp("get pods -A").out;
  std::string file = root_ + "/desired/daemonsets/kube-system_privileged-daemonset.json";
  ASSERT_TRUE(sys::WriteFile(
      file, R"({"object": {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": )"
            R"({"name": "privileged-daemonset", "namespace": "kube-system"}, "spec": 5}})"));
  CliResult r = Apply(PodYaml("other", "sleep 1000"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;      // warned, by path
  EXPECT_EQ(StatusColumnOf(ds_pod, "kube-system"), "Running");  // not removed
  r = Hp("get ds -A");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_EQ(Hp("delete pod other").rc, 0);
  r = Hp("delete ds privileged-daemonset -n kube-system");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_FALSE(sys::Exists(file));
  EXPECT_EQ(Hp("get pods -n kube-system").err, "No resources found in kube-system namespace.\n");
}

// Item 13: a Pod named like a DaemonSet's pod is refused; it used to replace (stop) the
// DaemonSet's pod silently.
TEST_F(CrashE2E, PodNamedLikeADaemonSetsPodIsRefused) {
  const std::string ds_pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(ds_pod.empty()) << Hp("get pods -A").out;
  std::string yaml = PodYaml(ds_pod, "sleep 1000");
  yaml.replace(yaml.find("metadata:\n"), 10, "metadata:\n  namespace: kube-system\n");
  CliResult r = Apply(yaml);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("daemonset.apps \"privileged-daemonset\""), std::string::npos) << r.err;
  EXPECT_FALSE(sys::Exists(root_ + "/desired/pods/kube-system_" + ds_pod + ".json"));
  EXPECT_EQ(StatusColumnOf(ds_pod, "kube-system"), "Running");
  // DESIRED 1, CURRENT 1: the DaemonSet's pod is still its own.
  EXPECT_NE(Hp("get ds -n kube-system").out.find("   1       1  "), std::string::npos)
      << Hp("get ds -n kube-system").out;
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

// The supervisors of one apply are started side by side and their starts confirmed after
// (Agent::AwaitStarts): one that cannot start leaves no pod state behind, says why, and a
// later apply starts the pods once the binary is right.
TEST_F(CrashE2E, SupervisorThatCannotStartLeavesNoPodBehind) {
  const std::string bin = root_ + "/bin";
  ASSERT_TRUE(sys::MkdirAll(bin));
  auto self = sys::ReadFile(Binary());
  ASSERT_TRUE(self);
  ASSERT_TRUE(sys::WriteFile(bin + "/hostprocess", *self));
  ASSERT_EQ(::chmod((bin + "/hostprocess").c_str(), 0755), 0);
  // Executable by its mode, not by its content: exec fails with ENOEXEC.
  ASSERT_TRUE(sys::WriteFile(bin + "/hostprocess-supervisor", "not a program\n"));
  ASSERT_EQ(::chmod((bin + "/hostprocess-supervisor").c_str(), 0755), 0);
  const std::string manifest = root_ + "/two.yaml";
  ASSERT_TRUE(sys::WriteFile(
      manifest, PodYaml("first", "sleep 1000") + "---\n" + PodYaml("second", "sleep 1000")));
  std::string cmd = "'" + bin + "/hostprocess' --root '" + root_ + "' apply -f '" + manifest +
                    "' --cgroup-root '" + cgroup_root_ + "' </dev/null >'" + root_ +
                    "/broken.out' 2>'" + root_ + "/broken.err'";
  int rc = ::system(cmd.c_str());
  std::string err = ReadOr(root_ + "/broken.err");
  EXPECT_EQ(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, 1) << err;
  EXPECT_NE(err.find("create pod \"default_first\""), std::string::npos) << err;
  EXPECT_NE(err.find("start the supervisor"), std::string::npos) << err;
  EXPECT_NE(err.find("hostprocess-supervisor"), std::string::npos) << err;
  auto left = sys::ListDir(root_ + "/run/pods");
  EXPECT_TRUE(left && left->empty()) << (left ? left->size() : 0) << " pod dirs left";
  EXPECT_EQ(Supervisors("default_first") + Supervisors("default_second"), 0);
  // The objects stay applied: `apply` with the real binary starts both.
  CliResult restore = Hp("apply --cgroup-root '" + cgroup_root_ + "'");
  EXPECT_EQ(restore.rc, 0) << restore.err;
  EXPECT_NE(restore.out.find("2 started"), std::string::npos) << restore.out;
  EXPECT_TRUE(WaitFor(
      [&] { return StatusColumnOf("first") == "Running" && StatusColumnOf("second") == "Running"; },
      10000))
      << Hp("get pods").out;
  EXPECT_EQ(Hp("delete -f '" + manifest + "'").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
