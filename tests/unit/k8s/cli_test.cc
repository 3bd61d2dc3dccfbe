// Runs the built `hostprocess validate` on files: exit codes, kubectl text, JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace {

struct CliRun {
  int rc = -1;
  std::string out, err;
};

// One directory for the whole binary, removed at exit.
const std::string& TempDir() {
  static hp::testing::TempDir dir("hp-k8s-cli-");
  if (!dir.ok()) std::abort();  // reported; "/out" and the like must not be written
  return dir.path();
}

CliRun Validate(const std::string& args, const std::string& stdin_file = "/dev/null") {
  const std::string& dir = TempDir();
  std::string cmd = std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess validate " +
                    args + " <" + stdin_file + " >" + dir + "/out 2>" + dir + "/err";
  CliRun r;
  int status = std::system(cmd.c_str());
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = hp::sys::ReadFile(dir + "/out").value_or("");
  r.err = hp::sys::ReadFile(dir + "/err").value_or("");
  return r;
}

std::string Src(const std::string& rel) { return std::string(HP_SOURCE_DIR) + "/" + rel; }

const std::string kSeedViolation =
    "PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), privileged (container "
    "\"powershell\" must not set securityContext.privileged=true), hostProcess (container "
    "\"powershell\" must not set securityContext.windowsOptions.hostProcess=true)";

TEST(ValidateCli, SeedAllowedAtPrivileged) {
  CliRun r = Validate("-f " + Src("examples/privileged-daemonset.yaml"));
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "daemonset.apps/privileged-daemonset created (server dry run)\n");
  EXPECT_EQ(r.err, "");
  CliRun linux_run = Validate("-f " + Src("examples/privileged-daemonset-linux.yaml"));
  EXPECT_EQ(linux_run.rc, 0) << linux_run.err;
}

TEST(ValidateCli, SeedRejectedAtBaseline) {
  CliRun r =
      Validate("-f " + Src("examples/privileged-daemonset.yaml") + " --pod-security baseline");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Warning: would violate " + kSeedViolation +
                       "\nError: daemonset.apps/privileged-daemonset: its pods would be rejected "
                       "by PodSecurity \"baseline:latest\"\n");
  CliRun j = Validate("-f " + Src("examples/privileged-daemonset.yaml") +
                      " --pod-security baseline -o json");
  EXPECT_EQ(j.rc, 1);
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["kind"], "DaemonSet");
  EXPECT_EQ(doc[0]["namespace"], "kube-system");
  EXPECT_EQ(doc[0]["source"], Src("examples/privileged-daemonset.yaml") + ":1");
  EXPECT_EQ(doc[0]["allowed"], false);
  EXPECT_EQ(doc[0]["status"]["code"], 403);
  EXPECT_EQ(doc[0]["status"]["reason"], "Forbidden");
  EXPECT_EQ(doc[0]["status"]["message"], "would violate " + kSeedViolation);
}

TEST(ValidateCli, InvalidPodTextAndJson) {
  std::string f = Src("tests/data/k8s/hostprocess-pod-no-hostnetwork.yaml");
  CliRun r = Validate("-f " + f);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "The Pod \"x\" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must "
            "be true if pod contains any hostProcess containers\n");
  CliRun j = Validate("-f " + f + " -o json");
  auto doc = nlohmann::json::parse(j.out);
  const auto& st = doc[0]["status"];
  EXPECT_EQ(st["code"], 422);
  EXPECT_EQ(st["reason"], "Invalid");
  EXPECT_EQ(st["message"],
            "Pod \"x\" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must be "
            "true if pod contains any hostProcess containers");
  ASSERT_EQ(st["details"]["causes"].size(), 1u);
  EXPECT_EQ(st["details"]["causes"][0]["reason"], "FieldValueInvalid");
  EXPECT_EQ(st["details"]["causes"][0]["message"],
            "Invalid value: false: hostNetwork must be true if pod contains any hostProcess "
            "containers");
  EXPECT_EQ(st["details"]["causes"][0]["field"], "spec.hostNetwork");
  // Validation errors win over Pod Security.
  CliRun b = Validate("-f " + f + " --pod-security restricted -o json");
  EXPECT_EQ(nlohmann::json::parse(b.out)[0]["status"]["code"], 422);
  CliRun np = Validate("-f " + f + " --allow-privileged=false");
  EXPECT_NE(np.err.find("* spec: Forbidden: hostProcess containers are disallowed by cluster "
                        "policy\n"),
            std::string::npos)
      << np.err;
}

TEST(ValidateCli, NamespaceLabelSetsTheLevel) {
  CliRun r = Validate("-f " + Src("tests/data/k8s/namespace-baseline.yaml"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "namespace/hp created (server dry run)\npod/agent created (server dry run)\n");
  EXPECT_EQ(r.err,
            "Error from server (Forbidden): pods \"agent\" is forbidden: violates PodSecurity "
            "\"baseline:latest\": host namespaces (hostNetwork=true), hostProcess (pod must not "
            "set securityContext.windowsOptions.hostProcess=true)\n");
}

TEST(ValidateCli, StdinListAndJsonOrder) {
  CliRun r = Validate("-f - -o json", Src("tests/data/k8s/list.json"));
  EXPECT_EQ(r.rc, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["kind"], "ConfigMap");
  EXPECT_EQ(doc[1]["kind"], "Pod");
  EXPECT_EQ(doc[1]["source"], "-:3");
  EXPECT_TRUE(doc[1]["status"].is_null());
}

TEST(ValidateCli, UnreadableInputAndUsageExit2) {
  CliRun unknown = Validate("-f " + Src("tests/data/k8s/unknown-field.yaml"));
  EXPECT_EQ(unknown.rc, 2);
  EXPECT_EQ(unknown.err, "error: " + Src("tests/data/k8s/unknown-field.yaml") +
                             ":9:5: Pod \"x\": strict decoding error: unknown field "
                             "\"spec.containers[0].foo\"\n");
  CliRun syntax = Validate("-f " + Src("tests/data/k8s/syntax-error.yaml"));
  EXPECT_EQ(syntax.rc, 2);
  EXPECT_EQ(syntax.err.rfind("error: " + Src("tests/data/k8s/syntax-error.yaml") + ":", 0), 0u)
      << syntax.err;
  EXPECT_EQ(Validate("-f /nonexistent.yaml").rc, 2);
  EXPECT_EQ(Validate("-f " + Src("examples") + " --pod-security strict").rc, 2);
  EXPECT_EQ(Validate("").rc, 2);
  EXPECT_EQ(Validate("-f " + Src("examples") + " -o yaml").rc, 2);
}

// Issue 13 item 8: an input is read up to the API server's request body limit and no
// further, so an endless one returns at once; an object larger than etcd stores is refused.
TEST(ValidateCli, EndlessInputStopsAtTheRequestLimit) {
  for (const char* args : {"-f /dev/zero", "-f -"}) {
    auto start = std::chrono::steady_clock::now();
    CliRun r = Validate(args, "/dev/zero");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.rc, 2) << args;
    std::string name = std::string(args) == "-f -" ? "-" : "/dev/zero";
    EXPECT_EQ(r.err, "error: \"" + name +
                         "\": Request entity too large: limit is 3145728 (an input is read up to "
                         "that many bytes)\n")
        << args;
    EXPECT_LT(seconds, 10) << args;
  }
}

// `n` containers in one Pod, each "- {name: cNNNNNNN, image: busybox}".
std::string ManyContainers(int n) {
  std::string y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n";
  for (int i = 0; i < n; i++) y += fmt::format("  - {{name: c{:07}, image: busybox}}\n", i);
  return y;
}

TEST(ValidateCli, HugeManifestIsRefused) {
  std::string file = TempDir() + "/huge.yaml";
  ASSERT_TRUE(hp::sys::WriteFile(file, ManyContainers(1000000)));  // 39 MB
  CliRun r = Validate("-f " + file);
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err, "error: \"" + file +
                       "\": Request entity too large: limit is 3145728 (an input is read up to "
                       "that many bytes)\n");
}

TEST(ValidateCli, ObjectLargerThanEtcdStoresIsRefused) {
  // 2.0 MB of YAML, 2.1 MB as JSON: read whole, valid, too large to store.
  std::string big = TempDir() + "/big.yaml";
  ASSERT_TRUE(hp::sys::WriteFile(big, ManyContainers(52000)));
  CliRun r = Validate("-f " + big);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error from server: error when creating \"" + big +
                       "\": etcdserver: request is too "
                       "large\n");
  auto j = nlohmann::json::parse(Validate("-f " + big + " -o json").out);
  EXPECT_EQ(j[0]["status"]["code"], 500);
  EXPECT_EQ(j[0]["status"]["message"], "etcdserver: request is too large");
  EXPECT_FALSE(j[0]["status"].contains("reason"));
  // The same containers spread over many small pods in one input: each object is small.
  std::string many;
  for (int p = 0; p < 400; p++) {
    std::string pod = ManyContainers(130);
    pod.replace(pod.find("name: big"), 9, fmt::format("name: p{}", p));
    many += "---\n" + pod;
  }
  std::string ok = TempDir() + "/many.yaml";
  ASSERT_TRUE(hp::sys::WriteFile(ok, many));
  CliRun m = Validate("-f " + ok);
  EXPECT_EQ(m.rc, 0) << m.err.substr(0, 500);
  EXPECT_EQ(m.err, "");
}

// Issue 20: the seed DaemonSet with the API server's WindowsHostProcessContainers gate on (the
// default; GA from 1.26) and off (1.22-1.25), and kube-apiserver's words for a bad value.
TEST(ValidateCli, SeedWithTheFeatureGateOnAndOff) {
  std::string seed = Src("examples/privileged-daemonset.yaml");
  CliRun on = Validate("-f " + seed + " --feature-gates WindowsHostProcessContainers=true");
  EXPECT_EQ(on.rc, 0) << on.err;
  EXPECT_EQ(on.out, "daemonset.apps/privileged-daemonset created (server dry run)\n");
  CliRun off = Validate("-f " + seed + " --feature-gates=WindowsHostProcessContainers=false");
  EXPECT_EQ(off.rc, 1);
  EXPECT_EQ(off.out, "");
  EXPECT_EQ(off.err,
            "The DaemonSet \"privileged-daemonset\" is invalid: "
            "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess: "
            "Forbidden: not allowed when feature gate 'WindowsHostProcessContainers' is not "
            "enabled\n");
  auto j = nlohmann::json::parse(
      Validate("-f " + seed + " --feature-gates WindowsHostProcessContainers=false -o json").out);
  EXPECT_EQ(j[0]["status"]["code"], 422);
  EXPECT_EQ(j[0]["status"]["details"]["causes"][0]["reason"], "FieldValueForbidden");
  CliRun unknown = Validate("-f " + seed + " --feature-gates WindowsHostProcess=false");
  EXPECT_EQ(unknown.rc, 2);
  EXPECT_EQ(unknown.err,
            "error: invalid argument \"WindowsHostProcess=false\" for \"--feature-gates\" flag: "
            "unrecognized feature gate: WindowsHostProcess\n");
}

}  // namespace
