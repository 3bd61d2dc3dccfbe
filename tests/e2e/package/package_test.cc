// What the Debian package adds, end to end through the built binary: the systemd unit's command
// restores the applied DaemonSet after a (simulated) reboot, and the completion script completes
// verbs, flags and the names in the state. package_deb_test.sh checks the package itself.
#include <fstream>
#include <sstream>
#include <vector>

#include "core/base/strings.h"
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

std::string Source(const std::string& path) {
  return ReadOr(std::string(HP_SOURCE_DIR) + "/" + path);
}

// The value of `key=` in the unit's text ("" when absent).
std::string UnitValue(const std::string& unit, const std::string& key) {
  std::istringstream in(unit);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class PackageE2E : public AgentE2E {
 protected:
  // Runs `script` with bash after loading `hostprocess completion bash`; its stdout.
  CliResult Bash(const std::string& script) {
    std::string file = root_ + "/completion-test.sh";
    EXPECT_TRUE(sys::WriteFile(file, "source <(" + Quote(Binary()) + " completion bash)\n" +
                                         "HP=" + Quote(Binary()) + "\nROOT=" + Quote(root_) + "\n" +
                                         script));
    CliResult r;
    std::string out = root_ + "/completion-test.out";
    int rc =
        ::system(("bash --norc --noprofile " + Quote(file) + " >" + Quote(out) + " 2>&1").c_str());
    r.rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = ReadOr(out);
    return r;
  }
};

// What the shell offers for the words of a command line whose last word is being typed.
constexpr const char* kComplete = R"SH(
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  __hostprocess_complete
  printf '%s\n' "${COMPREPLY[@]}"
}
)SH";

TEST_F(PackageE2E, ServiceCommandRestoresTheDaemonSetAfterAReboot) {
  std::string unit = Source("packaging/hostprocess.service.in");
  ASSERT_FALSE(unit.empty());
  EXPECT_EQ(UnitValue(unit, "Type"), "oneshot");
  EXPECT_EQ(UnitValue(unit, "RemainAfterExit"), "yes");
  EXPECT_NE(UnitValue(unit, "After").find("local-fs.target"), std::string::npos);
  std::string exec = UnitValue(unit, "ExecStart");
  const std::string installed = "@bindir@/hostprocess ";
  ASSERT_EQ(exec.rfind(installed, 0), 0u) << exec;
  // The unit names no state root: the binary's default, /var/lib/hostprocess, which the test
  // moves with HOSTPROCESS_ROOT (the only difference from the unit's own command line).
  EXPECT_EQ(exec.find("--root"), std::string::npos) << exec;
  std::string command = Quote(Binary()) + " " + exec.substr(installed.size());

  ASSERT_EQ(Apply(Source("examples/privileged-daemonset-linux.yaml")).rc, 0);
  ASSERT_TRUE(WaitFor(
      [&] { return Hp("get pods -n kube-system").out.find(" Running ") != std::string::npos; },
      10000))
      << Hp("get pods -A").out;
  // The reboot, as tests/e2e/agent simulates it: the processes, jobs and mounts are gone and
  // run/ belongs to an earlier boot.
  auto keys = sys::ListDir(root_ + "/run/pods");
  ASSERT_TRUE(keys && keys->size() == 1u);
  auto st = ReadPodStatus(root_ + "/run/pods/" + keys->front() + "/status.json");
  ASSERT_TRUE(st);
  ::kill(st->supervisor_pid, SIGKILL);
  ASSERT_TRUE(
      WaitFor([&] { return !ProcessAlive(st->supervisor_pid, st->supervisor_start); }, 5000));
  auto jobs = job::NewJobManager({cgroup_root_});
  ASSERT_TRUE(jobs);
  auto pods = (*jobs)->ListPods();
  ASSERT_TRUE(pods);
  for (const auto& p : *pods) ASSERT_TRUE((*jobs)->DestroyPod(p));
  ASSERT_TRUE(sys::DetachMountsUnder(root_));
  ASSERT_TRUE(sys::WriteFile(root_ + "/run/boot_id", "an-earlier-boot\n"));

  std::string out = root_ + "/unit.out";
  int rc = ::system(
      ("HOSTPROCESS_ROOT=" + Quote(root_) + " " + command + " </dev/null >" + Quote(out) + " 2>&1")
          .c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << ReadOr(out);
  // What the journal gets: the pod it started, and the count.
  std::string said = ReadOr(out);
  EXPECT_EQ(said.rfind("started pod \"kube-system/privileged-daemonset-", 0), 0u) << said;
  EXPECT_NE(said.find("1 pods on this node as applied: 1 started, 0 removed\n"), std::string::npos)
      << said;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string name = Hp("get pods -n kube-system -o name").out;
        if (name.rfind("pod/privileged-daemonset-", 0) != 0) return false;
        return StatusColumnOf(name.substr(4, name.find('\n') - 4), "kube-system") == "Running";
      },
      10000))
      << Hp("get pods -A").out;
  // A second run (systemctl restart) starts nothing and says so.
  rc = ::system(
      ("HOSTPROCESS_ROOT=" + Quote(root_) + " " + command + " </dev/null >" + Quote(out) + " 2>&1")
          .c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << ReadOr(out);
  EXPECT_EQ(ReadOr(out), "1 pods on this node as applied: 0 started, 0 removed\n");
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

TEST_F(PackageE2E, BashCompletionCompletesVerbsFlagsAndNamesFromTheState) {
  ASSERT_EQ(Apply(PodYaml("web-1", "sleep 1000")).rc, 0);
  ASSERT_EQ(Apply(Source("examples/privileged-daemonset-linux.yaml")).rc, 0);
  std::string script = std::string(kComplete) + R"SH(
complete -p hostprocess
echo "verb: $(complete_words hostprocess --root "$ROOT" ap)"
echo "flag: $(complete_words hostprocess --root "$ROOT" get pods --no-h)"
echo "pod: $(complete_words "$HP" --root "$ROOT" logs we)"
echo "get: $(complete_words "$HP" --root "$ROOT" get pods w)"
echo "typed: $(complete_words "$HP" --root "$ROOT" logs pod/we)"
echo "ds: $(complete_words "$HP" --root "$ROOT" delete ds -n kube-system p | tr '\n' ' ')"
echo "other-ns: [$(complete_words "$HP" --root "$ROOT" logs -n kube-system we)]"
echo "no-state: [$(complete_words "$HP" --root "$ROOT/none" logs we)]"
echo "shells: $(complete_words hostprocess completion "" | tr '\n' ' ')"
)SH";
  CliResult r = Bash(script);
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("complete -o default -F __hostprocess_complete hostprocess\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verb: apply\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flag: --no-headers\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pod: web-1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("get: web-1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("typed: pod/web-1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ds: privileged-daemonset \n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("other-ns: []\n"), std::string::npos) << r.out;  // web-1 is in default
  EXPECT_NE(r.out.find("no-state: []\n"), std::string::npos) << r.out;
  EXPECT_FALSE(sys::Exists(root_ + "/none"));  // completing never creates a state root
  EXPECT_NE(r.out.find("shells: bash zsh \n"), std::string::npos) << r.out;
  EXPECT_EQ(Hp("delete pod web-1").rc, 0);
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

TEST_F(PackageE2E, CompletionFollowsTheCommandLine) {
  // Every visible verb and each of its flags is offered; the hidden supervisor verb is not.
  std::string script = std::string(kComplete) + R"SH(
echo "verbs: $(complete_words hostprocess "" | tr '\n' ' ')"
echo "apply: $(complete_words hostprocess apply - | tr '\n' ' ')"
echo "value: $(complete_words hostprocess get pods -o y)"
)SH";
  CliResult r = Bash(script);
  ASSERT_EQ(r.rc, 0) << r.out;
  for (const char* verb : {"validate", "apply", "get", "describe", "logs", "exec", "delete", "top",
                           "run", "import", "pull", "images", "rmi", "completion"}) {
    EXPECT_NE(r.out.find(std::string(" ") + verb + " "), std::string::npos) << verb << r.out;
  }
  EXPECT_EQ(r.out.find("__supervise"), std::string::npos) << r.out;
  for (const char* flag : {"-f", "--filename", "--cgroup-root", "--node-labels", "--help"}) {
    EXPECT_NE(r.out.find(std::string(" ") + flag + " "), std::string::npos) << flag << r.out;
  }
  EXPECT_NE(r.out.find("value: yaml\n"), std::string::npos) << r.out;
}

TEST_F(PackageE2E, ZshCompletionLoads) {
  if (::system("command -v zsh >/dev/null 2>&1") != 0) GTEST_SKIP() << "zsh is not installed";
  std::string file = root_ + "/zsh-test.zsh";
  ASSERT_TRUE(
      sys::WriteFile(file, "autoload -U compinit && compinit -u\nsource <(" + Quote(Binary()) +
                               " completion zsh)\nprint -r -- \"${_comps[hostprocess]}\"\n"));
  std::string out = root_ + "/zsh-test.out";
  int rc = ::system(("zsh -f " + Quote(file) + " >" + Quote(out) + " 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << ReadOr(out);
  EXPECT_NE(ReadOr(out).find("__hostprocess_complete"), std::string::npos) << ReadOr(out);
}

}  // namespace
}  // namespace hp::agent::testing
