// The node agent end to end: apply/get/describe/logs/exec/top/delete on the seed DaemonSet,
// restart back-off, probes, OOMKilled, init containers, supervisor crash recovery, a reboot,
// a rollout, and many parallel apply/delete — each with nothing left behind.
#include <sys/stat.h>
#include <time.h>

#include <fstream>
#include <vector>

#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

std::string Example(const std::string& name) {
  return ReadOr(std::string(HP_SOURCE_DIR) + "/examples/" + name);
}

TEST_F(AgentE2E, SeedDaemonSetApplyGetLogsExecDescribeTopDelete) {
  CliResult r = Apply(Example("privileged-daemonset-linux.yaml"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset created\n");
  EXPECT_EQ(Apply(Example("privileged-daemonset-linux.yaml")).out,
            "daemonset.apps/privileged-daemonset unchanged\n");

  std::string pod;
  ASSERT_TRUE(WaitFor(
      [&] {
        CliResult g = Hp("get pods -n kube-system -o name");
        if (g.out.rfind("pod/privileged-daemonset-", 0) != 0) return false;
        pod = g.out.substr(4, g.out.find('\n') - 4);
        return StatusColumnOf(pod, "kube-system") == "Running";
      },
      10000))
      << Hp("get pods -A").out;
  EXPECT_EQ(pod.size(), std::string("privileged-daemonset-").size() + 5) << pod;

  CliResult g = Hp("get pods -n kube-system");
  EXPECT_EQ(g.out.rfind("NAME                         READY   STATUS    RESTARTS   AGE\n", 0), 0u)
      << g.out;
  EXPECT_NE(g.out.find(pod + "   1/1     Running   0          "), std::string::npos) << g.out;
  g = Hp("get ds -A");
  EXPECT_NE(g.out.find("kube-system   privileged-daemonset   1         1         1       1     "
                       "       1           kubernetes.io/os=linux"),
            std::string::npos)
      << g.out;
  nlohmann::json j = PodJson(pod, "kube-system");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["status"]["phase"], "Running");
  EXPECT_EQ(j["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_EQ(j["status"]["containerStatuses"][0]["ready"], true);
  EXPECT_NE(Hp("get pod " + pod + " -n kube-system -o yaml").out.find("phase: Running"),
            std::string::npos);

  ASSERT_TRUE(WaitFor(
      [&] {
        return Hp("logs -n kube-system " + pod).out.find("Process has admin rights: True") !=
               std::string::npos;
      },
      5000));
  CliResult logs = Hp("logs -n kube-system ds/privileged-daemonset --timestamps --tail 1");
  EXPECT_EQ(logs.rc, 0) << logs.err;
  EXPECT_NE(logs.out.find("Z "), std::string::npos) << logs.out;  // an RFC 3339 stamp

  CliResult e = Hp("exec -n kube-system " + pod +
                   " -- sh -c 'id -u; echo $CONTAINER_SANDBOX_MOUNT_POINT; pwd; exit 3'");
  EXPECT_EQ(e.rc, 3) << e.err;
  std::vector<std::string> lines;
  for (size_t p = 0, n; (n = e.out.find('\n', p)) != std::string::npos; p = n + 1)
    lines.push_back(e.out.substr(p, n - p));
  ASSERT_EQ(lines.size(), 3u) << e.out;
  EXPECT_EQ(lines[0], "0");
  EXPECT_EQ(lines[1].rfind(root_ + "/sandboxes/", 0), 0u) << lines[1];
  EXPECT_EQ(lines[1].back(), '/');
  EXPECT_EQ(lines[2] + "/", lines[1]);  // the default working directory is the sandbox
  EXPECT_EQ(Hp("exec -n kube-system " + pod + " -- cat /proc/self/cgroup").out.find(cgroup_root_) ==
                std::string::npos,
            false);
  EXPECT_EQ(Hp("exec -i -n kube-system " + pod + " -- cat", "from stdin\n").out, "from stdin\n");
  // A terminal as kubectl gives one (SetupTTY): with -i on a terminal; not with -t alone, and
  // with a warning when the input is not a terminal.
  CliResult t = HpOnTerminal("exec -it -n kube-system " + pod + " -- tty");
  EXPECT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("/dev/pts/"), std::string::npos) << t.out;
  CliResult no_i = HpOnTerminal("exec -t -n kube-system " + pod + " -- tty");
  EXPECT_EQ(no_i.rc, 1) << no_i.err;
  EXPECT_EQ(no_i.out, "not a tty\n");
  EXPECT_EQ(no_i.err, "command terminated with exit code 1\n");
  CliResult piped = Hp("exec -it -n kube-system " + pod + " -- tty", "input\n");
  EXPECT_EQ(piped.rc, 1);
  EXPECT_EQ(piped.out, "not a tty\n");
  EXPECT_EQ(piped.err,
            "Unable to use a TTY - input is not a terminal or the right kind of file\n"
            "command terminated with exit code 1\n");
  CliResult nf = Hp("exec -n kube-system " + pod + " -- no-such-command");
  EXPECT_EQ(nf.rc, 127);
  EXPECT_NE(nf.err.find("searched"), std::string::npos) << nf.err;

  CliResult d = Hp("describe pod -n kube-system " + pod);
  EXPECT_NE(d.out.find("Controlled By:  DaemonSet/privileged-daemonset"), std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("Started container shell"), std::string::npos) << d.out;
  EXPECT_NE(Hp("top pods -A").out.find(pod), std::string::npos);

  CliResult del = Hp("delete ds privileged-daemonset -n kube-system");
  EXPECT_EQ(del.rc, 0) << del.err;
  EXPECT_EQ(del.out, "daemonset.apps \"privileged-daemonset\" deleted\n");
  EXPECT_EQ(Hp("get pods -A").err, "No resources found\n");
  CliResult again = Hp("delete ds privileged-daemonset -n kube-system");
  EXPECT_EQ(again.rc, 1);
  EXPECT_EQ(again.err,
            "Error from server (NotFound): daemonsets.apps \"privileged-daemonset\" not found\n");
}

TEST_F(AgentE2E, WindowsSeedDaemonSetDoesNotFitThisNode) {
  CliResult r = Apply(Example("privileged-daemonset.yaml"));
  ASSERT_EQ(r.rc, 0) << r.err;
  CliResult g = Hp("get ds -n kube-system");
  EXPECT_NE(g.out.find("privileged-daemonset   0         0         0       0            0      "
                       "     kubernetes.io/os=windows"),
            std::string::npos)
      << g.out;
  EXPECT_EQ(Hp("get pods -n kube-system").err, "No resources found in kube-system namespace.\n");
  CliResult d = Hp("describe ds privileged-daemonset -n kube-system");
  EXPECT_NE(d.out.find("0/1 nodes are available: 1 node(s) didn't match Pod's node "
                       "affinity/selector."),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("nodeSelector kubernetes.io/os=windows: node has kubernetes.io/os=linux"),
            std::string::npos)
      << d.out;
  EXPECT_EQ(
      Hp("delete -f '" + std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset.yaml'").out,
      "daemonset.apps \"privileged-daemonset\" deleted\n");
}

TEST_F(AgentE2E, RejectedManifestStoresNothing) {
  std::string yaml = PodYaml("bad", "true");
  yaml.replace(yaml.find("hostNetwork: true"), 17, "hostNetwork: false");
  CliResult r = Apply(yaml);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "The Pod \"bad\" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must "
            "be true if pod contains any hostProcess containers\n");
  EXPECT_EQ(Hp("get pods").err, "No resources found in default namespace.\n");
  r = Apply(PodYaml("p", "sleep 100"), "--pod-security baseline");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("violates PodSecurity \"baseline:latest\""), std::string::npos) << r.err;
  EXPECT_FALSE(sys::Exists(root_ + "/desired/pods/default_p.json"));
}

// The supervisor cannot unpack (it links no libarchive): apply unpacks a layer that was left
// packed before it starts the pod.
TEST_F(AgentE2E, ApplyUnpacksLayersTheSupervisorOnlyMounts) {
  std::string layers = root_ + "/images/layers";
  auto names = sys::ListDir(layers);
  ASSERT_TRUE(names && !names->empty());
  for (const auto& n : *names) ASSERT_TRUE(sys::RemoveAll(layers + "/" + n));
  ASSERT_EQ(Apply(PodYaml("packed", "echo unpacked; sleep 100")).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("packed") == "Running"; }, 10000))
      << Hp("get pods").out << Hp("describe pod packed").out;
  EXPECT_TRUE(WaitFor([&] { return Hp("logs packed").out == "unpacked\n"; }, 5000));
  EXPECT_EQ(sys::ListDir(layers).value_or(std::vector<std::string>{}).size(), names->size());
  EXPECT_EQ(Hp("delete pod packed").out, "pod \"packed\" deleted\n");
}

// Issue 20: the kubelet's --feature-gates=WindowsHostProcessContainers=false, kept by apply:
// the pod is stored but its sandbox is not created (Pending, ContainerCreating, kubelet's
// FailedCreatePodSandBox event, counted on each try); the gate back on starts it.
TEST_F(AgentE2E, KubeletFeatureGateOffLeavesHostProcessPodsPending) {
  CliResult bad = Apply(PodYaml("gated", "sleep 100"), "--feature-gates Foo=true");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.err,
            "error: invalid argument \"Foo=true\" for \"--feature-gates\" flag: unrecognized "
            "feature gate: Foo\n");
  CliResult r =
      Apply(PodYaml("gated", "sleep 100"), "--feature-gates WindowsHostProcessContainers=false");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/gated created\n");
  EXPECT_EQ(StatusColumnOf("gated"), "ContainerCreating") << Hp("get pods").out;
  nlohmann::json pod = PodJson("gated");
  ASSERT_FALSE(pod.is_null());
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  // kubectl describe's event line: Type, Reason, Age, From, Message.
  auto event_line = [&](const std::string& describe) {
    size_t at = describe.find("FailedCreatePodSandBox");
    if (at == std::string::npos) return std::string();
    size_t start = describe.rfind('\n', at) + 1;
    return describe.substr(start, describe.find('\n', at) - start);
  };
  std::string describe = Hp("describe pod gated").out;
  std::string line = event_line(describe);
  EXPECT_EQ(line.rfind("  Warning ", 0), 0u) << describe;
  EXPECT_NE(line.find(" kubelet "), std::string::npos) << line;
  const std::string message =
      " Failed to create pod sandbox: pod contains HostProcess containers but feature "
      "'WindowsHostProcessContainers' is not enabled";
  EXPECT_TRUE(line.size() > message.size() &&
              line.compare(line.size() - message.size(), message.size(), message) == 0)
      << line;
  // A reconcile is another try: the same event, counted.
  ASSERT_EQ(Hp("apply --cgroup-root '" + cgroup_root_ + "'").rc, 0);
  describe = Hp("describe pod gated").out;
  EXPECT_NE(event_line(describe).find("(x2 over"), std::string::npos) << describe;
  EXPECT_EQ(StatusColumnOf("gated"), "ContainerCreating");
  // The gate on again (kept for later commands): the pod starts.
  ASSERT_EQ(Hp("apply --feature-gates WindowsHostProcessContainers=true").rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("gated") == "Running"; }, 10000))
      << Hp("get pods").out << Hp("describe pod gated").out;
  EXPECT_EQ(Hp("delete pod gated").out, "pod \"gated\" deleted\n");
}

// The node settings (desired/node.json) are written, and synced, only when a flag changes one:
// the same --cgroup-root at every apply leaves the file as it is.
TEST_F(AgentE2E, NodeSettingsAreWrittenOnlyWhenAFlagChangesOne) {
  std::string path = root_ + "/desired/node.json";
  auto inode = [&] {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  };
  ASSERT_EQ(Hp("apply --cgroup-root '" + cgroup_root_ + "'").rc, 0);
  ino_t first = inode();
  ASSERT_NE(first, 0u) << "no " << path;
  ASSERT_EQ(Hp("apply --cgroup-root '" + cgroup_root_ + "'").rc, 0);
  EXPECT_EQ(inode(), first) << "rewritten with the same settings";
  ASSERT_EQ(Hp("apply").rc, 0);
  EXPECT_EQ(inode(), first);
  ASSERT_EQ(Hp("apply --node-labels tier=edge").rc, 0);
  EXPECT_NE(inode(), first) << "a changed setting was not written";
  EXPECT_NE(ReadOr(path).find("tier"), std::string::npos) << ReadOr(path);
  EXPECT_NE(ReadOr(path).find(cgroup_root_), std::string::npos) << ReadOr(path);
}

TEST_F(AgentE2E, CrashingContainerBacksOffAndKeepsItsPreviousLog) {
  ASSERT_EQ(Apply(PodYaml("crash", "echo run; exit 3")).rc, 0);
  // The first exit restarts at once, the second waits kubelet's 10 s back-off.
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("crash") == "CrashLoopBackOff"; }, 15000))
      << Hp("get pods").out;
  nlohmann::json j = PodJson("crash");
  const auto& cs = j["status"]["containerStatuses"][0];
  EXPECT_EQ(cs["restartCount"], 1);
  EXPECT_EQ(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_NE(cs["state"]["waiting"]["message"].get<std::string>().find(
                "back-off 10s restarting failed container=c pod=crash_default("),
            std::string::npos)
      << cs;
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(cs["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(Hp("logs crash --previous").out, "run\n");
  EXPECT_NE(Hp("get pods").out.find("1 ("), std::string::npos);  // RESTARTS "1 (Xs ago)"
  EXPECT_NE(Hp("describe pod crash").out.find("Back-off restarting failed container c"),
            std::string::npos);
  // The first restart came at once; the second waits the 10 s back-off from the end of the
  // run before it (times are whole seconds: at least 9 s apart).
  const auto seconds = [](const nlohmann::json& t) {
    std::tm tm{};
    const std::string s = t.get<std::string>();
    EXPECT_NE(strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << s;
    return static_cast<int64_t>(timegm(&tm));
  };
  const int64_t pod_started = seconds(j["status"]["startTime"]);
  const int64_t first_restart = seconds(cs["lastState"]["terminated"]["startedAt"]);
  const int64_t first_restart_ended = seconds(cs["lastState"]["terminated"]["finishedAt"]);
  // "At once": well under the 10 s back-off, with room for two starts on a loaded machine.
  EXPECT_LE(first_restart - pod_started, 7) << cs;
  nlohmann::json cs2;
  ASSERT_TRUE(WaitFor(
      [&] {
        cs2 = PodJson("crash")["status"]["containerStatuses"][0];
        return cs2["restartCount"] == 2 && cs2["state"].contains("waiting");
      },
      25000))
      << cs2;
  const int64_t second_restart = seconds(cs2["lastState"]["terminated"]["startedAt"]);
  EXPECT_GE(second_restart - first_restart_ended, 9) << cs << "\n" << cs2;
  EXPECT_NE(cs2["state"]["waiting"]["message"].get<std::string>().find("back-off 20s"),
            std::string::npos)
      << cs2;
  EXPECT_EQ(Hp("delete pod crash").out, "pod \"crash\" deleted\n");
}

TEST_F(AgentE2E, OomKilledAndCompletedStatuses) {
  ASSERT_EQ(Apply(PodYaml("hog", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived",
                          "Never", "    resources: {limits: {memory: 32Mi}}\n"))
                .rc,
            0);
  ASSERT_EQ(Apply(PodYaml("done", "echo done", "Never")).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("hog") == "OOMKilled"; }, 30000))
      << Hp("get pods").out;
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("done") == "Completed"; }, 10000))
      << Hp("get pods").out;
  EXPECT_EQ(PodJson("hog")["status"]["phase"], "Failed");
  EXPECT_EQ(PodJson("hog")["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
            137);
  EXPECT_EQ(PodJson("done")["status"]["phase"], "Succeeded");
  EXPECT_EQ(Hp("logs done").out, "done\n");
  CliResult del = Hp("delete pod hog done");
  EXPECT_EQ(del.out, "pod \"hog\" deleted\npod \"done\" deleted\n") << del.err;
}

TEST_F(AgentE2E, InitContainersRunFirstAndShareAnEmptyDir) {
  std::string yaml = PodYaml("init", "cat shared/msg; sleep 100", "Always",
                             "    volumeMounts: [{name: shared, mountPath: shared}]\n",
                             "  volumes: [{name: shared, emptyDir: {}}]\n"
                             "  initContainers:\n"
                             "  - name: prepare\n"
                             "    image: hostprocess.local/busybox:latest\n"
                             "    command: [sh, -c, \"echo from-init > shared/msg\"]\n"
                             "    volumeMounts: [{name: shared, mountPath: shared}]\n");
  CliResult r = Apply(yaml);
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(WaitFor([&] { return Hp("logs init -c c").out == "from-init\n"; }, 10000))
      << Hp("describe pod init").out;
  nlohmann::json j = PodJson("init");
  EXPECT_EQ(j["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(StatusColumnOf("init"), "Running");
  EXPECT_EQ(Hp("delete pod init").rc, 0);
}

TEST_F(AgentE2E, ProbesDecideReadinessAndRestarts) {
  // Readiness over HTTP (busybox httpd in the container), liveness over TCP, and an exec
  // liveness probe that fails: that container is restarted.
  std::string ready = PodYaml(
      "web", "mkdir -p www; echo ok > www/index.html; exec httpd -f -p 127.0.0.1:18931 -h www",
      "Always",
      "    ports: [{name: http, containerPort: 18931}]\n"
      "    readinessProbe: {httpGet: {host: 127.0.0.1, path: /index.html, port: http}, "
      "periodSeconds: 1}\n"
      "    livenessProbe: {tcpSocket: {host: 127.0.0.1, port: 18931}, periodSeconds: 1}\n");
  std::string not_ready = PodYaml(
      "unready", "sleep 100", "Always",
      "    readinessProbe: {httpGet: {host: 127.0.0.1, path: /, port: 18932}, periodSeconds: 1}\n");
  std::string dead = PodYaml("dead", "sleep 100", "Always",
                             "    livenessProbe: {exec: {command: [cat, no-such-file]}, "
                             "periodSeconds: 1, failureThreshold: 2}\n");
  ASSERT_EQ(Apply(ready + "---\n" + not_ready + "---\n" + dead).rc, 0);
  ASSERT_TRUE(WaitFor(
      [&] { return Hp("get pods").out.find("web       1/1     Running") != std::string::npos; },
      10000))
      << Hp("get pods").out << Hp("describe pod web").out;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto j = PodJson("dead");
        return !j.is_null() && j["status"]["containerStatuses"][0]["restartCount"] >= 1;
      },
      15000))
      << Hp("describe pod dead").out;
  CliResult d = Hp("describe pod dead");
  EXPECT_NE(d.out.find("Liveness probe failed: cat: "), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("Container c failed liveness probe, will be restarted"), std::string::npos);
  EXPECT_NE(Hp("get pods").out.find("unready   0/1     Running"), std::string::npos)
      << Hp("get pods").out;
  EXPECT_NE(Hp("describe pod unready")
                .out.find("Readiness probe failed: Get "
                          "\"http://127.0.0.1:18932/\": dial tcp "
                          "127.0.0.1:18932: connect: Connection refused"),
            std::string::npos)
      << Hp("describe pod unready").out;
  EXPECT_EQ(Hp("delete pod web unready dead").rc, 0);
}

TEST_F(AgentE2E, KilledSupervisorIsSeenAndReadopted) {
  const std::string pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(pod.empty()) << Hp("get pods -A").out;
  nlohmann::json before = PodJson(pod, "kube-system");
  std::string old_id = before["status"]["containerStatuses"][0]["containerID"];
  auto st = ReadPodStatus(root_ + "/run/pods/kube-system_" + pod + "/status.json");
  ASSERT_TRUE(st);
  ASSERT_EQ(::kill(st->supervisor_pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf(pod, "kube-system") == "Unknown"; }, 5000))
      << Hp("get pods -A").out;
  EXPECT_NE(Hp("describe pod -n kube-system " + pod).out.find("SupervisorLost"), std::string::npos);
  // Ready goes False, as the node lifecycle controller marks the pods of a lost node.
  CliResult w = Hp("wait --for=condition=Ready=false --timeout 2s -n kube-system pod/" + pod);
  EXPECT_EQ(w.rc, 0) << w.err;
  EXPECT_EQ(w.out, "pod/" + pod + " condition met\n");
  nlohmann::json lost = PodJson(pod, "kube-system");
  int ready_conditions = 0;
  for (const auto& c : lost["status"]["conditions"]) {
    if (c["type"] != "Ready") continue;
    ready_conditions++;
    EXPECT_EQ(c["status"], "False");
  }
  EXPECT_EQ(ready_conditions, 1) << lost.dump();
  EXPECT_NE(Hp("get ds -n kube-system").out.find("privileged-daemonset   1         1         0"),
            std::string::npos)
      << Hp("get ds -n kube-system").out;
  // `apply` (with or without files) cleans up what the dead supervisor left and restarts it.
  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf(pod, "kube-system") == "Running"; }, 10000));
  nlohmann::json after = PodJson(pod, "kube-system");
  EXPECT_NE(after["status"]["containerStatuses"][0]["containerID"], old_id);
  std::string old_sandbox = root_ + "/sandboxes/" + old_id.substr(old_id.find("://") + 3);
  EXPECT_FALSE(sys::Exists(old_sandbox)) << old_sandbox;
  auto sandboxes = sys::ListDir(root_ + "/sandboxes");
  ASSERT_TRUE(sandboxes);
  EXPECT_EQ(sandboxes->size(), 1u);
  // The dead container's image lease went with it: only the new container holds one.
  auto leases = sys::ListDir(root_ + "/images/leases");
  ASSERT_TRUE(leases);
  EXPECT_EQ(leases->size(), 1u);
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
  leases = sys::ListDir(root_ + "/images/leases");
  EXPECT_TRUE(leases && leases->empty());
}

TEST_F(AgentE2E, RebootRestoresAppliedDaemonSets) {
  ASSERT_EQ(Apply(Example("privileged-daemonset-linux.yaml")).rc, 0);
  ASSERT_TRUE(WaitFor(
      [&] { return Hp("get ds -n kube-system").out.find("   1       1  ") != std::string::npos; },
      10000))
      << Hp("get ds -A").out;
  // A reboot: every process and mount is gone, and /run-style state belongs to another boot.
  auto keys = sys::ListDir(root_ + "/run/pods");
  ASSERT_TRUE(keys);
  for (const auto& k : *keys) {
    std::string dir = root_ + "/run/pods/" + k;
    auto st = ReadPodStatus(dir + "/status.json");
    ASSERT_TRUE(st);
    ::kill(st->supervisor_pid, SIGKILL);
    // Every record of the pod's supervisor names the earlier boot.
    st->supervisor_boot = "an-earlier-boot";
    ASSERT_TRUE(WritePodStatus(dir + "/status.json", *st));
    ASSERT_TRUE(
        WriteSupervisorId(dir, {st->supervisor_pid, st->supervisor_start, "an-earlier-boot"}));
  }
  auto jobs = job::NewJobManager({cgroup_root_});
  ASSERT_TRUE(jobs);
  auto pods = (*jobs)->ListPods();
  ASSERT_TRUE(pods);
  for (const auto& p : *pods) ASSERT_TRUE((*jobs)->DestroyPod(p));
  ASSERT_TRUE(sys::DetachMountsUnder(root_));
  ASSERT_TRUE(sys::WriteFile(root_ + "/run/boot_id", "an-earlier-boot\n"));

  CliResult r = Hp("apply");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(WaitFor(
      [&] {
        CliResult g = Hp("get pods -n kube-system");
        return g.out.find("1/1     Running") != std::string::npos;
      },
      10000))
      << Hp("get pods -A").out;
  auto sandboxes = sys::ListDir(root_ + "/sandboxes");
  ASSERT_TRUE(sandboxes);
  EXPECT_EQ(sandboxes->size(), 1u);  // the last boot's sandbox was cleared
  auto leases = sys::ListDir(root_ + "/images/leases");
  ASSERT_TRUE(leases);
  EXPECT_EQ(leases->size(), 1u);  // and its image lease
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

TEST_F(AgentE2E, ChangedTemplateRollsThePod) {
  std::string v1 = Example("privileged-daemonset-linux.yaml");
  ASSERT_EQ(Apply(v1).rc, 0);
  std::string first;
  ASSERT_TRUE(WaitFor(
      [&] {
        first = Hp("get pods -n kube-system -o name").out;
        return first.size() > 5 &&
               StatusColumnOf(first.substr(4, first.find('\n') - 4), "kube-system") == "Running";
      },
      10000));
  std::string v2 = v1;
  v2.replace(v2.find("echo Process has admin rights"), 4, "echo v2;");
  CliResult r = Apply(v2);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset configured\n");
  std::string second = Hp("get pods -n kube-system -o name").out;
  EXPECT_NE(second, first);
  ASSERT_EQ(std::count(second.begin(), second.end(), '\n'), 1) << second;
  std::string name = second.substr(4, second.find('\n') - 4);
  ASSERT_TRUE(
      WaitFor([&] { return Hp("logs -n kube-system " + name).out.rfind("v2", 0) == 0; }, 10000))
      << Hp("logs -n kube-system " + name).out;
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

TEST_F(AgentE2E, ParallelApplyAndDeleteLoseNothing) {
  // 24 concurrent applies, then deletes, contend for the store's lock as 50 do: every apply
  // reconciles every pod, so the test's time grows with the square of the count (50 took 62 s
  // under ASan, most of the test tier's longest pole).
  constexpr int kPods = 24;
  std::string script = "set -e\n";
  for (int i = 0; i < kPods; i++) {
    std::string file = root_ + "/p" + std::to_string(i) + ".yaml";
    ASSERT_TRUE(sys::WriteFile(file, PodYaml("p" + std::to_string(i), "sleep 100")));
    // Apply, then exec as soon as the container runs (a second's worth of tries); each job
    // records its exit code.
    std::string n = std::to_string(i);
    script += "( rc=1; if '" + Binary() + "' --root '" + root_ + "' apply -f '" + file +
              "' --cgroup-root '" + cgroup_root_ +
              "' >/dev/null; then for t in $(seq 100); do "
              "if '" +
              Binary() + "' --root '" + root_ + "' exec p" + n +
              " -- true 2>/dev/null; then rc=0; break; fi; sleep 0.05; done; fi; echo $rc >'" +
              root_ + "/rc" + n + "' ) &\n";
  }
  script += "wait\n";
  ASSERT_TRUE(sys::WriteFile(root_ + "/apply.sh", script));
  ASSERT_EQ(::system(("bash '" + root_ + "/apply.sh'").c_str()), 0);
  for (int i = 0; i < kPods; i++) {
    EXPECT_EQ(ReadOr(root_ + "/rc" + std::to_string(i)), "0\n") << "apply+exec of p" << i;
  }
  CliResult g = Hp("get pods --no-headers");
  EXPECT_EQ(std::count(g.out.begin(), g.out.end(), '\n'), kPods) << g.out;
  auto sandboxes = sys::ListDir(root_ + "/sandboxes");
  ASSERT_TRUE(sandboxes);
  EXPECT_EQ(sandboxes->size(), static_cast<size_t>(kPods));

  std::string del = "set -e\n";
  for (int i = 0; i < kPods; i++) {
    del += "'" + Binary() + "' --root '" + root_ + "' delete pod p" + std::to_string(i) +
           " >/dev/null &\n";
  }
  del += "wait\n";
  ASSERT_TRUE(sys::WriteFile(root_ + "/delete.sh", del));
  ASSERT_EQ(::system(("bash '" + root_ + "/delete.sh'").c_str()), 0);
  EXPECT_EQ(Hp("get pods").err, "No resources found in default namespace.\n");
}

}  // namespace
}  // namespace hp::agent::testing
