// Issue 13 item 10: the node flags `apply` keeps are checked with kubelet's rules and words, and
// a bad one is a usage error (exit 1, as kubectl) that stores nothing; `run --cgroup-root`
// likewise.
#include "core/agent/node_flags.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

TEST(NodeFlags, LabelsAreQualifiedNamesAndLabelValues) {
  auto ok = CheckedNodeLabels("zone=a,example.com/tier=infra");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->size(), 2u);
  auto bad = CheckedNodeLabels("a b=1,ok=x/y");
  ASSERT_FALSE(bad);
  EXPECT_EQ(
      bad.error().message().rfind("invalid node labels: 'a b' - name part must consist of", 0), 0u)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("; 'x/y' - a valid label must be"), std::string::npos)
      << bad.error().message();
}

TEST(NodeFlags, TaintsAsKubeletParsesThem) {
  EXPECT_TRUE(CheckedTaints("dedicated=infra:NoSchedule,example.com/gpu:NoExecute"));
  auto effect = CheckedTaints("a=b:Sometimes");
  ASSERT_FALSE(effect);
  EXPECT_EQ(effect.error().message(), "invalid taint effect: Sometimes, unsupported taint effect");
  auto spec = CheckedTaints("a=b=c:NoSchedule");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), "invalid taint spec: a=b=c:NoSchedule");
  auto key = CheckedTaints("bad key=v:NoSchedule");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message().rfind("invalid taint spec: bad key=v:NoSchedule, name part", 0),
            0u)
      << key.error().message();
  EXPECT_FALSE(CheckedTaints("k=v v:NoSchedule"));
}

TEST(NodeFlags, HostnameOverrideIsANodeName) {
  EXPECT_EQ(*CheckedHostnameOverride("  Edge-7.Example.COM "), "edge-7.example.com");
  auto bad = CheckedHostnameOverride("../../etc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message().rfind("Node \"../../etc\" is invalid: metadata.name: Invalid "
                                        "value: \"../../etc\": a lowercase RFC 1123 subdomain",
                                        0),
            0u)
      << bad.error().message();
  EXPECT_EQ(CheckedHostnameOverride("  ").error().message(), "empty hostname is invalid");
}

TEST(NodeFlags, CgroupRootAndLogMaxSize) {
  EXPECT_TRUE(CheckCgroupRoot("/hostprocess"));
  EXPECT_TRUE(CheckCgroupRoot("relative/jobs"));
  EXPECT_FALSE(CheckCgroupRoot(""));
  EXPECT_FALSE(CheckCgroupRoot("/a/../../b"));
  EXPECT_FALSE(CheckCgroupRoot("./x"));
  EXPECT_FALSE(CheckCgroupRoot(std::string_view("a\0b", 3)));
  EXPECT_EQ(*CheckedLogMaxSize("10Mi"), 10 * 1024 * 1024);
  EXPECT_EQ(*CheckedLogMaxSize("1.5Ki"), 1536);
  EXPECT_EQ(*CheckedLogMaxSize("-1"), -1);  // kubelet: negative turns rotation off
  EXPECT_FALSE(CheckedLogMaxSize("0"));
  EXPECT_EQ(CheckedLogMaxSize("0.5").error().message(),
            "failed to parse container log max size \"0.5\": invalid max log size");
  EXPECT_FALSE(CheckedLogMaxSize("ten"));
}

struct CliRun {
  int rc = -1;
  std::string err;
};

// The built binary with its own --root; nothing here reaches a cgroup or a pod.
CliRun Hostprocess(const std::string& root, const std::string& args) {
  std::string err = root + ".err";
  std::string cmd = std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess --root '" +
                    root + "' " + args + " </dev/null >/dev/null 2>'" + err + "'";
  int status = std::system(cmd.c_str());
  CliRun r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = sys::ReadFile(err).value_or("");
  (void)::unlink(err.c_str());
  return r;
}

TEST(NodeFlagsCli, BadNodeFlagsAreUsageErrorsThatStoreNothing) {
  hp::testing::TempDir tmp("hp-node-flags-");
  ASSERT_TRUE(tmp.ok());
  std::string root = tmp.path() + "/root";
  struct Case {
    std::string args, err;
  } cases[] = {
      {"--container-log-max-size=ten", "error: --container-log-max-size: failed to parse"},
      {"--container-log-max-size 0", "error: --container-log-max-size: \"0\": must be positive"},
      {"--hostname-override ../../etc",
       "error: --hostname-override: Node \"../../etc\" is invalid: metadata.name: Invalid value"},
      {"--node-labels 'a b=1'", "error: --node-labels: invalid node labels: 'a b' - "},
      {"--node-labels novalue", "error: --node-labels: invalid node label \"novalue\""},
      {"--register-with-taints a=b:Sometimes",
       "error: --register-with-taints: invalid taint effect: Sometimes, unsupported taint effect"},
      {"--cgroup-root /a/../b",
       "error: --cgroup-root: \"/a/../b\": must not contain a \"..\" part"},
  };
  for (const Case& c : cases) {
    CliRun r = Hostprocess(root, "apply " + c.args);
    EXPECT_EQ(r.rc, 1) << c.args << ": " << r.err;
    EXPECT_EQ(r.err.rfind(c.err, 0), 0u) << c.args << ": " << r.err;
    EXPECT_FALSE(sys::Exists(root)) << c.args << ": state was written";
  }
  CliRun run = Hostprocess(root, "run -f /dev/null --cgroup-root ../x");
  EXPECT_EQ(run.rc, 1) << run.err;
  EXPECT_EQ(run.err, "error: --cgroup-root: \"../x\": must not contain a \"..\" part\n");
}

}  // namespace
}  // namespace hp::agent
