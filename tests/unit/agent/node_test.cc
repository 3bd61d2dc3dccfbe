#include "core/agent/node.h"

#include <gtest/gtest.h>

namespace hp::agent {
namespace {

TEST(NodeTest, KubeArchMapsUnameMachines) {
  EXPECT_EQ(KubeArch("x86_64"), "amd64");
  EXPECT_EQ(KubeArch("aarch64"), "arm64");
  EXPECT_EQ(KubeArch("armv7l"), "arm");
  EXPECT_EQ(KubeArch("i686"), "386");
  EXPECT_EQ(KubeArch("s390x"), "s390x");
}

TEST(NodeTest, MakeNodeHasKubeletLabels) {
  NodeConfig c;
  Node n = MakeNode(c, "aarch64", "Worker-1");
  EXPECT_EQ(n.name, "worker-1");
  ASSERT_NE(n.Label("kubernetes.io/os"), nullptr);
  EXPECT_EQ(*n.Label("kubernetes.io/os"), "linux");
  EXPECT_EQ(*n.Label("kubernetes.io/arch"), "arm64");
  EXPECT_EQ(*n.Label("kubernetes.io/hostname"), "worker-1");
  EXPECT_EQ(*n.Label("beta.kubernetes.io/os"), "linux");
  EXPECT_EQ(n.Label("missing"), nullptr);
  for (size_t i = 1; i < n.labels.size(); ++i) EXPECT_LT(n.labels[i - 1].first, n.labels[i].first);
}

TEST(NodeTest, AWindowsNodeHasWindowsOsLabels) {
  Node n = MakeNode({}, "x86_64", "AKSWIN000000", "windows");
  EXPECT_EQ(n.name, "akswin000000");
  EXPECT_EQ(*n.Label("kubernetes.io/os"), "windows");
  EXPECT_EQ(*n.Label("beta.kubernetes.io/os"), "windows");
  EXPECT_EQ(*n.Label("kubernetes.io/arch"), "amd64");
}

TEST(NodeTest, ExtraLabelsOverrideAndHostnameOverride) {
  NodeConfig c;
  c.hostname_override = "edge7";
  c.extra_labels = {{"zone", "a"}, {"kubernetes.io/os", "plan9"}};
  Node n = MakeNode(c, "x86_64", "ignored");
  EXPECT_EQ(n.name, "edge7");
  EXPECT_EQ(*n.Label("zone"), "a");
  EXPECT_EQ(*n.Label("kubernetes.io/os"), "plan9");
  EXPECT_EQ(*n.Label("kubernetes.io/hostname"), "edge7");
}

TEST(NodeTest, ParseNodeLabels) {
  auto l = ParseNodeLabels("a=1, b=two,c=");
  ASSERT_TRUE(l) << l.error().ToString();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[1].first, "b");
  EXPECT_EQ((*l)[1].second, "two");
  EXPECT_EQ((*l)[2].second, "");
  EXPECT_TRUE(ParseNodeLabels("")->empty());
  EXPECT_FALSE(ParseNodeLabels("novalue"));
  EXPECT_FALSE(ParseNodeLabels("=x"));
}

TEST(NodeTest, ParseTaints) {
  auto t = ParseTaints("dedicated=infra:NoSchedule,gpu:NoExecute");
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0], (Taint{"dedicated", "infra", "NoSchedule"}));
  EXPECT_EQ((*t)[1], (Taint{"gpu", "", "NoExecute"}));
  EXPECT_FALSE(ParseTaints("a=b"));
  EXPECT_FALSE(ParseTaints("a=b:Sometimes"));
  EXPECT_FALSE(ParseTaints("=b:NoSchedule"));
}

TEST(NodeTest, LocalNodeIsLinux) {
  Node n = LocalNode({});
  EXPECT_FALSE(n.name.empty());
  EXPECT_EQ(*n.Label("kubernetes.io/os"), "linux");
}

}  // namespace
}  // namespace hp::agent
