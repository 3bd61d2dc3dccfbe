#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "cli/hostprocess/printers/api_objects.h"
#include "cli/hostprocess/printers/describe.h"
#include "cli/hostprocess/printers/jsonpath.h"
#include "cli/hostprocess/printers/table.h"
#include "cli/hostprocess/printers/top.h"
#include "common/container_status.h"

namespace hp::cli {
namespace {

using agent::ContainerState;
using agent::ContainerStatus;
using agent::PodStatus;
using hp::testing::Running;
using hp::testing::Terminated;
using hp::testing::Waiting;

TEST(FormatTest, HumanDurationMatchesKubectl) {
  struct Case {
    int64_t s;
    const char* want;
  } cases[] = {
      {-2, "<invalid>"},
      {-1, "0s"},
      {0, "0s"},
      {59, "59s"},
      {119, "119s"},
      {120, "2m"},
      {133, "2m13s"},
      {599, "9m59s"},
      {600, "10m"},
      {10799, "179m"},
      {10800, "3h"},
      {3 * 3600 + 60, "3h1m"},
      {8 * 3600, "8h"},
      {47 * 3600, "47h"},
      {48 * 3600, "2d"},
      {49 * 3600, "2d1h"},
      {8 * 86400, "8d"},
      {729 * 86400, "729d"},
      {730 * 86400, "2y"},
      {731 * 86400, "2y1d"},
      {8 * 365 * 86400, "8y"},
  };
  for (const auto& c : cases) EXPECT_EQ(HumanDuration(c.s), c.want) << c.s;
}

TEST(FormatTest, TableLikeKubectl) {
  Table t({"NAME", "READY", "STATUS", "RESTARTS", "AGE"});
  t.AddRow({"privileged-daemonset-x7k2p", "1/1", "Running", "0", "2m13s"});
  t.AddRow({"a", "0/1", "CrashLoopBackOff", "12", "5h"});
  EXPECT_EQ(t.Render(),
            "NAME                         READY   STATUS             RESTARTS   AGE\n"
            "privileged-daemonset-x7k2p   1/1     Running            0          2m13s\n"
            "a                            0/1     CrashLoopBackOff   12         5h\n");
  EXPECT_EQ(t.rows(), 2u);
}

TEST(FormatTest, TableMinimumWidthAndNoHeaders) {
  Table t({"A", "B"});
  t.AddRow({"x", "y"});
  EXPECT_EQ(t.Render(), "A     B\nx     y\n");
  EXPECT_EQ(t.Render(true), "x     y\n");
}

TEST(FormatTest, Timestamps) {
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(1795341600), "2026-11-22T10:00:00Z");
  EXPECT_EQ(Rfc1123(1795341600), "Sun, 22 Nov 2026 10:00:00 +0000");
}

TEST(StatusColumn, FollowsKubectlPrintPod) {
  PodStatus s;
  s.phase = "Running";
  s.containers = {Running("a", true), Running("b", true)};
  EXPECT_EQ(StatusColumn(s), "Running");
  EXPECT_EQ(ReadyColumn(s), "2/2");
  s.containers[1] = Waiting("b", "CrashLoopBackOff");
  EXPECT_EQ(StatusColumn(s), "CrashLoopBackOff");
  EXPECT_EQ(ReadyColumn(s), "1/2");
  s.containers = {Terminated("a", 137, "OOMKilled")};
  s.phase = "Failed";
  EXPECT_EQ(StatusColumn(s), "OOMKilled");
  s.containers = {Terminated("a", 2, "")};
  EXPECT_EQ(StatusColumn(s), "ExitCode:2");
  s.containers[0].state.signal = 9;
  EXPECT_EQ(StatusColumn(s), "Signal:9");
  // A completed sidecar next to a ready one: Running (NotReady while the pod is not ready).
  s.containers = {Terminated("a", 0, "Completed"), Running("b", true)};
  s.ready = true;
  EXPECT_EQ(StatusColumn(s), "Running");
  s.ready = false;
  EXPECT_EQ(StatusColumn(s), "NotReady");
  s.terminating = true;
  EXPECT_EQ(StatusColumn(s), "Terminating");
}

TEST(StatusColumn, InitContainers) {
  PodStatus s;
  s.phase = "Pending";
  s.init_containers = {Terminated("i0", 0, "Completed"), Running("i1", false)};
  s.containers = {Waiting("c", "PodInitializing")};
  EXPECT_EQ(StatusColumn(s), "Init:1/2");
  s.init_containers[1] = Waiting("i1", "CrashLoopBackOff");
  EXPECT_EQ(StatusColumn(s), "Init:CrashLoopBackOff");
  s.init_containers[1] = Terminated("i1", 3, "Error");
  EXPECT_EQ(StatusColumn(s), "Init:Error");
  s.init_containers[1] = Terminated("i1", 3, "");
  EXPECT_EQ(StatusColumn(s), "Init:ExitCode:3");
  s.init_containers[1] = Waiting("i1", "PodInitializing");
  EXPECT_EQ(StatusColumn(s), "Init:1/2");
}

TEST(RestartsColumn, CountsAndAgeOfTheLastRestart) {
  PodStatus s;
  s.containers = {Running("a", true)};
  EXPECT_EQ(RestartsColumn(s, 1000), "0");
  s.containers[0].restart_count = 3;
  ContainerState last;
  last.kind = "terminated";
  last.finished_at = 975;
  s.containers[0].last_state = last;
  EXPECT_EQ(RestartsColumn(s, 1000), "3 (25s ago)");
}

// kubectl describe's writer is Go's text/tabwriter (min width 0, padding 2): keys aligned per
// block of consecutive tabbed lines, a line without a tab ends every block, the text after a
// line's last tab is not padded, empty cells (continuation lines) pad too.
TEST(TabWriteTest, AlignsLikeGoTabwriterInKubectlDescribe) {
  EXPECT_EQ(TabWrite("Name:\tnginx\nNamespace:\tdefault\nService Account:\tdefault\nIPs:\n"
                     "  IP:\t10.244.0.5\nControlled By:\tReplicaSet/nginx-abc\nContainers:\n"
                     "  nginx:\n    Image:\tnginx:1.14.2\n    Port:\t80/TCP\n"
                     "    Host Port:\t0/TCP\n    Environment:\t<none>\n    Mounts:\t<none>\n",
                     0, 2),
            "Name:             nginx\n"
            "Namespace:        default\n"
            "Service Account:  default\n"
            "IPs:\n"
            "  IP:           10.244.0.5\n"
            "Controlled By:  ReplicaSet/nginx-abc\n"
            "Containers:\n"
            "  nginx:\n"
            "    Image:        nginx:1.14.2\n"
            "    Port:         80/TCP\n"
            "    Host Port:    0/TCP\n"
            "    Environment:  <none>\n"
            "    Mounts:       <none>\n");
  EXPECT_EQ(TabWrite("Labels:\ta=b\n\tc=d\nAnnotations:\t<none>\n", 0, 2),
            "Labels:       a=b\n              c=d\nAnnotations:  <none>\n");
  // A second column only where a line has it; the trailing text is never padded.
  EXPECT_EQ(TabWrite("  K:\tv\tOptional: false\n  LONGER:\tx\n", 0, 2),
            "  K:       v  Optional: false\n  LONGER:  x\n");
  EXPECT_EQ(TabWrite("  Initialized \tTrue \n  Type\tStatus", 0, 2),
            "  Initialized   True \n  Type          Status");
  // kubectl get's settings (min width 6, padding 3) give Table's layout.
  EXPECT_EQ(TabWrite("A\tB\nx\ty\n", 6, 3), "A     B\nx     y\n");
}

// kubectl -o jsonpath's results (client-go util/jsonpath, allow-missing-template-keys=true).
std::string Jp(const std::string& tmpl, const nlohmann::json& data) {
  auto p = JsonPath::Parse(tmpl);
  if (!p) return "parse error: " + p.error().message();
  auto r = p->Execute(data);
  return r ? *r : "error: " + r.error().message();
}

const nlohmann::json kList = nlohmann::json::parse(R"({
  "apiVersion": "v1", "kind": "List",
  "items": [
    {"metadata": {"name": "web", "labels": {"tier": "front"}},
     "spec": {"containers": [{"name": "c", "image": "busybox:1"}, {"name": "d", "image": "x:2"}]},
     "status": {"phase": "Running", "restarts": 3,
                "conditions": [{"type": "Ready", "status": "True"},
                               {"type": "PodScheduled", "status": "True"}]}},
    {"metadata": {"name": "db"},
     "spec": {"containers": [{"name": "c", "image": "busybox:1"}]},
     "status": {"phase": "Pending", "restarts": 0,
                "conditions": [{"type": "Ready", "status": "False"}]}}
  ]})");

TEST(JsonPathTest, KubectlTemplates) {
  EXPECT_EQ(Jp("{.items[0].metadata.name}", kList), "web");
  EXPECT_EQ(Jp("{.items[*].metadata.name}", kList), "web db");
  EXPECT_EQ(Jp("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}", kList),
            "web\tRunning\ndb\tPending\n");
  EXPECT_EQ(Jp("{range .items}{.metadata.name},{end}", kList), "web,db,");
  EXPECT_EQ(Jp("{.items[0].spec.containers[*].image}", kList), "busybox:1 x:2");
  EXPECT_EQ(Jp("{.items[-1].metadata.name}", kList), "db");
  EXPECT_EQ(Jp("{.items[0:1].metadata.name}", kList), "web");
  EXPECT_EQ(Jp("{.items[0].status.conditions[?(@.type==\"Ready\")].status}", kList), "True");
  EXPECT_EQ(Jp("{.items[?(@.status.restarts>1)].metadata.name}", kList), "web");
  EXPECT_EQ(Jp("{.items[?(@.metadata.labels)].metadata.name}", kList), "web");
  EXPECT_EQ(Jp("{..image}", kList), "busybox:1 x:2 busybox:1");
  // Maps and lists print as compact JSON, numbers as Go prints them; missing keys as nothing.
  EXPECT_EQ(Jp("{.items[0].metadata.labels}", kList), "{\"tier\":\"front\"}");
  EXPECT_EQ(Jp("{.a\\.b/c}", nlohmann::json::parse(R"({"a.b/c": "dotted"})")), "dotted");
  EXPECT_EQ(Jp("{.items[0].status.restarts}", kList), "3");
  EXPECT_EQ(Jp("name={.items[1].metadata.nope}.", kList), "name=.");
  EXPECT_EQ(Jp("{.kind}{\"\\n\"}", kList), "List\n");
  EXPECT_EQ(Jp("{.items[0]", kList), "parse error: unclosed action");
  EXPECT_EQ(Jp("{range .items[*]}{.x}", kList), "parse error: unexpected EOF: range without end");
}

TEST(JsonPathTest, RelaxedCustomColumnPaths) {
  EXPECT_EQ(RelaxedJsonPath(".metadata.name"), "{.metadata.name}");
  EXPECT_EQ(RelaxedJsonPath("metadata.name"), "{.metadata.name}");
  EXPECT_EQ(RelaxedJsonPath("{.metadata.name}"), "{.metadata.name}");
  auto p = JsonPath::Parse(RelaxedJsonPath("spec.containers[*].name"));
  ASSERT_TRUE(p);
  auto v = p->Values(kList["items"][0]);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(JsonPathText(v[1]), "d");
}

// kubectl's custom-columns printer formats each value with Go's fmt.Sprint of the decoded
// object (maps with sorted keys, slices space-separated), where jsonpath prints JSON.
TEST(JsonPathTest, CustomColumnValuesPrintAsGoPrintsThem) {
  nlohmann::json labels = {{"tier", "front"}, {"app", "web"}};
  EXPECT_EQ(GoValueText(labels), "map[app:web tier:front]");
  EXPECT_EQ(JsonPathText(labels), R"({"app":"web","tier":"front"})");
  EXPECT_EQ(GoValueText(nlohmann::json::parse(R"([{"containerPort":80,"protocol":"TCP"}])")),
            "[map[containerPort:80 protocol:TCP]]");
  EXPECT_EQ(GoValueText(nlohmann::json::parse(R"({"a":{"b":[1,"x",true,null]}})")),
            "map[a:map[b:[1 x true <nil>]]]");
  EXPECT_EQ(GoValueText(nlohmann::json::array()), "[]");
  EXPECT_EQ(GoValueText(nlohmann::json::object()), "map[]");
  EXPECT_EQ(GoValueText("raw string"), "raw string");
  EXPECT_EQ(GoValueText(-3), "-3");
  // strconv.FormatFloat(f, 'g', -1, 64)
  EXPECT_EQ(GoValueText(0.5), "0.5");
  EXPECT_EQ(GoValueText(123456.0), "123456");
  EXPECT_EQ(GoValueText(1000000.0), "1e+06");
  EXPECT_EQ(GoValueText(1234567.5), "1.2345675e+06");
  EXPECT_EQ(GoValueText(0.0001), "0.0001");
  EXPECT_EQ(GoValueText(0.00001), "1e-05");
  // The shortest digits that read back (strconv's), sign and zero as Go prints them.
  EXPECT_EQ(GoValueText(-2.5), "-2.5");
  EXPECT_EQ(GoValueText(-0.0), "-0");
  EXPECT_EQ(GoValueText(0.0), "0");
  EXPECT_EQ(GoValueText(100.0), "100");
  EXPECT_EQ(GoValueText(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(GoValueText(999999.5), "999999.5");
  EXPECT_EQ(GoValueText(-1e21), "-1e+21");
  EXPECT_EQ(GoValueText(1.5e-7), "1.5e-07");
  EXPECT_EQ(GoValueText(5e-324), "5e-324");
  EXPECT_EQ(GoValueText(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(GoValueText(123.456e3), "123456");
  EXPECT_EQ(GoValueText(1.25e-4), "0.000125");
  EXPECT_EQ(GoValueText(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(GoValueText(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(GoValueText(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace hp::cli

namespace hp::cli {
namespace {

// kubectl top pod's table (printers/top.h), shared by the Linux and Windows nodes.
TEST(TopTest, MillicoresOverTheWindowAndMemoryInMi) {
  TopSample a{"default", "web", "", {}, {}};
  a.first.cpu_user_ns = 1'000'000'000;
  a.second.cpu_user_ns = 1'200'000'000;
  a.second.cpu_system_ns = 50'000'000;  // 250 ms of CPU over 0.5 s: 500m
  a.second.memory_current_bytes = 100 * 1024 * 1024 + 1024 * 1024 - 1;  // rounded down
  TopSample idle{"kube-system", "agent-x2b4c", "", {}, {}};
  idle.first.cpu_user_ns = idle.second.cpu_user_ns = 7;  // no CPU used: 0m (Wine reads 0s)
  idle.second.memory_current_bytes = 1024 * 1024 - 1;
  EXPECT_EQ(TopPodsTable({a, idle}, 0.5, false, false, false),
            "NAME          CPU(cores)   MEMORY(bytes)\n"
            "web           500m         100Mi\n"
            "agent-x2b4c   0m           0Mi\n");
  // Half a millicore rounds up; a counter that went back (a restarted job) is 0m.
  TopSample half{"default", "half", "", {}, {}};
  half.second.cpu_user_ns = 500'000;  // 0.5 ms over 1 s
  TopSample back{"default", "back", "", {}, {}};
  back.first.cpu_user_ns = 9'000'000;
  EXPECT_EQ(TopPodsTable({half, back}, 1.0, false, false, true),
            "half   1m    0Mi\nback   0m    0Mi\n");
}

TEST(TopTest, ColumnsForAllNamespacesAndContainers) {
  TopSample c{"kube-system", "agent-x2b4c", "agent", {}, {}};
  c.second.memory_current_bytes = 3 * 1024 * 1024;
  EXPECT_EQ(TopPodsTable({c}, 0.5, true, true, false),
            "NAMESPACE     POD           NAME    CPU(cores)   MEMORY(bytes)\n"
            "kube-system   agent-x2b4c   agent   0m           3Mi\n");
  EXPECT_EQ(TopNoMetrics("default", false),
            "error: Metrics not available for pods in namespace default\n");
  EXPECT_EQ(TopNoMetrics("default", true),
            "error: Metrics not available for pods in namespace (all)\n");
}

TEST(TopTest, SampleTwiceReadsEverySampleBeforeAndAfterTheWindow) {
  std::vector<TopSample> samples(2);
  std::vector<int> reads(2, 0);
  double secs = SampleTwice(samples, std::chrono::milliseconds(30), [&](size_t i) {
    job::Stats s;
    s.cpu_user_ns = 1000 * (i + 1) * ++reads[i];
    if (i == 1 && reads[i] == 2) return Result<job::Stats>(Err(ErrorCode::kNotFound, "gone"));
    return Result<job::Stats>(s);
  });
  EXPECT_GE(secs, 0.03);
  EXPECT_EQ(reads, (std::vector<int>{2, 2}));
  EXPECT_EQ(samples[0].first.cpu_user_ns, 1000u);
  EXPECT_EQ(samples[0].second.cpu_user_ns, 2000u);
  EXPECT_EQ(samples[1].first.cpu_user_ns, 2000u);
  EXPECT_EQ(samples[1].second.cpu_user_ns, 0u);  // a failed read leaves zeros
}

// kubectl describe daemonset (printers/describe.h), shared by the Linux and Windows nodes.
TEST(DescribeDaemonSetTest, KubectlFieldsAndWhyItDoesNotFit) {
  DaemonSetDescription d;
  d.object = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "kube-system", "labels": {"app": "agent"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"nodeSelector": {"kubernetes.io/os": "windows"},
                                   "containers": [{"name": "agent", "image": "busybox"}]}}}})");
  d.desired = d.current = d.up_to_date = d.available = 1;
  d.running = 1;
  std::string text = DescribeDaemonSetText(d, 1000);
  EXPECT_EQ(text.substr(0, text.find("Pod Template:")),
            "Name:           agent\n"
            "Selector:       app=agent\n"
            "Node-Selector:  kubernetes.io/os=windows\n"
            "Labels:         app=agent\n"
            "Annotations:    <none>\n"
            "Desired Number of Nodes Scheduled: 1\n"
            "Current Number of Nodes Scheduled: 1\n"
            "Number of Nodes Scheduled with Up-to-date Pods: 1\n"
            "Number of Nodes Scheduled with Available Pods: 1\n"
            "Number of Nodes Misscheduled: 0\n"
            "Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed\n");
  EXPECT_NE(text.find("  Containers:\n   agent:\n    Image:"), std::string::npos) << text;
  EXPECT_NE(text.find("  Node-Selectors:  kubernetes.io/os=windows\n"), std::string::npos) << text;
  // The template's block and Events are one tabwriter block, as in kubectl's output.
  EXPECT_EQ(text.substr(text.rfind("\n  Tolerations:")),
            "\n  Tolerations:     <none>\nEvents:            <none>\n")
      << text;
  EXPECT_EQ(text.find("Scheduling:"), std::string::npos);

  d.desired = d.current = d.up_to_date = d.available = d.running = 0;
  d.fit.fits = false;
  d.fit.reason = "node(s) didn't match Pod's node affinity/selector";
  d.fit.details = {"nodeSelector kubernetes.io/os=windows: the node has kubernetes.io/os=linux"};
  text = DescribeDaemonSetText(d, 1000);
  EXPECT_NE(text.find("Pods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
                      "Scheduling:   0/1 nodes are available: 1 node(s) didn't match Pod's node "
                      "affinity/selector.\n"
                      "              nodeSelector kubernetes.io/os=windows: the node has "
                      "kubernetes.io/os=linux\n"
                      "Pod Template:\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace hp::cli

namespace hp::cli {
namespace {

// get -o wide's columns (printers/table.h), shared by the Linux and Windows nodes.
TEST(WideColumnsTest, PodIpAndNode) {
  PodStatus s;
  s.host_ip = "192.0.2.2";
  nlohmann::json pod = {{"spec", {{"containers", nlohmann::json::array()}}}};
  EXPECT_EQ(PodWideHeader(),
            (std::vector<std::string>{"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}));
  EXPECT_EQ(PodWideColumns(s, pod, "node-1"),
            (std::vector<std::string>{"192.0.2.2", "node-1", "<none>", "<none>"}));
  s.host_ip.clear();  // before the supervisor wrote it
  EXPECT_EQ(PodWideColumns(s, pod, "node-1")[0], "<none>");
  s.host_ip = "192.0.2.2";
  s.unscheduled = true;  // bound to another node, or to none
  EXPECT_EQ(PodWideColumns(s, pod, "node-1"),
            (std::vector<std::string>{"<none>", "<none>", "<none>", "<none>"}));
  pod["spec"]["nodeName"] = "other";
  EXPECT_EQ(PodWideColumns(s, pod, "node-1")[1], "other");
  EXPECT_EQ(PodWideColumns(s, nlohmann::json::object(), "node-1")[1], "<none>");
}

TEST(WideColumnsTest, DaemonSetContainersImagesSelector) {
  auto ds = nlohmann::json::parse(R"({"spec": {
    "selector": {"matchLabels": {"app": "agent", "tier": "node"}},
    "template": {"spec": {"containers": [{"name": "a", "image": "i:1"}, {"name": "b", "image": "j"}]}}}})");
  EXPECT_EQ(DaemonSetWideHeader(), (std::vector<std::string>{"CONTAINERS", "IMAGES", "SELECTOR"}));
  EXPECT_EQ(DaemonSetWideColumns(ds),
            (std::vector<std::string>{"a,b", "i:1,j", "app=agent,tier=node"}));
  EXPECT_EQ(DaemonSetWideColumns(nlohmann::json::object()),
            (std::vector<std::string>{"", "", "<none>"}));
}

}  // namespace
}  // namespace hp::cli

namespace hp::cli {
namespace {

// A node's own block under a container (the Windows node's job accounting): after Restart
// Count, its lines one level deeper, aligned with the container's other keys; only for the
// containers that have one.
TEST(DescribePodTest, ANodesBlockUnderItsContainer) {
  PodDescription p;
  p.pod = nlohmann::json::parse(R"({
    "metadata": {"name": "keeper", "namespace": "default"},
    "spec": {"containers": [{"name": "main", "image": "nanoserver"},
                            {"name": "side", "image": "nanoserver"}]},
    "status": {}})");
  PodStatus status;
  status.phase = "Running";
  status.containers = {Running("main", true), Running("side", true)};
  p.status = &status;
  p.blocks["main"] = {"Job Object",
                      "JobContainer_0123",
                      {{"Processes", "2 active, 3 total"}, {"Peak Memory", "12Mi"}}};
  std::string text = DescribePodText(p, 1000);
  EXPECT_NE(text.find("    Restart Count:  0\n"
                      "    Job Object:     JobContainer_0123\n"
                      "      Processes:    2 active, 3 total\n"
                      "      Peak Memory:  12Mi\n"
                      "    Environment:    <none>\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Job Object:"), text.rfind("Job Object:")) << "side has no block\n" << text;
  p.blocks.clear();
  EXPECT_EQ(DescribePodText(p, 1000).find("Job Object"), std::string::npos);
}

// The service account volume describe names: the admission's kube-api-access-<5>, none when
// automount is off or a container mounts the path, and none (no exception) for a record damaged
// on disk whose container list is no list.
TEST(DescribePodTest, ServiceAccountVolume) {
  auto spec = [](const char* text) { return nlohmann::json::parse(text); };
  std::string name = ServiceAccountVolume(spec(R"({"containers": [{"name": "c"}]})"), "uid-1");
  EXPECT_EQ(name.rfind("kube-api-access-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("kube-api-access-").size() + 5) << name;
  EXPECT_EQ(ServiceAccountVolume(spec(R"({"containers": [{"name": "c"}]})"), "uid-1"), name);
  EXPECT_EQ(ServiceAccountVolume(
                spec(R"({"automountServiceAccountToken": false, "containers": []})"), "u"),
            "");
  EXPECT_EQ(ServiceAccountVolume(spec(R"({"containers": [{"name": "c", "volumeMounts": [
                {"name": "t", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}]})"),
                                 "u"),
            "");
  EXPECT_NO_THROW(ServiceAccountVolume(spec(R"({"containers": "damaged"})"), "u"));
  EXPECT_NO_THROW(ServiceAccountVolume(spec(R"({"containers": ["x", 1]})"), "u"));
  EXPECT_NO_THROW(ServiceAccountVolume(spec(R"("not a spec")"), "u"));
}

}  // namespace
}  // namespace hp::cli

namespace hp::cli {
namespace {

// The API objects of `get -o json|yaml|name`, one implementation for the Linux agent's store and
// the Windows pod store (printers/api_objects.h).
TEST(ApiObjectsTest, ADaemonSetsPodAsTheApiServerReturnsIt) {
  auto stored = nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "agent-x7k2p", "namespace": "kube-system", "uid": "u-1"},
    "spec": {"containers": [{"name": "main", "image": "nanoserver",
                             "resources": {"limits": {"cpu": "1", "memory": "64Mi"}}}]}})");
  PodStatus status;
  status.phase = "Running";
  status.containers = {Running("main", true)};
  status.updated = 1800000100;
  nlohmann::json pod = ApiPodObject(stored, status,
                                    {.owner_kind = "DaemonSet",
                                     .owner_name = "agent",
                                     .created = 1800000000,
                                     .node_name = "node-1"});
  EXPECT_EQ(pod["metadata"]["uid"], "u-1");
  EXPECT_EQ(pod["metadata"]["creationTimestamp"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(pod["metadata"]["resourceVersion"], "1800000100000000");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0],
            nlohmann::json::parse(R"({"apiVersion": "apps/v1", "kind": "DaemonSet",
              "name": "agent", "controller": true, "blockOwnerDeletion": true})"));
  EXPECT_EQ(pod["spec"]["nodeName"], "node-1");
  EXPECT_TRUE(pod["spec"]["tolerations"].is_array());  // the DaemonSet controller's
  EXPECT_EQ(pod["status"]["phase"], "Running");
  // Limits without requests: the API's defaults make them the requests too.
  EXPECT_EQ(pod["status"]["qosClass"], "Guaranteed");
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Always");  // k8s::DefaultPodJson
  nlohmann::json lost = ApiPodObject(stored, status, {.created = 1800000000, .lost = true});
  EXPECT_EQ(lost["status"]["phase"], "Unknown");
  EXPECT_EQ(lost["status"]["reason"], "SupervisorLost");
  EXPECT_FALSE(lost["metadata"].contains("ownerReferences"));
}

TEST(ApiObjectsTest, DaemonSetStatusAndTheListWrapper) {
  auto stored = nlohmann::json::parse(R"({"metadata": {"name": "agent"}, "spec": {
    "selector": {"matchLabels": {"app": "agent"}},
    "template": {"metadata": {"labels": {"app": "agent"}},
                 "spec": {"containers": [{"name": "a", "image": "i"}]}}}})");
  nlohmann::json ds = ApiDaemonSetObject(stored, 1800000000,
                                         {.desired = 1, .current = 1, .ready = 0, .up_to_date = 1});
  EXPECT_EQ(ds["kind"], "DaemonSet");
  EXPECT_EQ(ds["status"]["desiredNumberScheduled"], 1);
  EXPECT_EQ(ds["status"]["numberReady"], 0);
  EXPECT_EQ(ds["status"]["observedGeneration"], 1);
  EXPECT_EQ(ds["metadata"]["resourceVersion"], "1800000000000000");
  EXPECT_EQ(GetDocument({ds}, true), ds);  // one asked for by name: itself
  nlohmann::json list = GetDocument({ds}, false);
  EXPECT_EQ(list["kind"], "List");
  EXPECT_EQ(list["items"][0], ds);
  EXPECT_EQ(DocumentText(GetDocument({}, false), true),
            "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
  EXPECT_EQ(DocumentText(GetDocument({}, false), false),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n"
            "    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
}

}  // namespace
}  // namespace hp::cli
