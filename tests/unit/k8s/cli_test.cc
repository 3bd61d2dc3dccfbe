// Runs the built `hostprocess validate` on files: exit codes, kubectl text, JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/sys/file.h"

namespace {

struct CliRun {
  int rc = -1;
  std::string out, err;
};

const std::string& TempDir() {
  // Heap-allocated so that it outlives the atexit cleanup.
  static std::string* dir = [] {
    auto* d = new std::string(*hp::sys::MakeTempDir("hp-k8s-cli-"));
    std::atexit([] { (void)hp::sys::RemoveAll(TempDir()); });
    return d;
  }();
  return *dir;
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

}  // namespace
