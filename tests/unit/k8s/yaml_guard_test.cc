// Inputs that made the first YAML front end (yaml-cpp 0.7, and the decoder on top of it) loop,
// explode or recurse (tests/fuzz/decode): each must stay a prompt error naming file:line:column,
// in go-yaml's words (yaml.h). Every case runs
// in a child process with a deadline, so the old behaviour (an endless loop eating memory, a
// stack overflow) fails the test instead of hanging or killing it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "core/k8s/decode.h"

namespace hp::k8s {
namespace {

// Runs `check` in a child killed after `seconds`; the result is what the child reported.
::testing::AssertionResult InChild(const std::function<std::string()>& check, int seconds = 10) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return ::testing::AssertionFailure() << "pipe";
  pid_t pid = ::fork();
  if (pid < 0) return ::testing::AssertionFailure() << "fork";
  if (pid == 0) {
    ::close(pipefd[0]);
    ::alarm(static_cast<unsigned>(seconds));
    std::string failure = check();
    if (!failure.empty() && ::write(pipefd[1], failure.data(), failure.size()) < 0) _exit(3);
    _exit(failure.empty() ? 0 : 1);
  }
  ::close(pipefd[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return ::testing::AssertionFailure()
           << "child killed by signal " << WTERMSIG(status)
           << (WTERMSIG(status) == SIGALRM ? " (deadline: the decoder did not return)" : "");
  if (WEXITSTATUS(status) != 0) return ::testing::AssertionFailure() << out;
  return ::testing::AssertionSuccess();
}

// The decode error for `text`, or a description of what happened instead.
std::string ExpectError(const std::string& text, const std::string& want, DecodeOptions opts = {}) {
  auto r = DecodeString(text, "t.yaml", opts);
  if (r) return "decoded " + std::to_string(r->objects.size()) + " objects; want: " + want;
  std::string got = r.error().ToString();
  return got == want ? "" : "error: " + got + "\nwant:  " + want;
}

TEST(YamlGuard, CommaAfterATopLevelNodeIsAnErrorNotAnEndlessLoop) {
  EXPECT_TRUE(InChild([] {
    return ExpectError("[a],", "t.yaml:1:4: yaml: did not find expected <document start>");
  }));
  EXPECT_TRUE(InChild([] {
    return ExpectError("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n!t ,\n",
                       "t.yaml:5:4: yaml: did not find expected <document start>");
  }));
}

// 1.2 KB: a List of 61 aliases of one Pod, whose 61 containers are aliases of one container,
// whose env is 61 aliases of one variable: 227k env vars once expanded.
std::string AliasBomb() {
  std::string env = "env: [&e {name: A, value: b}";
  for (int i = 0; i < 60; i++) env += ", *e";
  std::string text =
      "apiVersion: v1\nkind: List\nitems:\n- &p\n  apiVersion: v1\n  kind: Pod\n"
      "  metadata: {name: p}\n  spec:\n    containers:\n    - &c\n      name: c\n"
      "      image: busybox\n      " +
      env + "]\n";
  for (int i = 0; i < 60; i++) text += "    - *c\n";
  for (int i = 0; i < 60; i++) text += "- *p\n";
  return text;
}

TEST(YamlGuard, ExcessiveAliasingIsRefusedAsGoYamlDoes) {
  EXPECT_TRUE(InChild([] {
    auto r = DecodeString(AliasBomb(), "t.yaml");
    if (r) return std::string("decoded ") + std::to_string(r->objects.size()) + " objects";
    std::string got = r.error().ToString();
    if (got.find("t.yaml:") != 0 ||
        got.find(": yaml: document contains excessive aliasing") == std::string::npos)
      return "error: " + got;
    return std::string();
  }));
}

TEST(YamlGuard, AnAliasInsideItsOwnAnchorIsRefused) {
  // dnsConfig is a field hostprocess ignores (a warning), so nothing type-checks the cycle.
  const std::string text =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n"
      "  containers: [{name: c, image: busybox}]\n  dnsConfig: &d {options: [*d]}\n";
  const std::string want = "t.yaml:6:28: yaml: anchor 'd' value contains itself";
  EXPECT_TRUE(InChild([&] { return ExpectError(text, want); }));
  // keep_raw renders every node as JSON: the cyclic node recursed until the stack overflowed.
  DecodeOptions raw;
  raw.keep_raw = true;
  EXPECT_TRUE(InChild([&] { return ExpectError(text, want, raw); }));
}

TEST(YamlGuard, OrdinaryAnchorsAndEmptyDocumentsStillDecode) {
  const std::string text = R"(---
---
apiVersion: v1
kind: Pod
metadata: {name: a, labels: &l {app: x}}
spec:
  containers:
  - &c {name: c, image: busybox, env: [&e {name: A, value: b}, {name: B, value: c}]}
  - {name: d, image: busybox, env: [*e]}
...
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: &l {app: web}, annotations: *l}
spec:
  containers: [{name: c, image: busybox, env: [{name: A, value: b}]}]
)";
  auto r = DecodeString(text, "t.yaml");
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->objects.size(), 2u);
  ASSERT_NE(r->objects[0].pod(), nullptr);
  EXPECT_EQ(r->objects[0].pod()->spec.containers.size(), 2u);
  EXPECT_EQ(r->objects[0].pod()->spec.containers[1].env.size(), 1u);
  ASSERT_NE(r->objects[1].pod(), nullptr);
  EXPECT_EQ(r->objects[1].pod()->metadata.annotations.size(), 1u);
}

}  // namespace
}  // namespace hp::k8s
