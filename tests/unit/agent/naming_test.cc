#include "core/agent/naming.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace hp::agent {
namespace {

TEST(NamingTest, FnvKnownVectors) {
  EXPECT_EQ(Fnv32a(""), 0x811c9dc5u);
  EXPECT_EQ(Fnv32a("a"), 0xe40c292cu);
  EXPECT_EQ(Fnv64a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv64a("a"), 0xaf63dc4c8601ec8cull);
}

TEST(NamingTest, DaemonPodNameShapeAndAlphabet) {
  std::string n = DaemonPodName("kube-system", "privileged-daemonset", "abc");
  ASSERT_EQ(n.size(), std::string("privileged-daemonset-").size() + 5);
  EXPECT_EQ(n.rfind("privileged-daemonset-", 0), 0u);
  for (char c : n.substr(n.size() - 5)) EXPECT_NE(kNameAlphabet.find(c), std::string::npos) << c;
  EXPECT_TRUE(std::regex_match(n, std::regex("[a-z0-9]([-a-z0-9]*[a-z0-9])?")));
}

TEST(NamingTest, DaemonPodNameIsDeterministicPerRevision) {
  EXPECT_EQ(DaemonPodName("ns", "ds", "r1"), DaemonPodName("ns", "ds", "r1"));
  EXPECT_NE(DaemonPodName("ns", "ds", "r1"), DaemonPodName("ns", "ds", "r2"));
  EXPECT_NE(DaemonPodName("ns", "ds", "r1"), DaemonPodName("ns2", "ds", "r1"));
}

TEST(NamingTest, DaemonPodNameCutsLongBase) {
  std::string ds(63, 'a');
  std::string n = DaemonPodName("ns", ds, "r");
  EXPECT_EQ(n.size(), 63u);
  EXPECT_EQ(n.substr(0, 58), std::string(58, 'a'));
}

TEST(NamingTest, SuffixesSpreadOverManyRevisions) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(DaemonPodName("ns", "ds", std::to_string(i)));
  EXPECT_GT(seen.size(), 995u);
}

TEST(NamingTest, ControllerRevisionHashUsesSafeAlphabet) {
  std::string h = ControllerRevisionHash("{\"spec\":{}}");
  EXPECT_FALSE(h.empty());
  EXPECT_LE(h.size(), 10u);
  for (char c : h) EXPECT_NE(kNameAlphabet.find(c), std::string::npos);
  EXPECT_EQ(h, ControllerRevisionHash("{\"spec\":{}}"));
  EXPECT_NE(h, ControllerRevisionHash("{\"spec\":{\"a\":1}}"));
}

TEST(NamingTest, ObjectKeyAndUid) {
  EXPECT_EQ(ObjectKey("kube-system", "x"), "kube-system_x");
  EXPECT_EQ(SplitObjectKey("kube-system_x_y").ns, "kube-system");
  EXPECT_EQ(SplitObjectKey("kube-system_x_y").name, "x_y");
  EXPECT_EQ(SplitObjectKey("odd").ns, "odd");  // no '_': the key is both
  EXPECT_EQ(SplitObjectKey("odd").name, "odd");
  std::string u = NewUid();
  EXPECT_TRUE(std::regex_match(
      u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << u;
  EXPECT_NE(u, NewUid());
}

TEST(NamingTest, DaemonSetPodFromItsTemplate) {
  nlohmann::json ds = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "kube-system", "labels": {"of": "ds"}},
    "spec": {"template": {
      "metadata": {"generateName": "x-", "labels": {"app": "agent"}, "annotations": {"a": "b"}},
      "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "i"}]}}}})");
  std::string revision = DaemonSetRevision(ds);
  EXPECT_EQ(revision, ControllerRevisionHash(ds["spec"]["template"].dump()));
  nlohmann::json pod = DaemonSetPod(ds, "kube-system", "agent", revision);
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["metadata"]["name"], DaemonPodName("kube-system", "agent", revision));
  EXPECT_EQ(pod["metadata"]["namespace"], "kube-system");
  EXPECT_FALSE(pod["metadata"].contains("generateName"));
  EXPECT_EQ(pod["metadata"]["labels"],
            nlohmann::json({{"app", "agent"}, {"controller-revision-hash", revision}}));
  EXPECT_EQ(pod["metadata"]["annotations"], nlohmann::json({{"a", "b"}}));
  EXPECT_EQ(pod["spec"], ds["spec"]["template"]["spec"]);
  // Another template is another revision, and so another pod name.
  nlohmann::json changed = ds;
  changed["spec"]["template"]["spec"]["containers"][0]["image"] = "j";
  EXPECT_NE(DaemonSetRevision(changed), revision);
  // No template (a damaged object): the revision of an empty one, and a pod with no spec.
  EXPECT_EQ(DaemonSetRevision(nlohmann::json::object()), ControllerRevisionHash("{}"));
  EXPECT_EQ(DaemonSetRevision({{"spec", 3}}), ControllerRevisionHash("{}"));
  EXPECT_EQ(DaemonSetPod({{"spec", 3}}, "ns", "d", "r")["spec"], nlohmann::json::object());
}

}  // namespace
}  // namespace hp::agent
