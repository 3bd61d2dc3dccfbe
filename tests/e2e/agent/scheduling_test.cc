// A bare Pod is placed as a cluster places it (issue 19 item 1): kube-scheduler's filters when
// nodeName is empty (Pending with FailedScheduling), kubelet's admission when it names this node
// (Failed), nothing when it names another node; host ports are taken by the pods placed first.
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

TEST_F(AgentE2E, PodThatFitsNoNodeStaysPendingWithFailedScheduling) {
  CliResult r = Apply(PodYaml("win", "sleep 3600", "Always", "",
                              "  nodeSelector:\n    kubernetes.io/os: windows\n"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/win created\n");
  CliResult g = Hp("get pods -o wide");
  EXPECT_NE(g.out.find("win    0/1     Pending   0          "), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("<none>   <none>   <none>           <none>\n"), std::string::npos) << g.out;
  const std::string msg =
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: "
      "0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
  CliResult d = Hp("describe pod win");
  EXPECT_NE(d.out.find("Node:             <none>\n"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("Conditions:\n  Type           Status\n  PodScheduled   False \n"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("  Warning  FailedScheduling  "), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("  default-scheduler  " + msg + "\n"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("Successfully assigned"), std::string::npos) << d.out;
  nlohmann::json j = PodJson("win");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["status"]["phase"], "Pending");
  EXPECT_FALSE(j["spec"].contains("nodeName"));
  EXPECT_EQ(j["status"]["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(j["status"]["conditions"][0]["reason"], "Unschedulable");
  EXPECT_EQ(j["status"]["conditions"][0]["message"], msg);
  EXPECT_FALSE(j["status"].contains("containerStatuses"));
  // Every reconcile is another try of the scheduler.
  ASSERT_EQ(Hp("apply --cgroup-root '" + cgroup_root_ + "'").rc, 0);
  EXPECT_NE(Hp("describe pod win").out.find("(x2 over"), std::string::npos);
  // The node gains the label: the next reconcile places the pod.
  CliResult l =
      Hp("apply --node-labels kubernetes.io/os=windows --cgroup-root '" + cgroup_root_ + "'");
  ASSERT_EQ(l.rc, 0) << l.err;
  EXPECT_TRUE(WaitFor([&] { return StatusColumnOf("win") == "Running"; }, 10000))
      << Hp("describe pod win").out;
  d = Hp("describe pod win");
  EXPECT_NE(d.out.find("FailedScheduling"), std::string::npos) << d.out;  // kept, as a cluster
  EXPECT_NE(d.out.find("Successfully assigned default/win"), std::string::npos) << d.out;
  EXPECT_EQ(Hp("delete pod win").rc, 0);
}

TEST_F(AgentE2E, PodBoundToThisNodeIsAdmittedByKubelet) {
  CliResult r = Apply(PodYaml("probe", "sleep 3600"));
  ASSERT_EQ(r.rc, 0) << r.err;
  nlohmann::json j = PodJson("probe");
  ASSERT_FALSE(j.is_null());
  std::string name = j["spec"].value("nodeName", "");
  ASSERT_FALSE(name.empty());
  r = Apply(PodYaml("bound", "sleep 3600", "Always", "",
                    "  nodeName: " + name + "\n  nodeSelector:\n    kubernetes.io/os: windows\n"));
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string msg =
      "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector";
  EXPECT_EQ(StatusColumnOf("bound"), "NodeAffinity");
  j = PodJson("bound");
  EXPECT_EQ(j["status"]["phase"], "Failed");
  EXPECT_EQ(j["status"]["reason"], "NodeAffinity");
  EXPECT_EQ(j["status"]["message"], "Pod was rejected: " + msg);
  CliResult d = Hp("describe pod bound");
  EXPECT_NE(d.out.find("  Warning  NodeAffinity  "), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("  kubelet  " + msg + "\n"), std::string::npos) << d.out;
  // Bound to another node: this node's kubelet never sees it.
  r = Apply(PodYaml("other", "sleep 3600", "Always", "", "  nodeName: othernode\n"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(StatusColumnOf("other"), "Pending");
  EXPECT_NE(Hp("describe pod other").out.find("Node:             othernode\n"), std::string::npos);
  EXPECT_NE(Hp("get pods -o wide").out.find("othernode"), std::string::npos);
  EXPECT_EQ(Hp("delete pod probe bound other").rc, 0);
}

TEST_F(AgentE2E, TwoPodsWithTheSameHostPortCannotBothBePlaced) {
  const std::string port = "    ports:\n    - containerPort: 18080\n";
  ASSERT_EQ(Apply(PodYaml("first", "sleep 3600", "Always", port)).rc, 0);
  ASSERT_EQ(Apply(PodYaml("second", "sleep 3600", "Always", port)).rc, 0);
  EXPECT_TRUE(WaitFor([&] { return StatusColumnOf("first") == "Running"; }, 10000));
  EXPECT_EQ(StatusColumnOf("second"), "Pending");
  EXPECT_NE(Hp("describe pod second")
                .out.find("0/1 nodes are available: 1 node(s) didn't have free ports for the "
                          "requested pod ports. preemption: 0/1 nodes are available: 1 No "
                          "preemption victims found for incoming pod."),
            std::string::npos);
  // `run -f` is placed as apply's pods are: its port is taken, nothing of it runs.
  std::string third = root_ + "/third.yaml";
  ASSERT_TRUE(sys::WriteFile(third, PodYaml("third", "echo ran", "Never", port)));
  const std::string run = "run -f '" + third + "' --cgroup-root '" + cgroup_root_ + "'";
  CliResult refused = Hp(run);
  EXPECT_EQ(refused.rc, 1);
  EXPECT_EQ(refused.err,
            "hostprocess: Warning FailedScheduling: 0/1 nodes are available: 1 node(s) didn't "
            "have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 "
            "No preemption victims found for incoming pod.\n"
            "  hostPort 18080/TCP is taken by a pod on this node\n");
  EXPECT_EQ(refused.out, "");
  // Bound to this node by nodeName: kubelet's admission refuses it, in kubelet's words.
  nlohmann::json first = PodJson("first");
  ASSERT_FALSE(first.is_null());
  std::string bound = root_ + "/bound.yaml";
  ASSERT_TRUE(
      sys::WriteFile(bound, PodYaml("bound", "echo ran", "Never", port,
                                    "  nodeName: " + first["spec"].value("nodeName", "") + "\n")));
  CliResult rejected = Hp("run -f '" + bound + "' --cgroup-root '" + cgroup_root_ + "'");
  EXPECT_EQ(rejected.rc, 1);
  EXPECT_EQ(rejected.err,
            "hostprocess: Warning NodePorts: Predicate NodePorts failed: node(s) didn't have free "
            "ports for the requested pod ports\n"
            "  hostPort 18080/TCP is taken by a pod on this node\n");
  // The port is freed: the scheduler's next try places the second pod.
  ASSERT_EQ(Hp("delete pod first").rc, 0);
  EXPECT_TRUE(WaitFor([&] { return StatusColumnOf("second") == "Running"; }, 10000))
      << Hp("describe pod second").out;
  EXPECT_EQ(Hp(run).rc, 1);  // the second pod holds it now
  EXPECT_EQ(Hp("delete pod second").rc, 0);
  CliResult ran = Hp(run);
  EXPECT_EQ(ran.rc, 0) << ran.err;
  EXPECT_EQ(ran.out, "[c] ran\n");
}

}  // namespace
}  // namespace hp::agent::testing
