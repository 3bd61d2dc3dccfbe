// `hostprocess run` as a user runs it: the built binary with its own --root and --cgroup-root.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/pod/node_info.h"
#include "integration/run/fixture.h"
#include "unit/image/image_builder.h"

namespace hp::pod::testing {
namespace {

using std::chrono::milliseconds;

class RunCli : public RunFixture {
 protected:
  std::string Binary() { return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess"; }

  // Runs the binary with `args` (shell words); returns the exit code, output in out_/err_.
  int Cli(const std::string& yaml, const std::string& args, bool use_rootfs = true,
          const std::string& job_root = "") {
    std::string manifest = root_ + "/pod.yaml";
    EXPECT_TRUE(sys::WriteFile(manifest, yaml));
    std::string cmd = "'" + Binary() + "' --root '" + root_ + "' run -f '" + manifest +
                      "' --cgroup-root '" + (job_root.empty() ? cgroup_root_ : job_root) + "' " +
                      (use_rootfs ? "--rootfs '" + rootfs_ + "' " : "") + args + " >'" + root_ +
                      "/out' 2>'" + root_ + "/err'";
    int rc = ::system(cmd.c_str());
    out_ = ReadOr(root_ + "/out");
    err_ = ReadOr(root_ + "/err");
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  std::string err_;
};

TEST_F(RunCli, ExitCodeOutputAndLogs) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  int rc = Cli(Pod(R"Y(  - name: one
    image: local
    command: [sh, -c, "echo out; echo err >&2; exit 5"]
)Y"),
               "");
  EXPECT_EQ(rc, 5) << err_;
  EXPECT_EQ(out_, "[one] out\n");
  EXPECT_NE(err_.find("[one] err\n"), std::string::npos) << err_;
  auto logs = sys::ListDir(root_ + "/logs");
  ASSERT_TRUE(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].rfind("default_p_", 0), 0u) << (*logs)[0];
  std::string log = ReadOr(root_ + "/logs/" + (*logs)[0] + "/one/0.log");
  EXPECT_NE(log.find(" stdout F out\n"), std::string::npos) << log;

  rc = Cli(Pod(R"Y(  - name: ok
    image: local
    command: ["true"]
)Y"),
           "--rm");
  EXPECT_EQ(rc, 0) << err_;
  logs = sys::ListDir(root_ + "/logs");
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->size(), 1u);  // --rm removed the second pod's logs
}

// The host's IP is looked up only for a pod that asks for it (plan::UsesHostIp); one that does
// gets it, the same as the pod's own with hostNetwork.
TEST_F(RunCli, DownwardApiIpsAreTheHosts) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  int rc = Cli(Pod(R"Y(  - name: ips
    image: local
    command: [sh, -c, 'echo "$HOST_IP $POD_IP"']
    env:
    - name: HOST_IP
      valueFrom: {fieldRef: {fieldPath: status.hostIP}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
)Y"),
               "--rm");
  ASSERT_EQ(rc, 0) << err_;
  std::string ip = HostIp();
  EXPECT_FALSE(ip.empty());
  EXPECT_EQ(out_, "[ips] " + ip + " " + ip + "\n");
}

TEST_F(RunCli, InvalidPodIsRefusedWithValidateText) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string yaml = Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y");
  yaml.replace(yaml.find("hostNetwork: true"), 17, "hostNetwork: false");
  EXPECT_EQ(Cli(yaml, ""), 1);
  EXPECT_EQ(err_,
            "The Pod \"p\" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must "
            "be true if pod contains any hostProcess containers\n");
  EXPECT_FALSE(sys::Exists(root_ + "/sandboxes"));
  EXPECT_EQ(Cli(Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y"),
                "--pod-security baseline"),
            1);
  EXPECT_NE(err_.find("violates PodSecurity \"baseline:latest\""), std::string::npos) << err_;
}

// The input's one workload (the same rule on Windows, run.cc): a DaemonSet's pod runs, named
// after the DaemonSet; two workloads, or none, are refused before anything runs.
TEST_F(RunCli, RunsTheOnePodOrDaemonSetOfItsInput) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  const std::string ds = R"Y(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      securityContext: {windowsOptions: {hostProcess: true}}
      containers:
      - {name: c, image: local, command: [sh, -c, "echo from the daemonset; exit 3"]}
)Y";
  EXPECT_EQ(Cli(ds, ""), 3) << err_;
  EXPECT_EQ(out_, "[c] from the daemonset\n");
  auto logs = sys::ListDir(root_ + "/logs");
  ASSERT_TRUE(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].rfind("kube-system_agent_", 0), 0u) << (*logs)[0];
  std::string pod = Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y");
  EXPECT_EQ(Cli(pod + "---\n" + ds, ""), 1);
  EXPECT_EQ(err_, "error: run needs exactly one Pod or DaemonSet in its input, found 2\n");
  EXPECT_EQ(Cli("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only}\n", ""), 1);
  EXPECT_EQ(err_, "error: run needs exactly one Pod or DaemonSet in its input, found 0\n");
  EXPECT_EQ(Cli(pod, "--timeout 5parsecs"), 1);
  EXPECT_EQ(err_.rfind("error: --timeout: ", 0), 0u) << err_;
  logs = sys::ListDir(root_ + "/logs");
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->size(), 1u);  // nothing of the refused inputs ran
}

// Each run is a new pod with a uid of the node's (the API server's rule at create): a manifest's
// uid, say from `get -o yaml`, neither names the run's directories nor shares another run's.
// With the manifest's, "../victim" made the clean-up remove <root>/victim (and "../../etc"...).
TEST_F(RunCli, APodsUidIsTheRunsOwnNotTheManifests) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  const std::string victim = root_ + "/victim";
  ASSERT_TRUE(sys::MkdirAll(victim));
  ASSERT_TRUE(sys::WriteFile(victim + "/keep", "keep"));
  std::string pod = Pod(R"Y(  - name: c
    image: local
    command: [sh, -c, 'echo "$UID_SEEN"']
    env:
    - name: UID_SEEN
      valueFrom: {fieldRef: {fieldPath: metadata.uid}}
)Y");
  std::string with_uid = pod;
  with_uid.replace(with_uid.find("  name: p\n"), 10, "  name: p\n  uid: ../victim\n");
  ASSERT_EQ(Cli(with_uid, ""), 0) << err_;
  EXPECT_EQ(ReadOr(victim + "/keep"), "keep");
  std::string first = out_;
  EXPECT_EQ(first.size(), std::string("[c] \n").size() + 36) << first;  // a fresh UUID
  EXPECT_EQ(first.find("victim"), std::string::npos) << first;
  ASSERT_EQ(Cli(with_uid, ""), 0) << err_;
  EXPECT_NE(out_, first);  // the same manifest again: another pod
}

// A state root another account owns is refused by every verb that writes one (run, apply,
// the image verbs) before anything is written in it: its owner could read the secrets kept
// there or swap what root writes.
TEST_F(RunCli, AStateRootAnotherAccountOwnsIsRefused) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  const std::string theirs = root_ + "/theirs";
  ASSERT_TRUE(sys::MkdirAll(theirs));
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  ASSERT_TRUE(sys::WriteFile(root_ + "/pod.yaml",
                             Pod("  - {name: c, image: local, command: [\"true\"]}\n")));
  for (const std::string& verb : {"run -f '" + root_ + "/pod.yaml'",
                                  "apply -f '" + root_ + "/pod.yaml'", std::string("images")}) {
    std::string cmd =
        "'" + Binary() + "' --root '" + theirs + "' " + verb + " >/dev/null 2>'" + root_ + "/err'";
    int rc = ::system(cmd.c_str());
    EXPECT_EQ(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, 1) << verb;
    std::string err = ReadOr(root_ + "/err");
    EXPECT_NE(err.find("state root \"" + theirs + "\": \"" + theirs +
                       "\" (owner 65534, mode 0755) is owned by another user"),
              std::string::npos)
        << verb << ": " << err;
    auto left = sys::ListDir(theirs);
    ASSERT_TRUE(left);
    EXPECT_TRUE(left->empty()) << verb << ": " << left->front();
  }
}

// A pod that does not fit this node is refused with the scheduler's words before anything
// runs; the node is as `apply` keeps it (its --node-labels).
TEST_F(RunCli, APodThatDoesNotFitThisNodeIsRefused) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  const std::string windows_only = Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y",
                                       "  nodeSelector: {kubernetes.io/os: windows}\n");
  EXPECT_EQ(Cli(windows_only, ""), 1);
  EXPECT_EQ(err_,
            "hostprocess: Warning FailedScheduling: 0/1 nodes are available: 1 node(s) didn't "
            "match Pod's node affinity/selector.\n"
            "  nodeSelector kubernetes.io/os=windows: node has kubernetes.io/os=linux\n");
  EXPECT_FALSE(sys::Exists(root_ + "/logs"));
  const std::string edge =
      Pod(R"Y(  - {name: c, image: local, command: [sh, -c, "echo on the edge"]}
)Y",
          "  nodeSelector: {tier: edge}\n");
  EXPECT_EQ(Cli(edge, ""), 1);
  std::string apply = "'" + Binary() + "' --root '" + root_ + "' apply --node-labels tier=edge >'" +
                      root_ + "/apply.out' 2>&1";
  ASSERT_EQ(::system(apply.c_str()), 0) << ReadOr(root_ + "/apply.out");
  EXPECT_EQ(Cli(edge, ""), 0) << err_;
  EXPECT_EQ(out_, "[c] on the edge\n");
  // A damaged node.json: the default node, with apply's warning naming the file.
  ASSERT_TRUE(sys::WriteFile(root_ + "/desired/node.json", "{damaged"));
  EXPECT_EQ(Cli(edge, ""), 1);
  EXPECT_EQ(err_.rfind("Warning: parse \"" + root_ + "/desired/node.json\": ", 0), 0u) << err_;
  EXPECT_NE(err_.find(": using the default node settings\nhostprocess: Warning FailedScheduling: "),
            std::string::npos)
      << err_;
}

// Issue 20: the kubelet's WindowsHostProcessContainers gate off refuses the pod's sandbox;
// in the foreground that is kubelet's event and exit 128, before anything is created.
TEST_F(RunCli, FeatureGateOffRefusesHostProcessPods) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string yaml = Pod(R"Y(  - {name: c, image: local, command: ["true"]}
)Y");
  EXPECT_EQ(Cli(yaml, "--feature-gates WindowsHostProcessContainers=false"), 128);
  EXPECT_EQ(err_,
            "hostprocess: Warning FailedCreatePodSandBox: Failed to create pod sandbox: pod "
            "contains HostProcess containers but feature 'WindowsHostProcessContainers' is not "
            "enabled\n");
  EXPECT_FALSE(sys::Exists(root_ + "/sandboxes"));
  EXPECT_EQ(Cli(yaml, "--feature-gates WindowsHostProcessContainers"), 1);
  EXPECT_EQ(Cli(yaml, "--feature-gates WindowsHostProcessContainers=true"), 0) << err_;
}

TEST_F(RunCli, SigintStopsThePodWithTheGracePeriod) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string manifest = root_ + "/pod.yaml";
  ASSERT_TRUE(sys::WriteFile(manifest, Pod(R"Y(  - name: a
    image: local
    command: [sh, -c, "trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.1; done"]
  - name: b
    image: local
    command: [sh, -c, "trap '' TERM; echo ready-b; sleep 1000"]
)Y")));
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string out = root_ + "/out";
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(Binary().c_str(), "hostprocess", "--root", root_.c_str(), "run", "-f", manifest.c_str(),
            "--cgroup-root", cgroup_root_.c_str(), "--rootfs", rootfs_.c_str(), nullptr);
    ::_exit(127);
  }
  auto both_ready = [&] {
    std::string o = ReadOr(root_ + "/out");
    return o.find("[a] ready") != std::string::npos && o.find("[b] ready-b") != std::string::npos;
  };
  for (int i = 0; i < 100 && !both_ready(); ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);  // "a" ended first, with its TERM handler's code
  EXPECT_NE(ReadOr(root_ + "/out").find("[a] got TERM"), std::string::npos);
  EXPECT_GE(took, milliseconds(1900));  // "b" ignores TERM: killed after the 2 s grace
  EXPECT_LT(took, milliseconds(8000));
}

// Issue 21 item 11: a --timeout beyond int64 nanoseconds timed out at once (exit 124).
TEST_F(RunCli, HugeTimeoutNeverFiresAtOnce) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string pod = Pod(R"Y(  - name: ok
    image: local
    command: [sh, -c, "sleep 0.2; echo done"]
)Y");
  EXPECT_EQ(Cli(pod, "--timeout 2562047h"), 0) << err_;  // the largest: no deadline in reach
  EXPECT_EQ(out_, "[ok] done\n");
  EXPECT_EQ(Cli(pod, "--timeout 2562048h"), 1) << err_;  // beyond: a usage error
  EXPECT_NE(err_.find("invalid duration"), std::string::npos) << err_;
}

// The cgroup hierarchies' directories of a job manager's root (from its Describe()).
std::vector<std::string> RootDirs(const std::string& job_root) {
  auto jobs = job::NewJobManager({job_root});
  if (!jobs) return {};
  std::string d = (*jobs)->Describe();
  std::vector<std::string> out;
  for (size_t q = d.find('"'); q != std::string::npos; q = d.find('"', q + 1)) {
    size_t end = d.find('"', q + 1);
    out.push_back(d.substr(q + 1, end - q - 1));
    q = end;
  }
  return out;
}

// Issue 21 item 14: the --cgroup-root directories a run made stay in no hierarchy after it,
// and the ones that existed before it stay in every one.
TEST_F(RunCli, CgroupRootDirectoriesTheRunMadeGoWithIt) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string kept = cgroup_root_ + "-kept";
  auto jobs = job::NewJobManager({kept});
  ASSERT_TRUE(jobs);
  {  // `kept` exists before the run, in every hierarchy
    auto j = (*jobs)->Create("p", "c", {});
    ASSERT_TRUE(j) << j.error().ToString();
    ASSERT_TRUE((*j)->Destroy());
    ASSERT_TRUE((*jobs)->DestroyPod("p"));
  }
  std::vector<std::string> made = RootDirs(kept + "/a");
  ASSERT_FALSE(made.empty());
  int rc = Cli(Pod(R"Y(  - name: ok
    image: local
    command: ["true"]
)Y"),
               "--rm", true, kept + "/a/b");
  EXPECT_EQ(rc, 0) << err_;
  for (const std::string& d : made) EXPECT_FALSE(sys::Exists(d)) << d << " left";
  for (const std::string& d : RootDirs(kept)) EXPECT_TRUE(sys::IsDir(d)) << d << " removed";
  for (const std::string& d : made) (void)::rmdir((d + "/b").c_str()), (void)::rmdir(d.c_str());
  EXPECT_TRUE((*jobs)->RemoveRoot());
}

TEST_F(RunCli, ImageFromTheStore) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  std::string script = std::string(HP_SOURCE_DIR) + "/scripts/build-example-image.sh";
  if (!sys::Exists(script)) GTEST_SKIP() << "no scripts/build-example-image.sh";
  std::string cmd = "bash '" + script + "' --root '" + root_ + "' --hostprocess '" + Binary() +
                    "' >/dev/null 2>&1";
  if (::system(cmd.c_str()) != 0) GTEST_SKIP() << "could not build the example image";
  int rc = Cli(Pod(R"Y(  - name: img
    image: hostprocess.local/busybox:latest
    command: [sh, -c, "echo $PATH; ls ${CONTAINER_SANDBOX_MOUNT_POINT}bin/busybox"]
)Y"),
               "", false);
  EXPECT_EQ(rc, 0) << err_;
  EXPECT_NE(out_.find("/sandboxes/"), std::string::npos) << out_;
  EXPECT_NE(out_.find("bin/busybox\n"), std::string::npos) << out_;
}

// Issue 14 / SPEC §7: an image built for Windows (an OCI layout whose layer holds Files/ and
// Hives/) is imported with its OS, and a Linux node refuses to run it by name, leaving nothing.
TEST_F(RunCli, RefusesAnImageBuiltForAnotherOs) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess binary not built";
  hp::testing::ImageSpec spec;
  spec.os = "windows";
  hp::testing::TarBuilder layer;
  layer.Dir("Files").File("Files/app.exe", "MZ").Dir("Hives").File("Hives/Software_Base", "r");
  spec.layers.push_back(hp::testing::MakeLayer(layer));
  spec.config = {{"Cmd", {"app.exe"}}};
  hp::testing::WriteFiles(root_ + "/layout", hp::testing::OciLayoutFiles({spec}));
  auto image_cli = [&](const std::string& args) {
    std::string cmd = "'" + Binary() + "' --root '" + root_ + "' " + args + " >'" + root_ +
                      "/out' 2>'" + root_ + "/err'";
    int rc = ::system(cmd.c_str());
    out_ = ReadOr(root_ + "/out");
    err_ = ReadOr(root_ + "/err");
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  ASSERT_EQ(image_cli("import '" + root_ + "/layout' hostprocess.local/win:1"), 0) << err_;
  ASSERT_EQ(image_cli("inspect hostprocess.local/win:1"), 0) << err_;
  EXPECT_NE(out_.find("\"os\": \"windows\""), std::string::npos) << out_;

  int rc = Cli(Pod(R"Y(  - {name: c, image: hostprocess.local/win:1, command: ["true"]}
)Y"),
               "", /*use_rootfs=*/false);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err_.find("image operating system \"windows\" cannot be used on this platform: "
                      "image \"hostprocess.local/win:1\" is built for windows and this node "
                      "runs linux; use an image built for linux"),
            std::string::npos)
      << err_;
  EXPECT_EQ(out_, "");
  auto sandboxes = sys::ListDir(root_ + "/sandboxes");
  if (sandboxes) {
    EXPECT_TRUE(sandboxes->empty());
  }

  // The same store runs a Linux image (the check is the OS, not the store).
  hp::testing::ImageSpec linux_spec;
  hp::testing::TarBuilder linux_layer;
  linux_layer.File("hello", "hi\n");
  linux_spec.layers.push_back(hp::testing::MakeLayer(linux_layer));
  hp::testing::WriteFiles(root_ + "/layout-linux", hp::testing::OciLayoutFiles({linux_spec}));
  ASSERT_EQ(image_cli("import '" + root_ + "/layout-linux' hostprocess.local/lin:1"), 0) << err_;
  EXPECT_EQ(Cli(Pod(R"Y(  - {name: c, image: hostprocess.local/lin:1, command: [cat, hello]}
)Y"),
                "", /*use_rootfs=*/false),
            0)
      << err_;
  EXPECT_EQ(out_, "[c] hi\n");
}

}  // namespace
}  // namespace hp::pod::testing
