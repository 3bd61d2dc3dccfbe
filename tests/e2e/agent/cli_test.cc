// kubectl's CLI manners (issue 19 items 9 and 10): an unknown verb, no arguments, namespace
// flags before the verb and `-n=NS`, Examples in --help; exec's `command terminated with exit
// code N`, TERM=xterm under -t, and "Defaulted container" naming the containers.
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

TEST_F(AgentE2E, CliHygieneAsKubectl) {
  CliResult r = Hp("frobnicate");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("error: unknown command \"frobnicate\" for \"hostprocess\"\n\nAvailable "
                        "commands: apply, completion, delete, describe, diff, events, exec, get, ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("Run 'hostprocess --help' for usage.\n"), std::string::npos);
  r = Hp("");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("Subcommands:"), std::string::npos) << r.out;
  // `--version` alone is answered before the command line is built; with other flags CLI11
  // answers it. Both print the same two lines and exit 0.
  std::string alone = Binary() + " --version >'" + root_ + "/version.out' 2>&1";
  ASSERT_EQ(::system(alone.c_str()), 0);
  std::string version = ReadOr(root_ + "/version.out");
  EXPECT_EQ(version.rfind("hostprocess version ", 0), 0u) << version;
  EXPECT_NE(version.find("\ncommit: "), std::string::npos) << version;
  EXPECT_EQ(version.back(), '\n');
  r = Hp("--version");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, version);
  // Usage errors exit 1 as kubectl's; validate keeps its documented 2 (1 = invalid manifest).
  EXPECT_EQ(Hp("get pods --bogus").rc, 1);
  EXPECT_EQ(Hp("logs x --since 5 parsecs").rc, 1);
  EXPECT_EQ(Hp("exec x").rc, 1);
  EXPECT_EQ(Hp("delete pods").rc, 1);
  EXPECT_EQ(Hp("apply --container-log-max-files 0").rc, 1);
  EXPECT_EQ(Hp("validate --bogus").rc, 2);
  EXPECT_EQ(Hp("validate -f /nonexistent.yaml").rc, 2);
  EXPECT_EQ(Hp("-n kube-system get pods").err, "No resources found in kube-system namespace.\n");
  EXPECT_EQ(Hp("get pods -n=kube-system").err, "No resources found in kube-system namespace.\n");
  EXPECT_EQ(Hp("--namespace=kube-system get pods").err,
            "No resources found in kube-system namespace.\n");
  for (const char* verb : {"validate",
                           "run",
                           "apply",
                           "get",
                           "describe",
                           "logs",
                           "exec",
                           "delete",
                           "top",
                           "pull",
                           "import",
                           "images",
                           "rmi",
                           "completion",
                           "events",
                           "wait",
                           "rollout",
                           "rollout status",
                           "rollout restart",
                           "diff"}) {
    EXPECT_NE(Hp(std::string(verb) + " --help").out.find("\nExamples:\n  # "), std::string::npos)
        << verb;
  }
}

// kubectl's notice of the defaulted container, the same for logs and exec: also for one
// container with an init container, and naming the init containers (logs named neither).
TEST_F(AgentE2E, LogsAndExecNameTheDefaultedContainerAsKubectl) {
  std::string yaml = PodYaml("withinit", "echo main; sleep 3600", "Always", "",
                             "  initContainers:\n  - name: prep\n"
                             "    image: hostprocess.local/busybox:latest\n"
                             "    command: [\"true\"]\n");
  ASSERT_EQ(Apply(yaml).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("withinit") == "Running"; }, 10000));
  const std::string notice = "Defaulted container \"c\" out of: c, prep (init)\n";
  CliResult l;
  ASSERT_TRUE(WaitFor(
      [&] {
        l = Hp("logs withinit");
        return l.out == "main\n";
      },
      5000))
      << l.out << l.err;
  EXPECT_EQ(l.err, notice);
  CliResult e = Hp("exec withinit -- true");
  EXPECT_EQ(e.rc, 0) << e.err;
  EXPECT_EQ(e.err, notice);
  EXPECT_EQ(Hp("logs withinit -c c").err, "");  // named: no notice
  EXPECT_EQ(Hp("delete pod withinit").rc, 0);
}

TEST_F(AgentE2E, ExecSaysHowTheCommandEnded) {
  std::string yaml = PodYaml("two", "sleep 3600") +
                     "  - name: d\n    image: hostprocess.local/busybox:latest\n"
                     "    command: [sleep, \"3600\"]\n";
  ASSERT_EQ(Apply(yaml).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("two") == "Running"; }, 10000));
  CliResult e = Hp("exec two -- sh -c 'exit 3'");
  EXPECT_EQ(e.rc, 3);
  EXPECT_EQ(e.err, "Defaulted container \"c\" out of: c, d\ncommand terminated with exit code 3\n");
  CliResult t = HpOnTerminal("exec -it two -c d -- sh -c 'echo $TERM'");
  EXPECT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("xterm"), std::string::npos) << t.out;
  EXPECT_EQ(Hp("exec two -c d -- true").err, "");
  EXPECT_EQ(Hp("delete pod two").rc, 0);
}

TEST_F(AgentE2E, GetSelectsByLabelsAndFields) {
  auto labelled = [&](const std::string& name, const std::string& tier,
                      const std::string& spec_extra = "") {
    std::string y = PodYaml(name, "sleep 3600", "Always", "", spec_extra);
    y.replace(y.find("  name: " + name + "\n"), 9 + name.size(),
              "  name: " + name + "\n  labels:\n    tier: " + tier + "\n");
    return y;
  };
  ASSERT_EQ(Apply(labelled("web", "front")).rc, 0);
  ASSERT_EQ(Apply(labelled("db", "back", "  nodeSelector:\n    disk: none\n")).rc, 0);
  CliResult r = Hp("get pods -l tier=front --no-headers -o name");
  EXPECT_EQ(r.out, "pod/web\n") << r.err;
  EXPECT_EQ(Hp("get pods -l 'tier in (back,side)' -o name").out, "pod/db\n");
  EXPECT_EQ(Hp("get pods -l 'tier notin (front)',tier -o name").out, "pod/db\n");
  EXPECT_EQ(Hp("get pods -l '!tier' -o name").err, "No resources found in default namespace.\n");
  EXPECT_EQ(Hp("get pods --field-selector status.phase=Pending -o name").out, "pod/db\n");
  EXPECT_EQ(Hp("get pods --field-selector metadata.name!=db -o name").out, "pod/web\n");
  CliResult l = Hp("get pods --show-labels");
  EXPECT_NE(l.out.find("   LABELS\n"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("   tier=front\n"), std::string::npos) << l.out;
  CliResult bad = Hp("get pods --field-selector spec.foo=x");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.err,
            "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match "
            "label selector \"\", field selector \"spec.foo=x\": field label not supported: "
            "spec.foo\n");
  EXPECT_EQ(Hp("get pods -l 'a b'").rc, 1);
  EXPECT_EQ(Hp("delete pod web db").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
