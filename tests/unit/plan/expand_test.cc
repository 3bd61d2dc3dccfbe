// Kubelet's expansion cases (third_party/forked/golang/expansion behaviour) and the HostProcess
// extras.
#include "core/plan/expand.h"

#include <gtest/gtest.h>

#include <map>

namespace hp::plan {
namespace {

std::optional<std::string> KubeVars(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> vars = {
      {"VAR_A", "A"},    {"VAR_B", "B"},       {"VAR_C", "C"},      {"VAR_REF", "$(VAR_A)"},
      {"VAR_EMPTY", ""}, {"BIG_MONEY", "$()"}, {"VAR_SPACE", "a b"}};
  auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

struct Case {
  const char* input;
  const char* expected;
};

TEST(ExpandKubernetes, KubeletCases) {
  const Case cases[] = {
      {"$(VAR_A)", "A"},
      {"___$(VAR_B)___", "___B___"},
      {"$(VAR_A)-$(VAR_A)", "A-A"},
      {"f000-$$VAR_A", "f000-$VAR_A"},
      {"foo\\$(VAR_C)bar", "foo\\Cbar"},
      {"foo\\\\$(VAR_C)bar", "foo\\\\Cbar"},
      {"foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"},
      {"$(VAR_A)$(VAR_B)", "AB"},
      {"$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"},
      {"$(VAR_A)$(VAR_REF)", "A$(VAR_A)"},  // values are not re-expanded
      {"$(VAR_EMPTY)", ""},
      {"$(VAR_DNE)", "$(VAR_DNE)"},
      {"$(VAR_A)$(VAR_DNE)", "A$(VAR_DNE)"},
      {"$$(VAR_B)$(VAR_A)", "$(VAR_B)A"},
      {"$$$(VAR_A)", "$A"},
      {"$$$$(VAR_A)", "$$(VAR_A)"},
      {"$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
      {"$$$$$$$(BIG_MONEY)", "$$$$()"},
      {"$$$$$$$$(VAR_A)", "$$$$(VAR_A)"},
      {"$(VAR_A", "$(VAR_A"},
      {"$$(VAR_A", "$(VAR_A"},
      {"$(VAR_A)$(VAR_B", "A$(VAR_B"},
      {"$(", "$("},
      {"$", "$"},
      {"$$", "$"},
      {"$$$", "$$"},
      {"$()", "$()"},
      {"$VAR_A", "$VAR_A"},
      {"${VAR_A}", "${VAR_A}"},  // kubelet knows only $(...)
      {"$:$a", "$:$a"},
      {"", ""},
      {"no vars here", "no vars here"},
      {"$(VAR_SPACE)", "a b"},
      {"\n$(VAR_A)\n", "\nA\n"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExpandKubernetes(c.input, KubeVars), c.expected) << "input: " << c.input;
  }
}

TEST(ExpandCommand, SandboxAndBraces) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"HOME", "/root"}, {"X", "1"}, {"X", "2"}, {"EMPTY", ""}};
  Lookup shell = LookupIn(&env);
  const std::string sb = "/r/sandboxes/c1/";
  auto ex = [&](const char* in) { return ExpandCommand(in, KubeVars, shell, sb); };
  EXPECT_EQ(ex("$CONTAINER_SANDBOX_MOUNT_POINT"), sb);
  EXPECT_EQ(ex("$CONTAINER_SANDBOX_MOUNT_POINT/bin/sh"), "/r/sandboxes/c1//bin/sh");
  EXPECT_EQ(ex("${CONTAINER_SANDBOX_MOUNT_POINT}bin/sh"), "/r/sandboxes/c1/bin/sh");
  EXPECT_EQ(ex("$CONTAINER_SANDBOX_MOUNT_POINTX"), "$CONTAINER_SANDBOX_MOUNT_POINTX");
  EXPECT_EQ(ex("${X}"), "2");  // last definition wins
  EXPECT_EQ(ex("${EMPTY}x"), "x");
  EXPECT_EQ(ex("${NOPE}"), "${NOPE}");
  EXPECT_EQ(ex("${X:-d}"), "${X:-d}");
  EXPECT_EQ(ex("${}"), "${}");
  EXPECT_EQ(ex("${X"), "${X");
  EXPECT_EQ(ex("$HOME"), "$HOME");  // left for a shell
  EXPECT_EQ(ex("$${X}"), "${X}");   // $$ protects the brace form too
  EXPECT_EQ(ex("$$CONTAINER_SANDBOX_MOUNT_POINT"), "$CONTAINER_SANDBOX_MOUNT_POINT");
  EXPECT_EQ(ex("$(VAR_A)${X}"), "A2");
  EXPECT_EQ(ex("echo $(VAR_DNE) ${HOME}"), "echo $(VAR_DNE) /root");
}

TEST(ExpandCommand, SubstitutionsAreNotRescanned) {
  std::vector<std::pair<std::string, std::string>> env = {{"A", "${B}"}, {"B", "b"}};
  EXPECT_EQ(ExpandCommand("${A}", KubeVars, LookupIn(&env), "/s/"), "${B}");
}

}  // namespace
}  // namespace hp::plan
