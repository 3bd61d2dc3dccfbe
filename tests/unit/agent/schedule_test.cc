#include "core/agent/schedule.h"

#include <gtest/gtest.h>

#include "core/k8s/decode.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

Node TestNode(std::vector<Taint> taints = {}) {
  NodeConfig c;
  c.extra_labels = {{"zone", "a"}, {"cores", "8"}};
  c.taints = std::move(taints);
  return MakeNode(c, "x86_64", "node1");
}

// Decodes a pod whose spec is `spec_yaml` (indented by 2).
k8s::PodSpec Spec(const std::string& spec_yaml) {
  std::string doc =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
      "    image: i\n" +
      spec_yaml;
  auto d = k8s::DecodeString(doc, "test.yaml");
  EXPECT_TRUE(d) << (d ? "" : d.error().ToString());
  if (!d || d->objects.empty()) return {};
  return d->objects[0].pod()->spec;
}

TEST(ScheduleTest, NoConstraintsFits) {
  FitResult r = CheckFit(Spec(""), TestNode(), true);
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.Message(), "");
}

TEST(ScheduleTest, WindowsNodeSelectorDoesNotFitWithKubectlMessage) {
  FitResult r =
      CheckFit(Spec("  nodeSelector:\n    kubernetes.io/os: windows\n"), TestNode(), true);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.Message(),
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
  ASSERT_EQ(r.details.size(), 1u);
  EXPECT_EQ(r.details[0], "nodeSelector kubernetes.io/os=windows: node has kubernetes.io/os=linux");
}

TEST(ScheduleTest, NodeSelectorLinuxArchAndHostnameFit) {
  EXPECT_TRUE(CheckFit(Spec("  nodeSelector:\n    kubernetes.io/os: linux\n"
                            "    kubernetes.io/arch: amd64\n    kubernetes.io/hostname: node1\n"),
                       TestNode(), true)
                  .fits);
  FitResult r = CheckFit(Spec("  nodeSelector:\n    disk: ssd\n"), TestNode(), true);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.details[0], "nodeSelector disk=ssd: node has no label \"disk\"");
}

std::string Affinity(const std::string& terms) {
  return "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
         "        nodeSelectorTerms:\n" +
         terms;
}

struct OpCase {
  const char* expr;
  bool fits;
};

TEST(ScheduleTest, MatchExpressionOperators) {
  OpCase cases[] = {
      {"key: zone\n            operator: In\n            values: [a, b]", true},
      {"key: zone\n            operator: In\n            values: [b]", false},
      {"key: nope\n            operator: In\n            values: [a]", false},
      {"key: zone\n            operator: NotIn\n            values: [b]", true},
      {"key: zone\n            operator: NotIn\n            values: [a]", false},
      {"key: nope\n            operator: NotIn\n            values: [a]", true},
      {"key: zone\n            operator: Exists", true},
      {"key: nope\n            operator: Exists", false},
      {"key: nope\n            operator: DoesNotExist", true},
      {"key: zone\n            operator: DoesNotExist", false},
      {"key: cores\n            operator: Gt\n            values: [\"4\"]", true},
      {"key: cores\n            operator: Gt\n            values: [\"8\"]", false},
      {"key: cores\n            operator: Lt\n            values: [\"9\"]", true},
      {"key: cores\n            operator: Lt\n            values: [\"8\"]", false},
      {"key: zone\n            operator: Gt\n            values: [\"1\"]", false},  // not a number
      {"key: nope\n            operator: Lt\n            values: [\"1\"]", false},
  };
  for (const auto& c : cases) {
    std::string spec =
        Affinity(std::string("        - matchExpressions:\n          - ") + c.expr + "\n");
    FitResult r = CheckFit(Spec(spec), TestNode(), true);
    EXPECT_EQ(r.fits, c.fits) << c.expr;
    if (!c.fits) {
      EXPECT_EQ(r.reason, "node(s) didn't match Pod's node affinity/selector");
      ASSERT_FALSE(r.details.empty());
      EXPECT_NE(r.details[0].find("nodeSelectorTerms[0]: matchExpressions[0]"), std::string::npos)
          << r.details[0];
    }
  }
}

TEST(ScheduleTest, MatchFieldsMetadataName) {
  auto spec = [](const char* op, const char* v) {
    return Spec(Affinity(std::string("        - matchFields:\n          - key: metadata.name\n"
                                     "            operator: ") +
                         op + "\n            values: [" + v + "]\n"));
  };
  EXPECT_TRUE(CheckFit(spec("In", "node1"), TestNode(), true).fits);
  EXPECT_FALSE(CheckFit(spec("In", "node2"), TestNode(), true).fits);
  EXPECT_TRUE(CheckFit(spec("NotIn", "node2"), TestNode(), true).fits);
  EXPECT_FALSE(CheckFit(spec("NotIn", "node1"), TestNode(), true).fits);
}

TEST(ScheduleTest, TermsAreOredExpressionsAnded) {
  std::string two_terms = Affinity(
      "        - matchExpressions:\n          - key: zone\n            operator: In\n"
      "            values: [b]\n"
      "        - matchExpressions:\n          - key: zone\n            operator: In\n"
      "            values: [a]\n          - key: kubernetes.io/os\n            operator: In\n"
      "            values: [linux]\n");
  EXPECT_TRUE(CheckFit(Spec(two_terms), TestNode(), true).fits);
  std::string anded = Affinity(
      "        - matchExpressions:\n          - key: zone\n            operator: In\n"
      "            values: [a]\n          - key: kubernetes.io/os\n            operator: In\n"
      "            values: [windows]\n");
  FitResult r = CheckFit(Spec(anded), TestNode(), true);
  EXPECT_FALSE(r.fits);
  ASSERT_EQ(r.details.size(), 1u);
  EXPECT_NE(r.details[0].find("matchExpressions[1]: kubernetes.io/os In [windows]: node has "
                              "kubernetes.io/os=linux"),
            std::string::npos)
      << r.details[0];
}

TEST(ScheduleTest, NodeSelectorAndAffinityMustBothMatch) {
  std::string spec = "  nodeSelector:\n    zone: a\n" +
                     Affinity(
                         "        - matchExpressions:\n          - key: zone\n"
                         "            operator: NotIn\n            values: [a]\n");
  EXPECT_FALSE(CheckFit(Spec(spec), TestNode(), true).fits);
}

TEST(ScheduleTest, TaintsNeedTolerations) {
  Node n = TestNode({{"dedicated", "infra", "NoSchedule"}});
  FitResult r = CheckFit(Spec(""), n, true);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.Message(),
            "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}.");
  EXPECT_TRUE(CheckFit(Spec("  tolerations:\n  - key: dedicated\n    operator: Equal\n"
                            "    value: infra\n    effect: NoSchedule\n"),
                       n, true)
                  .fits);
  EXPECT_TRUE(
      CheckFit(Spec("  tolerations:\n  - key: dedicated\n    operator: Exists\n"), n, true).fits);
  EXPECT_TRUE(CheckFit(Spec("  tolerations:\n  - operator: Exists\n"), n, true).fits);
  EXPECT_FALSE(
      CheckFit(Spec("  tolerations:\n  - key: dedicated\n    value: other\n"), n, true).fits);
  EXPECT_FALSE(CheckFit(Spec("  tolerations:\n  - key: dedicated\n    operator: Exists\n"
                             "    effect: NoExecute\n"),
                        n, true)
                   .fits);
}

TEST(ScheduleTest, PreferNoScheduleTaintIsIgnored) {
  EXPECT_TRUE(CheckFit(Spec(""), TestNode({{"soft", "", "PreferNoSchedule"}}), true).fits);
}

TEST(ScheduleTest, DaemonSetDefaultTolerationsCoverNodeConditions) {
  Node n = TestNode({{"node.kubernetes.io/unschedulable", "", "NoSchedule"},
                     {"node.kubernetes.io/not-ready", "", "NoExecute"}});
  EXPECT_TRUE(CheckFit(Spec(""), n, true).fits);
  EXPECT_FALSE(CheckFit(Spec(""), n, false).fits);
  Node net = TestNode({{"node.kubernetes.io/network-unavailable", "", "NoSchedule"}});
  EXPECT_TRUE(CheckFit(Spec("  hostNetwork: true\n"), net, true).fits);
  EXPECT_FALSE(CheckFit(Spec(""), net, true).fits);
}

TEST(ScheduleTest, NodeNameMustBeThisNode) {
  FitResult r = CheckFit(Spec("  nodeName: other\n"), TestNode(), false);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.reason, "node(s) didn't match the requested node name");
  EXPECT_TRUE(CheckFit(Spec("  nodeName: node1\n"), TestNode(), false).fits);
}

TEST(ScheduleTest, TaintReasonComesBeforeAffinityReason) {
  Node n = TestNode({{"k", "v", "NoExecute"}});
  FitResult r = CheckFit(Spec("  nodeSelector:\n    kubernetes.io/os: windows\n"), n, true);
  EXPECT_EQ(r.reason, "node(s) had untolerated taint {k: v}");
  EXPECT_EQ(r.details.size(), 2u);
}

Result<k8s::Decoded> DecodeExample(const std::string& name) {
  const std::string path = std::string(HP_SOURCE_DIR) + "/examples/" + name;
  ASSIGN_OR_RETURN(std::string text, sys::ReadFile(path));
  return k8s::DecodeString(text, path);
}

TEST(ScheduleTest, SeedExampleIsNotScheduledAndLinuxVariantIs) {
  auto win = DecodeExample("privileged-daemonset.yaml");
  ASSERT_TRUE(win) << win.error().ToString();
  const k8s::DaemonSet* ds = win->objects.at(0).daemon_set();
  ASSERT_NE(ds, nullptr);
  FitResult r = CheckFit(ds->spec.template_.spec, LocalNode({}), true);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.Message(),
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
  auto lin = DecodeExample("privileged-daemonset-linux.yaml");
  ASSERT_TRUE(lin) << lin.error().ToString();
  EXPECT_TRUE(
      CheckFit(lin->objects.at(0).daemon_set()->spec.template_.spec, LocalNode({}), true).fits);
}

}  // namespace
}  // namespace hp::agent

namespace hp::agent {
namespace {

// A HostProcess-like pod (hostNetwork) whose container declares `ports` (YAML flow list).
k8s::PodSpec PortsSpec(const std::string& ports, const std::string& extra = "") {
  std::string doc =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n" + extra +
      "  containers:\n  - name: c\n    image: i\n    ports: " + ports + "\n";
  auto d = k8s::DecodeString(doc, "test.yaml");
  EXPECT_TRUE(d) << (d ? "" : d.error().ToString());
  if (!d || d->objects.empty()) return {};
  return d->objects[0].pod()->spec;
}

TEST(PlacePodTest, SchedulerRefusesWithFailedSchedulingAndPreemptionSummary) {
  Placement p =
      PlacePod(Spec("  nodeSelector:\n    kubernetes.io/os: windows\n"), TestNode(), false, {});
  EXPECT_EQ(p.kind, Placement::kUnschedulable);
  EXPECT_EQ(p.reason, "FailedScheduling");
  EXPECT_EQ(p.from, "default-scheduler");
  EXPECT_EQ(p.message,
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  ASSERT_EQ(p.details.size(), 1u);
  EXPECT_EQ(p.details[0], "nodeSelector kubernetes.io/os=windows: node has kubernetes.io/os=linux");

  p = PlacePod(Spec(Affinity("        - matchExpressions:\n          - key: zone\n"
                             "            operator: In\n            values: [b]\n")),
               TestNode(), false, {});
  EXPECT_EQ(p.kind, Placement::kUnschedulable);
  EXPECT_EQ(p.message,
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
}

TEST(PlacePodTest, UntoleratedTaintIsTheSchedulersReason) {
  Placement p = PlacePod(Spec(""), TestNode({{"dedicated", "gpu", "NoSchedule"}}), false, {});
  EXPECT_EQ(p.kind, Placement::kUnschedulable);
  EXPECT_EQ(p.message,
            "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  // A bare pod gets none of the DaemonSet controller's tolerations.
  EXPECT_EQ(PlacePod(Spec(""), TestNode({{"node.kubernetes.io/unschedulable", "", "NoSchedule"}}),
                     false, {})
                .kind,
            Placement::kUnschedulable);
  EXPECT_EQ(PlacePod(Spec(""), TestNode({{"node.kubernetes.io/unschedulable", "", "NoSchedule"}}),
                     true, {})
                .kind,
            Placement::kPlaced);
}

TEST(PlacePodTest, NoConstraintsIsPlaced) {
  Placement p =
      PlacePod(Spec("  nodeSelector:\n    kubernetes.io/os: linux\n"), TestNode(), false, {});
  EXPECT_EQ(p.kind, Placement::kPlaced);
  EXPECT_EQ(p.message, "");
}

TEST(PlacePodTest, HostPortsTakenMakeThePodUnschedulable) {
  k8s::PodSpec a = PortsSpec("[{containerPort: 8080}]");
  std::vector<HostPort> used = HostPortsOf(a);
  ASSERT_EQ(used.size(), 1u);  // hostNetwork: containerPort is the host port
  EXPECT_EQ(used[0].port, 8080);
  EXPECT_EQ(used[0].protocol, "TCP");
  Placement p = PlacePod(PortsSpec("[{containerPort: 8080}]"), TestNode(), false, used);
  EXPECT_EQ(p.kind, Placement::kUnschedulable);
  EXPECT_EQ(p.message,
            "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod "
            "ports. preemption: 0/1 nodes are available: 1 No preemption victims found for "
            "incoming pod.");
  ASSERT_EQ(p.details.size(), 1u);
  EXPECT_EQ(p.details[0], "hostPort 8080/TCP is taken by a pod on this node");
  // Another protocol or port is free.
  EXPECT_EQ(
      PlacePod(PortsSpec("[{containerPort: 8080, protocol: UDP}]"), TestNode(), false, used).kind,
      Placement::kPlaced);
  EXPECT_EQ(PlacePod(PortsSpec("[{containerPort: 8081}]"), TestNode(), false, used).kind,
            Placement::kPlaced);
}

TEST(PlacePodTest, HostPortConflictRuleAsNodePorts) {
  // Kubernetes' HostPortInfo: the wildcard address conflicts with every address.
  struct Case {
    HostPort a, b;
    bool conflict;
  } cases[] = {
      {{"", "TCP", 80}, {"", "TCP", 80}, true},
      {{"0.0.0.0", "TCP", 80}, {"127.0.0.1", "TCP", 80}, true},
      {{"127.0.0.1", "TCP", 80}, {"0.0.0.0", "TCP", 80}, true},
      {{"127.0.0.1", "TCP", 80}, {"127.0.0.2", "TCP", 80}, false},
      {{"127.0.0.1", "TCP", 80}, {"127.0.0.1", "TCP", 80}, true},
      {{"", "TCP", 80}, {"", "UDP", 80}, false},
      {{"", "TCP", 80}, {"", "TCP", 81}, false},
      {{"", "SCTP", 80}, {"0.0.0.0", "SCTP", 80}, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HostPortsConflict(c.a, c.b), c.conflict)
        << c.a.ip << "/" << c.a.protocol << "/" << c.a.port << " vs " << c.b.ip << "/"
        << c.b.protocol << "/" << c.b.port;
  }
}

TEST(PlacePodTest, BoundToThisNodeIsKubeletsAdmission) {
  Placement p =
      PlacePod(Spec("  nodeName: node1\n  nodeSelector:\n    kubernetes.io/os: windows\n"),
               TestNode(), false, {});
  EXPECT_EQ(p.kind, Placement::kRejected);
  EXPECT_EQ(p.reason, "NodeAffinity");
  EXPECT_EQ(p.from, "kubelet");
  EXPECT_EQ(p.message,
            "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
  std::vector<HostPort> used = HostPortsOf(PortsSpec("[{containerPort: 9000}]"));
  p = PlacePod(PortsSpec("[{containerPort: 9000}]", "  nodeName: node1\n"), TestNode(), false,
               used);
  EXPECT_EQ(p.kind, Placement::kRejected);
  EXPECT_EQ(p.reason, "NodePorts");
  EXPECT_EQ(p.message,
            "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod "
            "ports");
  // kubelet only looks at NoExecute taints.
  EXPECT_EQ(
      PlacePod(Spec("  nodeName: node1\n"), TestNode({{"k", "v", "NoSchedule"}}), false, {}).kind,
      Placement::kPlaced);
  p = PlacePod(Spec("  nodeName: node1\n"), TestNode({{"k", "v", "NoExecute"}}), false, {});
  EXPECT_EQ(p.kind, Placement::kRejected);
  EXPECT_EQ(p.reason, "TaintToleration");
}

TEST(PlacePodTest, BoundToAnotherNodeIsNotThisNodes) {
  Placement p = PlacePod(Spec("  nodeName: othernode\n"), TestNode(), false, {});
  EXPECT_EQ(p.kind, Placement::kOtherNode);
  EXPECT_EQ(p.message, "");
}

}  // namespace
}  // namespace hp::agent
