// Label and field selectors (`-l`, `--field-selector`): the cases of Kubernetes'
// labels/selector_test.go TestSelectorMatches as data, plus set-based requirements.
#include "core/k8s/selector.h"

#include <gtest/gtest.h>

namespace hp::k8s {
namespace {

using Set = std::map<std::string, std::string>;

struct Case {
  const char* selector;
  Set labels;
  bool match;
};

TEST(LabelSelectorTest, KubernetesSelectorMatchesCases) {
  const Set labelset{{"foo", "bar"}, {"baz", "blah"}};
  const Case cases[] = {
      {"", {{"x", "y"}}, true},
      {"x=y", {{"x", "y"}}, true},
      {"x=y,z=w", {{"x", "y"}, {"z", "w"}}, true},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "a"}}, true},
      {"notin=in", {{"notin", "in"}}, true},
      {"x", {{"x", "z"}}, true},
      {"!x", {{"y", "z"}}, true},
      {"x>1", {{"x", "2"}}, true},
      {"x<1", {{"x", "0"}}, true},
      {"x=z", {}, false},
      {"x=y", {{"x", "z"}}, false},
      {"x=y,z=w", {{"x", "w"}, {"z", "w"}}, false},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "w"}}, false},
      {"x", {{"y", "z"}}, false},
      {"!x", {{"x", "z"}}, false},
      {"x>1", {{"x", "0"}}, false},
      {"x<1", {{"x", "2"}}, false},
      {"foo=bar", labelset, true},
      {"baz=blah", labelset, true},
      {"foo=bar,baz=blah", labelset, true},
      {"foo=blah", labelset, false},
      {"baz=bar", labelset, false},
      {"foo=bar,foobar=bar,baz=blah", labelset, false},
      // Set-based.
      {"x in (y,z)", {{"x", "z"}}, true},
      {"x in (y, z)", {{"x", "w"}}, false},
      {"x notin (y,z)", {{"x", "w"}}, true},
      {"x notin (y,z)", {}, true},
      {"x in (y),w", {{"x", "y"}, {"w", "1"}}, true},
      {"x==y", {{"x", "y"}}, true},
      {"x!=y", {}, true},
  };
  for (const Case& c : cases) {
    auto s = LabelMatcher::Parse(c.selector);
    ASSERT_TRUE(s) << c.selector << ": " << s.error().ToString();
    EXPECT_EQ(s->Matches(c.labels), c.match) << c.selector;
  }
}

TEST(LabelSelectorTest, BadSelectorsAreRefused) {
  for (const char* bad : {"x in y", "a b=c", "x=a b", "x>a", ",", "x in (a"}) {
    EXPECT_FALSE(LabelMatcher::Parse(bad)) << bad;
  }
}

TEST(FieldSelectorTest, PodFields) {
  std::vector<std::string> pod{"metadata.name", "metadata.namespace", "spec.nodeName",
                               "status.phase"};
  auto s = FieldMatcher::Parse("status.phase=Running,metadata.name!=x", pod);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->Matches({{"status.phase", "Running"}, {"metadata.name", "y"}}));
  EXPECT_FALSE(s->Matches({{"status.phase", "Running"}, {"metadata.name", "x"}}));
  EXPECT_FALSE(s->Matches({{"status.phase", "Pending"}, {"metadata.name", "y"}}));
  auto bad = FieldMatcher::Parse("spec.foo=bar", pod);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "field label not supported: spec.foo");
}

}  // namespace
}  // namespace hp::k8s
