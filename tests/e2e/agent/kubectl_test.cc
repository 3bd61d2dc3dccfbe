// What operators reach for (issue 19 items 6 and 7), through the built binary: wait, rollout
// status/restart, events and get events, get -w, get pods,ds / get all, -o jsonpath= and
// custom-columns=, --sort-by, delete --all / -l, logs -l --all-containers --prefix, and
// top's NotFound. Outputs are kubectl's, byte for byte where the columns are predictable.
#include <unistd.h>

#include <regex>

#include "core/sys/file.h"
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

// True when a line of `out` matches `re` whole.
bool HasLine(const std::string& out, const std::string& re) {
  std::regex r(re);
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    if (std::regex_match(out.substr(pos, nl - pos), r)) return true;
    pos = nl + 1;
  }
  return false;
}

std::string Labelled(const std::string& yaml, const std::string& name, const std::string& labels) {
  std::string y = yaml;
  y.replace(y.find("  name: " + name + "\n"), 9 + name.size(),
            "  name: " + name + "\n  labels:\n" + labels);
  return y;
}

// wait looks again as soon as a pod's state is written, so it may look while `delete` removes
// the pod's files or `apply` makes them: a pod directory without its record is no pod yet, or no
// pod any more (it was an error, "pod.json: not found", found in review).
TEST_F(AgentE2E, WaitTakesAPodWithoutItsRecordAsNotThere) {
  CliResult r = Hp("get pods");  // the store's directories
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(sys::MkdirAll(root_ + "/run/pods/default_half", 0700));
  r = Hp("wait --for=delete pod/half --timeout=5s");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/half condition met\n");
  r = Hp("wait --for=condition=Ready pod/half --timeout=1s");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"half\" not found\n");
  // A record that is there and damaged is still an error, naming it.
  ASSERT_TRUE(sys::WriteFile(root_ + "/run/pods/default_half/pod.json", "{"));
  r = Hp("wait --for=delete pod/half --timeout=1s");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("pod.json"), std::string::npos) << r.err;
  ASSERT_EQ(::unlink((root_ + "/run/pods/default_half/pod.json").c_str()), 0);
  ASSERT_EQ(::rmdir((root_ + "/run/pods/default_half").c_str()), 0);
}

// A bare Pod and a DaemonSet's pod of the same name and namespace would be one pod: the later
// apply is refused, either way round. The stored Pod is known by its file's name, unread.
TEST_F(AgentE2E, APodAndADaemonSetPodOfOneNameAreRefused) {
  const std::string pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(pod.empty());
  std::string bare = PodYaml(pod, "sleep 3600");
  bare.replace(bare.find("  name: " + pod + "\n"), 9 + pod.size(),
               "  name: " + pod + "\n  namespace: kube-system\n");
  const std::string refusal = "pod \"" + pod +
                              "\" and daemonset.apps \"privileged-daemonset\" would both run the "
                              "pod \"" +
                              pod + "\" (namespace \"kube-system\"): rename the Pod";
  CliResult r = Apply(bare);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find(refusal), std::string::npos) << r.err;
  ASSERT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
  r = Apply(bare);
  ASSERT_EQ(r.rc, 0) << r.err;
  r = Apply(ReadOr(std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset-linux.yaml"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find(refusal), std::string::npos) << r.err;
  EXPECT_EQ(Hp("get ds -A -o name").out, "");
  EXPECT_EQ(Hp("delete pod " + pod + " -n kube-system").rc, 0);
}

TEST_F(AgentE2E, WaitRolloutAndEvents) {
  std::string pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(pod.empty());
  const std::string ns = " -n kube-system";
  CliResult r = Hp("rollout status ds/privileged-daemonset --timeout 20s" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemon set \"privileged-daemonset\" successfully rolled out\n");
  r = Hp("wait --for=condition=Ready pod/" + pod + " --timeout=10s" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/" + pod + " condition met\n");
  r = Hp("wait --for=condition=Ready=false pod/" + pod + " --timeout=300ms" + ns);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: timed out waiting for the condition on pods/" + pod + "\n");
  r = Hp("wait --for=condition=Ready pod/nope" + ns);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"nope\" not found\n");

  // The controller's and kubelet's events, kubectl's columns (three-space gutters).
  r = Hp("events" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("LAST SEEN   TYPE     REASON", 0), 0u) << r.out;
  EXPECT_TRUE(HasLine(r.out,
                      "\\d+s {3,}Normal {3}SuccessfulCreate {3,}daemonset/"
                      "privileged-daemonset {3}Created pod: " +
                          pod))
      << r.out;
  EXPECT_TRUE(
      HasLine(r.out, ".* {3}Normal {3}Started {3,}pod/" + pod + " {3,}Started container shell"))
      << r.out;
  CliResult g = Hp("get events" + ns);
  EXPECT_EQ(g.out.rfind("LAST SEEN   TYPE     REASON", 0), 0u) << g.out;
  EXPECT_TRUE(HasLine(g.out,
                      "\\d+s {3,}Normal {3}SuccessfulCreate {3,}daemonset/"
                      "privileged-daemonset {3}Created pod: " +
                          pod))
      << g.out;
  r = Hp("events -A --for pod/" + pod + " -n kube-system --types Warning");
  EXPECT_EQ(r.err, "No events found.\n");

  // restart: a new pod (a new revision), the old one deleted, the rollout complete.
  r = Hp("rollout restart ds/privileged-daemonset" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset restarted\n");
  r = Hp("wait --for=delete pod/" + pod + " --timeout=20s" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/" + pod + " condition met\n");
  r = Hp("rollout status daemonset privileged-daemonset --timeout 20s" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("daemon set \"privileged-daemonset\" successfully rolled out\n"),
            std::string::npos)
      << r.out;
  r = Hp("get ds privileged-daemonset" + ns +
         " -o jsonpath='{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/"
         "restartedAt}'");
  EXPECT_TRUE(std::regex_match(r.out, std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")))
      << r.out << r.err;
  std::string after = Hp("get pods -o name" + ns).out;
  EXPECT_EQ(after.find(pod), std::string::npos) << after;
  // The controller's events outlive the pods they name: the first pod's creation, its deletion
  // by the rollout, and its successor's creation.
  std::string ds_events =
      " {3,}Normal {3,}Successful(Create|Delete) {3,}daemonset/privileged-daemonset {3,}";
  g = Hp("get events" + ns);
  EXPECT_TRUE(HasLine(g.out, "\\d+s" + ds_events + "Created pod: " + pod)) << g.out;
  EXPECT_TRUE(HasLine(g.out, "\\d+s" + ds_events + "Deleted pod: " + pod)) << g.out;
  std::string successor = after.substr(after.find("pod/") + 4);
  successor = successor.substr(0, successor.find('\n'));
  EXPECT_TRUE(HasLine(g.out, "\\d+s" + ds_events + "Created pod: " + successor)) << g.out;
  // The unchanged manifest applied again keeps the restart (kubectl's three-way merge keeps a
  // field the manifest never had): nothing changes, the pod stays (it was rolled again).
  r = Apply(ReadOr(std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset-linux.yaml"));
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset unchanged\n") << r.err;
  EXPECT_EQ(Hp("get pods -o name" + ns).out, after);
  r = Hp("describe ds privileged-daemonset" + ns);
  EXPECT_TRUE(HasLine(
      r.out, " +Normal +SuccessfulDelete +\\d+s +daemonset-controller +Deleted pod: " + pod))
      << r.out;
  // wait --for=delete of a DaemonSet asks for its stored object alone (HasDaemonSet).
  r = Hp("wait --for=delete ds/privileged-daemonset --timeout=300ms" + ns);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "error: timed out waiting for the condition on daemonsets.apps/privileged-daemonset\n");
  EXPECT_EQ(Hp("delete ds --all" + ns).out, "daemonset.apps \"privileged-daemonset\" deleted\n");
  r = Hp("wait --for=delete ds/privileged-daemonset --timeout=5s" + ns);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset condition met\n");
  // A deleted DaemonSet's events go with it (they would name a DaemonSet that is not there).
  g = Hp("get events" + ns);
  EXPECT_EQ(g.out.find("daemonset/"), std::string::npos) << g.out;
  r = Hp("rollout status ds/privileged-daemonset" + ns);
  EXPECT_EQ(r.err,
            "Error from server (NotFound): daemonsets.apps \"privileged-daemonset\" not "
            "found\n");
}

TEST_F(AgentE2E, GetTypesTemplatesAndBulkDelete) {
  ASSERT_EQ(Apply(Labelled(PodYaml("web", "sleep 3600"), "web", "    tier: front\n")).rc, 0);
  ASSERT_EQ(
      Apply(Labelled(PodYaml("db", "sleep 3600", "Always", "", "  nodeSelector:\n    disk: none\n"),
                     "db", "    tier: back\n"))
          .rc,
      0);
  ASSERT_EQ(Apply("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: win\nspec:\n"
                  "  selector:\n    matchLabels: {app: win}\n  template:\n    metadata:\n"
                  "      labels: {app: win}\n    spec:\n      nodeSelector:\n"
                  "        kubernetes.io/os: windows\n      containers:\n      - name: c\n"
                  "        image: hostprocess.local/busybox:latest\n")
                .rc,
            0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("web") == "Running"; }, 10000));

  CliResult r = Hp("get pods --sort-by=.metadata.name -o jsonpath='{.items[*].metadata.name}'");
  EXPECT_EQ(r.out, "db web") << r.err;
  r =
      Hp("get pods --sort-by=.metadata.name -o "
         "jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'");
  EXPECT_EQ(r.out, "db\tPending\nweb\tRunning\n") << r.err;
  EXPECT_EQ(Hp("get pod web -o jsonpath='{.metadata.labels.tier}'").out, "front");
  r =
      Hp("get pods --sort-by=.metadata.name -o custom-columns=NAME:.metadata.name,PHASE:.status."
         "phase,TIER:metadata.labels.tier,IMAGES:.spec.containers[*].image");
  EXPECT_EQ(r.out,
            "NAME   PHASE     TIER    IMAGES\n"
            "db     Pending   back    hostprocess.local/busybox:latest\n"
            "web    Running   front   hostprocess.local/busybox:latest\n")
      << r.err;
  // A map or list in a column prints as kubectl prints it (Go's %v), not as JSON.
  r =
      Hp("get pods --sort-by=.metadata.name -o custom-columns=NAME:.metadata.name,"
         "LABELS:.metadata.labels,SELECTOR:.spec.nodeSelector");
  EXPECT_EQ(r.out,
            "NAME   LABELS            SELECTOR\n"
            "db     map[tier:back]    map[disk:none]\n"
            "web    map[tier:front]   <none>\n")
      << r.err;
  // Pods named are read alone (GetNamedPods): the same rows as the listing filtered by name,
  // each once and sorted, a name that cannot be a pod's not found; names with a selector are
  // kubectl's refusal. A pod directory without its record (a pod being made or removed) is no
  // pod, as the listing takes it, not an error that hides the others.
  EXPECT_EQ(Hp("get pods web db web -o name").out, "pod/db\npod/web\n");
  r = Hp("get pods web db -l tier=back -o name");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: name cannot be provided when a selector is specified\n");
  r = Hp("get pod/web --field-selector metadata.name=web");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "error: selectors and the all flag cannot be used when passing resource/name "
            "arguments\n");
  r = Hp("get pod web --no-headers");
  EXPECT_EQ(r.out.rfind("web   1/1   Running   0     ", 0), 0u) << r.out << r.err;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  r = Hp("get pods -A web");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: a resource cannot be retrieved by name across all namespaces\n");
  r = Hp("get pods web ../db");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"../db\" not found\n");
  EXPECT_EQ(r.out.rfind("NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0", 0),
            0u)
      << r.out;  // what was found is printed too, as kubectl does (nothing was before)
  r = Hp("get pods nope1 db nope2 -o name");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "pod/db\n");
  EXPECT_EQ(r.err,
            "Error from server (NotFound): pods \"nope1\" not found\n"
            "Error from server (NotFound): pods \"nope2\" not found\n");
  EXPECT_EQ(Hp("get pod WEB").err, "Error from server (NotFound): pods \"WEB\" not found\n");
  ASSERT_TRUE(sys::MkdirAll(root_ + "/run/pods/default_half", 0700));  // no record yet
  r = Hp("describe pods web half");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out.rfind("Name:             web\n", 0), 0u) << r.out << r.err;
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"half\" not found\n");
  r = Hp("events --for pod/half");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "No events found in default namespace.\n");
  ASSERT_EQ(::rmdir((root_ + "/run/pods/default_half").c_str()), 0);
  r = Hp("describe pods web");
  EXPECT_EQ(r.out.rfind("Name:             web\n", 0), 0u) << r.out << r.err;
  EXPECT_FALSE(HasLine(r.out, "Name: +db")) << r.out;
  r = Hp("events --for pod/db");
  EXPECT_TRUE(HasLine(r.out, ".* {3}Warning {3}FailedScheduling {3,}pod/db {3,}.*")) << r.out;
  EXPECT_EQ(r.out.find("pod/web"), std::string::npos) << r.out;
  r = Hp("top pod web db --no-headers");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("web   ", 0), 0u) << r.out;

  r = Hp("get pods -o custom-columns=NAME");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n");

  // Several types: names carry the type, a blank line between the tables (kubectl get all).
  r = Hp("get all --sort-by=.metadata.name");
  EXPECT_EQ(r.out.rfind("NAME      READY   STATUS    RESTARTS   AGE\n"
                        "pod/db    0/1     Pending   0          ",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\n\nNAME                 DESIRED   CURRENT   READY   UP-TO-DATE   "
                       "AVAILABLE   NODE SELECTOR              AGE\n"
                       "daemonset.apps/win   0         0         0       0            0           "
                       "kubernetes.io/os=windows   "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Hp("get pods,ds -o name --sort-by=.metadata.name").out,
            "pod/db\npod/web\ndaemonset.apps/win\n");
  EXPECT_EQ(Hp("get ds,pods -l tier -o name --sort-by=.metadata.name").out, "pod/db\npod/web\n");

  EXPECT_EQ(Hp("delete pods -l 'tier in (front)'").out, "pod \"web\" deleted\n");
  EXPECT_EQ(Hp("delete pods --all").out, "pod \"db\" deleted\n");
  EXPECT_EQ(Hp("delete pods --all").out, "No resources found\n");
  EXPECT_EQ(Hp("delete pod x --all").rc, 1);
  EXPECT_EQ(Hp("delete ds --all").out, "daemonset.apps \"win\" deleted\n");
}

TEST_F(AgentE2E, LogsBySelectorAndTopNotFound) {
  std::string yaml = Labelled(PodYaml("two", "echo hello c; sleep 3600"), "two", "    app: two\n") +
                     "  - name: d\n    image: hostprocess.local/busybox:latest\n"
                     "    command: [sh, -c, \"echo hello d; sleep 3600\"]\n";
  ASSERT_EQ(Apply(yaml).rc, 0);
  CliResult r;
  ASSERT_TRUE(WaitFor(
      [&] {
        r = Hp("logs -l app=two --all-containers --prefix");
        return r.out == "[pod/two/c] hello c\n[pod/two/d] hello d\n";
      },
      10000))
      << r.out << r.err;
  EXPECT_EQ(Hp("logs two --all-containers").out, "hello c\nhello d\n");
  EXPECT_EQ(Hp("logs -l app=none").err, "No resources found in default namespace.\n");
  r = Hp("top pod nope");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"nope\" not found\n");
  r = Hp("top pods -l app=two --no-headers");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("two   ", 0), 0u) << r.out;
  EXPECT_EQ(Hp("delete pod two").rc, 0);
}

// -w: the listing, then one row per change (no header), until interrupted (exit 0).
TEST_F(AgentE2E, GetWatchPrintsARowPerChange) {
  std::string out = root_ + "/watch.out", pidfile = root_ + "/watch.pid";
  std::string cmd = "'" + Binary() + "' --root '" + root_ + "' get pods -w >'" + out + "' 2>'" +
                    out + ".err' </dev/null & echo $! >'" + pidfile + "'";
  ASSERT_EQ(::system(cmd.c_str()), 0);
  pid_t pid = std::stoi(ReadOr(pidfile));
  struct StopWatch {  // the watch ends with the test, whatever happens
    pid_t pid;
    ~StopWatch() {
      if (::kill(pid, SIGINT) == 0) {
        WaitFor([&] { return ::kill(pid, 0) != 0; }, 5000);
        ::kill(pid, SIGKILL);
      }
    }
  } stop_watch{pid};
  ASSERT_TRUE(WaitFor([&] { return !ReadOr(out + ".err").empty(); }, 5000));
  EXPECT_EQ(ReadOr(out + ".err"), "No resources found in default namespace.\n");
  ASSERT_EQ(Apply(PodYaml("w", "sleep 3600")).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("w") == "Running"; }, 10000));
  // The watch polls every 250 ms: the pod is deleted once it has printed the Running row, or a
  // pod that comes and goes between two polls would leave no row at all.
  ASSERT_TRUE(WaitFor([&] { return ReadOr(out).find("Running") != std::string::npos; }, 5000))
      << "stdout: " << ReadOr(out) << "\nstderr: " << ReadOr(out + ".err");
  EXPECT_EQ(Hp("delete pod w").rc, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return ReadOr(out).find("Terminating") != std::string::npos ||
               ReadOr(out).find("Completed") != std::string::npos;
      },
      5000))
      << "stdout: " << ReadOr(out) << "\nstderr: " << ReadOr(out + ".err");
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_TRUE(WaitFor([&] { return ::kill(pid, 0) != 0; }, 5000));
  std::string text = ReadOr(out);
  EXPECT_EQ(text.find("NAME"), std::string::npos) << text;
  EXPECT_TRUE(HasLine(text, "w {5}1/1 {3}Running {3}0 {5}\\d+s")) << text;
  EXPECT_TRUE(HasLine(text, "w {5}[01]/1 {3}(Terminating|Completed) {3}0 {5}\\d+s")) << text;
}

// logs of a container whose image cannot be pulled: kubelet's words for it.
TEST_F(AgentE2E, LogsOfAContainerWhoseImageCannotBePulledSayWhyAsKubelet) {
  std::string yaml = PodYaml("noimg", "true");
  yaml.replace(yaml.find("hostprocess.local/busybox:latest"), 32, "hostprocess.local/nope:1");
  ASSERT_EQ(Apply(yaml).rc, 0);
  std::string status;
  ASSERT_TRUE(WaitFor(
      [&] {
        status = StatusColumnOf("noimg");
        return status == "ErrImagePull" || status == "ImagePullBackOff";
      },
      10000))
      << status;
  auto r = Hp("logs noimg");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.err ==
                  "Error from server (BadRequest): container \"c\" in pod \"noimg\" is waiting "
                  "to start: image can't be pulled\n" ||
              r.err ==
                  "Error from server (BadRequest): container \"c\" in pod \"noimg\" is waiting "
                  "to start: trying and failing to pull image\n")
      << r.err;
  EXPECT_EQ(Hp("delete pod noimg").rc, 0);
}

// wait -l and --all (and describe -l), as kubectl: the matching objects of the type, each
// "condition met"; none matching is kubectl's error.
TEST_F(AgentE2E, WaitTakesASelectorOrAll) {
  ASSERT_EQ(Apply(Labelled(PodYaml("wa", "sleep 3600"), "wa", "    tier: w\n") + "---\n" +
                  Labelled(PodYaml("wb", "sleep 3600"), "wb", "    tier: w\n"))
                .rc,
            0);
  auto r = Hp("wait --for=condition=Ready pod -l tier=w --timeout=20s");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/wa condition met\npod/wb condition met\n");
  r = Hp("wait --for=condition=Ready pods --all --timeout=20s");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/wa condition met\npod/wb condition met\n");
  r = Hp("wait --for=condition=Ready pod -l tier=none");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: no matching resources found\n");
  r = Hp("describe pod -l tier=w");  // describe takes -l too
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Name:             wa\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n\n\nName:             wb\n"), std::string::npos) << r.out;
  EXPECT_EQ(Hp("delete pods -l tier=w").rc, 0);
}

// delete --grace-period, --now and --force, kubectl's rules: a pod whose container ignores
// SIGTERM and would get 30 s is gone in about the period given, and at once with --force.
TEST_F(AgentE2E, DeleteTakesAGracePeriodNowAndForce) {
  auto stubborn = [&](const std::string& name) {
    std::string yaml = PodYaml(name, "trap '' TERM; while true; do sleep 0.1; done");
    yaml.replace(yaml.find("terminationGracePeriodSeconds: 2"), 32,
                 "terminationGracePeriodSeconds: 30");
    return yaml;
  };
  ASSERT_EQ(Apply(stubborn("g1") + "---\n" + stubborn("g2") + "---\n" + stubborn("g3")).rc, 0);
  for (const char* p : {"g1", "g2", "g3"})
    ASSERT_TRUE(WaitFor([&] { return StatusColumnOf(p) == "Running"; }, 10000)) << p;
  auto r = Hp("delete pod g1 --now --grace-period 3");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: --now and --grace-period cannot be specified together\n");
  auto timed = [&](const std::string& args, double* seconds) {
    auto t0 = std::chrono::steady_clock::now();
    CliResult c = Hp(args);
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return c;
  };
  double s = 0;
  r = timed("delete pod g1 --grace-period=2", &s);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod \"g1\" deleted\n");
  EXPECT_GE(s, 1.5);   // the 2 s were given: SIGTERM is ignored
  EXPECT_LT(s, 10.0);  // not the pod's 30
  r = timed("delete pod g2 --now", &s);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_LT(s, 8.0);
  r = timed("delete pod g3 --force", &s);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod \"g3\" force deleted\n");
  EXPECT_EQ(r.err,
            "Warning: Immediate deletion does not wait for confirmation that the running "
            "resource has been terminated. The resource may continue to run on the cluster "
            "indefinitely.\n");
  EXPECT_LT(s, 1.5);
  EXPECT_EQ(Hp("get pods -o name").out, "");
}

// exec and logs find a DaemonSet's pod (ds/NAME) and name a missing DaemonSet as kubectl does;
// exec refuses a completed pod with kubectl's words; top in a namespace without pods is no
// error.
TEST_F(AgentE2E, ExecLogsAndTopOnTheirEdgesAsKubectl) {
  const std::string pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(pod.empty());
  auto r = Hp("exec -n kube-system ds/privileged-daemonset -- echo from-ds");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "from-ds\n");
  for (const char* verb : {"logs ds/nope", "exec ds/nope -- true"}) {
    r = Hp(verb);
    EXPECT_EQ(r.rc, 1) << verb;
    EXPECT_EQ(r.err, "Error from server (NotFound): daemonsets.apps \"nope\" not found\n") << verb;
  }
  ASSERT_EQ(Apply(PodYaml("done", "echo ok", "Never")).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("done") == "Completed"; }, 10000));
  r = Hp("exec done -- true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "error: cannot exec into a container in a completed pod; current phase is "
            "Succeeded\n");
  r = Hp("top pods -n empty");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "No resources found in empty namespace.\n");
  EXPECT_EQ(Hp("delete pod done").rc, 0);
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

// -n for the objects of -f, as kubectl: a pod without a namespace goes to -n's, one whose
// namespace is another is refused with kubectl's words and nothing is stored; delete -f -n
// finds it there.
TEST_F(AgentE2E, ApplyAndDeleteTakeTheNamespaceFlag) {
  std::string yaml = PodYaml("nsd", "sleep 3600");
  std::string file = root_ + "/nsd.yaml";
  ASSERT_TRUE(sys::WriteFile(file, yaml));
  auto r = Hp("apply -f '" + file + "' -n other");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/nsd created\n");
  EXPECT_EQ(Hp("get pod nsd -n other -o name").out, "pod/nsd\n");
  EXPECT_EQ(Hp("get pod nsd -o name").rc, 1);  // not in default
  std::string elsewhere = yaml;
  elsewhere.replace(elsewhere.find("  name: nsd\n"), 12,
                    "  name: nsd2\n  namespace: kube-system\n");
  ASSERT_TRUE(sys::WriteFile(root_ + "/nsd2.yaml", elsewhere));
  r = Hp("apply -f '" + root_ + "/nsd2.yaml' -n other");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "error: the namespace from the provided object \"kube-system\" does not match the "
            "namespace \"other\". You must pass '--namespace=kube-system' to perform this "
            "operation.\n");
  EXPECT_EQ(Hp("get pods -A -o name").out, "pod/nsd\n");  // nothing of nsd2 stored
  r = Hp("delete -f '" + file + "' -n other");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod \"nsd\" deleted\n");
}

// -R: the directories of -f with their subdirectories, in Go's walk order; without it the
// subdirectories are not read (kubectl's).
TEST_F(AgentE2E, ApplyAndDeleteReadSubdirectoriesWithR) {
  const std::string dir = root_ + "/manifests";
  ASSERT_TRUE(sys::MkdirAll(dir + "/b/deeper"));
  ASSERT_TRUE(sys::WriteFile(dir + "/a.yaml", PodYaml("ra", "sleep 3600")));
  ASSERT_TRUE(sys::WriteFile(dir + "/b/deeper/c.yaml", PodYaml("rc", "sleep 3600")));
  ASSERT_TRUE(sys::WriteFile(dir + "/b/b.yml", PodYaml("rb", "sleep 3600")));
  ASSERT_TRUE(sys::WriteFile(dir + "/b/notes.txt", "not a manifest"));
  auto r = Hp("apply -f '" + dir + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/ra created\n");
  r = Hp("apply -R -f '" + dir + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/ra unchanged\npod/rb created\npod/rc created\n");
  r = Hp("delete -R -f '" + dir + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod \"ra\" deleted\npod \"rb\" deleted\npod \"rc\" deleted\n");
}

// A crash-looping pod between two restarts does not change: its row is not printed again,
// although its RESTARTS text ("1 (3s ago)") moves every second (it was, once a second). Its
// container id is the last container's.
TEST_F(AgentE2E, GetWatchDoesNotReprintAPodThatOnlyAged) {
  ASSERT_EQ(Apply(PodYaml("cl", "exit 1")).rc, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string row = Hp("get pod cl --no-headers").out;
        return row.find("CrashLoopBackOff") != std::string::npos &&
               row.find("   1 (") != std::string::npos;
      },
      15000))
      << Hp("get pod cl").out;
  // Waiting to restart, it keeps the id of the container that ended, which its last state
  // names too (kubelet's; describe showed an empty Container ID).
  std::string id = Hp("get pod cl -o jsonpath={.status.containerStatuses[0].containerID}").out;
  EXPECT_EQ(id.rfind("hostprocess://", 0), 0u) << id;
  EXPECT_EQ(
      Hp("get pod cl -o jsonpath={.status.containerStatuses[0].lastState.terminated.containerID}")
          .out,
      id);
  EXPECT_TRUE(HasLine(Hp("describe pod cl").out, " +Container ID: +" + id)) << id;
  // The back-off holds it for 10 s from here: 3 s of watching see no change.
  std::string out = root_ + "/watch.out", pidfile = root_ + "/watch.pid";
  std::string cmd = "'" + Binary() + "' --root '" + root_ + "' get pods -w >'" + out +
                    "' 2>/dev/null </dev/null & echo $! >'" + pidfile + "'";
  ASSERT_EQ(::system(cmd.c_str()), 0);
  pid_t pid = std::stoi(ReadOr(pidfile));
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_TRUE(WaitFor([&] { return ::kill(pid, 0) != 0; }, 5000));
  std::string text = ReadOr(out);
  int rows = 0;
  for (size_t at = 0; (at = text.find("\ncl ", at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, 1) << text;  // the listing's row only
  EXPECT_EQ(Hp("delete pod cl").rc, 0);
}

// describe through Go's tabwriter as kubectl's (two-space gutters, keys aligned per block),
// volumes and env in kubectl's words, the service account volume shown.
TEST_F(AgentE2E, DescribeAsKubectl) {
  std::string yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: v\n---\n" +
      PodYaml("desc", "sleep 3600", "Always",
              "    env:\n    - name: K\n      valueFrom:\n        configMapKeyRef: {name: cfg, "
              "key: k}\n    volumeMounts:\n    - {name: cfg, mountPath: /etc/cfg, readOnly: "
              "true}\n",
              "  volumes:\n  - name: cfg\n    configMap: {name: cfg}\n");
  ASSERT_EQ(Apply(yaml).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("desc") == "Running"; }, 10000));
  std::string d = Hp("describe pod desc").out;
  for (const char* want :
       {"Name:             desc\nNamespace:        default\nPriority:         0\n"
        "Service Account:  default\n",
        "    Environment:\n      K:  <set to the key 'k' of config map 'cfg'>  Optional: false\n"
        "    Mounts:\n      /etc/cfg from cfg (ro)\n"
        "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-",
        "Volumes:\n  cfg:\n    Type:      ConfigMap (a volume populated by a ConfigMap)\n"
        "    Name:      cfg\n    Optional:  false\n  kube-api-access-",
        "    Type:                    Projected (a volume that contains injected data from "
        "multiple sources)\n    TokenExpirationSeconds:  3607\n"
        "    ConfigMapName:           kube-root-ca.crt\n"
        "    ConfigMapOptional:       <nil>\n    DownwardAPI:             true\n"
        "QoS Class:                   BestEffort\nNode-Selectors:              <none>\n"
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for "
        "300s\n                             node.kubernetes.io/unreachable:NoExecute "
        "op=Exists for 300s\n",
        "Conditions:\n  Type              Status\n  Initialized       True \n"
        "  Ready             True \n  ContainersReady   True \n  PodScheduled      True \n",
        "Events:\n  Type    Reason     Age   From               Message\n"
        "  ----    ------     ----  ----               -------\n"}) {
    EXPECT_NE(d.find(want), std::string::npos) << "want:\n" << want << "\nin:\n" << d;
  }
  EXPECT_EQ(Hp("delete pod desc").rc, 0);
  EXPECT_EQ(Hp("delete configmap cfg").rc, 0);

  std::string pod = ApplySeedDaemonSetAndWait();
  ASSERT_FALSE(pod.empty());
  d = Hp("describe ds privileged-daemonset -n kube-system").out;
  for (const std::string& want :
       {std::string("Name:           privileged-daemonset\nSelector:       "
                    "app=privileged-daemonset\nNode-Selector:  kubernetes.io/os=linux\n"),
        std::string("Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
                    "Pod Template:\n  Labels:  app=privileged-daemonset\n  Containers:\n"
                    "   shell:\n    Image:      hostprocess.local/busybox:latest\n"
                    "    Port:       <none>\n    Host Port:  <none>\n    Command:\n"
                    "      sh\n      -c\n"),
        std::string("  Volumes:         <none>\n  Node-Selectors:  kubernetes.io/os=linux\n"
                    "  Tolerations:     <none>\nEvents:\n"
                    "  Type    Reason            Age   From                  Message\n"
                    "  ----    ------            ----  ----                  -------\n"
                    "  Normal  SuccessfulCreate  "),
        "daemonset-controller  Created pod: " + pod + "\n"}) {
    EXPECT_NE(d.find(want), std::string::npos) << "want:\n" << want << "\nin:\n" << d;
  }
  EXPECT_EQ(Hp("delete ds --all -n kube-system").rc, 0);
}

// get configmaps|secrets: kubectl's tables (DATA counts data, binaryData and a Secret's
// stringData), -A, -l, a name, -o jsonpath, and NotFound; the same get as the Windows build's.
TEST_F(AgentE2E, GetConfigMapsAndSecrets) {
  ASSERT_EQ(Apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {app: a}\n"
                  "data: {k: v, k2: v2}\nbinaryData: {b: AAE=}\n---\n"
                  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: other\n"
                  "type: kubernetes.io/basic-auth\ndata: {username: dQ==}\n"
                  "stringData: {password: p}\n")
                .rc,
            0);
  CliResult r = Hp("get cm");
  EXPECT_TRUE(HasLine(r.out, "NAME +DATA +AGE")) << r.out << r.err;
  EXPECT_TRUE(HasLine(r.out, "cfg +3 +\\d+s")) << r.out;
  r = Hp("get secrets -A");
  EXPECT_TRUE(HasLine(r.out, "NAMESPACE +NAME +TYPE +DATA +AGE")) << r.out << r.err;
  EXPECT_TRUE(HasLine(r.out, "other +s +kubernetes.io/basic-auth +2 +\\d+s")) << r.out;
  EXPECT_EQ(Hp("get secrets").err, "No resources found in default namespace.\n");
  EXPECT_EQ(Hp("get configmap cfg -o jsonpath={.data.k2}").out, "v2");
  EXPECT_EQ(Hp("get cm -l app=a -o name").out, "configmap/cfg\n");
  EXPECT_EQ(Hp("get cm -l app=b -o name").out, "");
  r = Hp("get cm nothere");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): configmaps \"nothere\" not found\n");
  EXPECT_EQ(Hp("delete cm cfg").rc, 0);
  EXPECT_EQ(Hp("delete secret s -n other").rc, 0);
}

// apply --dry-run and diff -f: what would change, nothing changed.
TEST_F(AgentE2E, DryRunAndDiff) {
  std::string file = root_ + "/dry.yaml";
  ASSERT_TRUE(sys::WriteFile(file, PodYaml("dry", "sleep 3600")));
  CliResult r = Hp("apply -f '" + file + "' --dry-run=client");
  EXPECT_EQ(r.out, "pod/dry created (dry run)\n") << r.err;
  EXPECT_EQ(Hp("apply -f '" + file + "' --dry-run=server").out,
            "pod/dry created (server dry run)\n");
  r = Hp("apply -f '" + file + "' --dry-run=client -o yaml");
  EXPECT_EQ(
      r.out.rfind("apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n"
                  "    kubectl.kubernetes.io/last-applied-configuration: |\n"
                  "      {\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\""
                  ":{},\"name\":\"dry\",\"namespace\":\"default\"},\"spec\":{",
                  0),
      0u)
      << r.out << r.err;
  EXPECT_EQ(Hp("get pod dry").rc, 1);  // nothing stored
  EXPECT_EQ(Hp("apply -f '" + file + "' --dry-run=maybe").rc, 1);
  // Applied, the same pod is unchanged: the scheduler's nodeName is no change of its spec.
  // (Into the test's own cgroup root: without one the pod's jobs went under the host's
  // /hostprocess, and those directories stayed behind.)
  ASSERT_EQ(Hp("apply -f '" + file + "' --cgroup-root '" + cgroup_root_ + "'").rc, 0);
  r = Hp("diff -f '" + file + "'");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(Hp("apply -f '" + file + "' --dry-run=server").out,
            "pod/dry unchanged (server dry run)\n");
  EXPECT_EQ(Hp("delete pod dry").rc, 0);

  std::string ds =
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: win\nspec:\n"
      "  selector:\n    matchLabels: {app: win}\n  template:\n    metadata:\n"
      "      labels: {app: win}\n    spec:\n      nodeSelector:\n"
      "        kubernetes.io/os: windows\n      containers:\n      - name: c\n"
      "        image: hostprocess.local/busybox:latest\n";
  ASSERT_EQ(Apply(ds).rc, 0);
  std::string same = root_ + "/ds.yaml", changed = root_ + "/ds2.yaml";
  ASSERT_TRUE(sys::WriteFile(same, ds));
  std::string ds2 = ds;
  ds2.replace(ds2.find("busybox:latest"), 14, "busybox:1");
  ASSERT_TRUE(sys::WriteFile(changed, ds2));
  r = Hp("diff -f '" + same + "'");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Hp("apply -f '" + same + "' --dry-run=server").out,
            "daemonset.apps/win unchanged (server dry run)\n");
  r = Hp("diff -f '" + changed + "'");
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_TRUE(HasLine(r.out,
                      "diff -u -N /tmp/LIVE-\\w+/apps\\.v1\\.DaemonSet\\.default\\.win "
                      "/tmp/MERGED-\\w+/apps\\.v1\\.DaemonSet\\.default\\.win"))
      << r.out;
  EXPECT_TRUE(HasLine(r.out, "-  generation: 1")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "\\+  generation: 2")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "-( |-)+image: hostprocess.local/busybox:latest")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "\\+( |-)+image: hostprocess.local/busybox:1")) << r.out;
  EXPECT_EQ(Hp("apply -f '" + changed + "' --dry-run=server").out,
            "daemonset.apps/win configured (server dry run)\n");
  // Nothing was changed by either.
  EXPECT_EQ(Hp("get ds win -o jsonpath='{.spec.template.spec.containers[0].image}'").out,
            "hostprocess.local/busybox:latest");
  EXPECT_EQ(Hp("delete ds win").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
