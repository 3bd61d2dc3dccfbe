#include "core/agent/daemonset_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/objects.h"
#include "common/temp_dir.h"
#include "core/agent/daemonset_events.h"
#include "core/agent/naming.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

using nlohmann::json;

json Ds(const std::string& name, const std::string& os) {
  json pod_spec = {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}};
  if (!os.empty()) pod_spec["nodeSelector"] = {{"kubernetes.io/os", os}};
  return hp::testing::DaemonSetJson(name, std::move(pod_spec));
}

class DaemonSetViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    node_.name = "n1";
    node_.SetLabel("kubernetes.io/os", "linux");
  }
  hp::testing::TempDir tmp_{"agent-dsview-"};
  Node node_;
};

TEST_F(DaemonSetViewTest, ListsEachWithItsFitRevisionFieldsAndEvents) {
  DesiredObjects desired(tmp_.path());
  ASSERT_TRUE(desired.PutDesired("daemonsets", "kube-system_here",
                                 {{"object", Ds("here", "linux")}, {"created", 100}}));
  ASSERT_TRUE(desired.PutDesired(
      "daemonsets", "kube-system_win",
      {{"object", Ds("win", "windows")}, {"created", 200}, {"volumeRoot", "D:\\vols"}}));
  ASSERT_TRUE(DaemonSetEvents(tmp_.path())
                  .Record("kube-system_here", "SuccessfulCreate", "Created pod: here-abcde"));
  auto got = ListDaemonSetViews(desired, node_);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->daemonsets.size(), 2u);
  EXPECT_TRUE(got->unreadable.empty());
  const DaemonSetView& here = got->daemonsets[0];
  EXPECT_EQ(here.key, "kube-system_here");
  EXPECT_EQ(here.ns, "kube-system");
  EXPECT_EQ(here.name, "here");
  EXPECT_EQ(here.created, 100);
  EXPECT_TRUE(here.fit.fits);
  EXPECT_EQ(here.desired, 1);
  EXPECT_EQ(here.revision, DaemonSetRevision(Ds("here", "linux")));
  ASSERT_EQ(here.events.size(), 1u);
  EXPECT_EQ(here.events[0].reason, "SuccessfulCreate");
  EXPECT_TRUE(here.fields.empty());
  const DaemonSetView& win = got->daemonsets[1];
  EXPECT_FALSE(win.fit.fits);  // a Windows DaemonSet on a Linux node
  EXPECT_EQ(win.desired, 0);
  EXPECT_EQ(win.fields, json({{"volumeRoot", "D:\\vols"}}));
  EXPECT_TRUE(win.events.empty());
}

// Damaged JSON, a record of the wrong shape, and an object that no longer decodes as a DaemonSet
// are named, not listed; the others still are.
TEST_F(DaemonSetViewTest, UnreadableOnesAreNamedAndTheOthersListed) {
  DesiredObjects desired(tmp_.path());
  ASSERT_TRUE(desired.PutDesired("daemonsets", "kube-system_good", {{"object", Ds("good", "")}}));
  ASSERT_TRUE(sys::WriteFile(desired.DesiredPath("daemonsets", "kube-system_json"), "{\"obj"));
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}}}}};
  ASSERT_TRUE(desired.PutDesired("daemonsets", "kube-system_pod", {{"object", pod}}));
  auto got = ListDaemonSetViews(desired, node_);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->daemonsets.size(), 1u);
  EXPECT_EQ(got->daemonsets[0].name, "good");
  ASSERT_EQ(got->unreadable.size(), 2u);
  EXPECT_EQ(got->unreadable[0].key, "kube-system_json");
  EXPECT_EQ(got->unreadable[0].path, desired.DesiredPath("daemonsets", "kube-system_json"));
  EXPECT_NE(got->unreadable[0].error.find("kube-system_json.json"), std::string::npos);
  EXPECT_EQ(got->unreadable[1].key, "kube-system_pod");
  EXPECT_NE(got->unreadable[1].error.find("not a DaemonSet"), std::string::npos)
      << got->unreadable[1].error;
}

// A character above U+FFFF (an emoji in an annotation) is a surrogate pair when escaped, which
// the YAML readers refuse: the stored DaemonSet decodes from its UTF-8 JSON. A mistyped
// "created" reads as 0 instead of throwing.
TEST_F(DaemonSetViewTest, AnEmojiAndAMistypedCreatedStillList) {
  DesiredObjects desired(tmp_.path());
  json ds = Ds("emoji", "");
  ds["metadata"]["annotations"] = {{"note", "agent \U0001F680"}};
  ds["spec"]["template"]["metadata"]["annotations"] = {{"note", "pod \U0001F680"}};
  ASSERT_TRUE(
      desired.PutDesired("daemonsets", "kube-system_emoji", {{"object", ds}, {"created", "x"}}));
  auto got = ListDaemonSetViews(desired, node_);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->daemonsets.size(), 1u)
      << (got->unreadable.empty() ? "" : got->unreadable[0].error);
  EXPECT_EQ(got->daemonsets[0].object["metadata"]["annotations"]["note"], "agent \U0001F680");
  EXPECT_EQ(got->daemonsets[0].created, 0);
}

TEST_F(DaemonSetViewTest, NothingAppliedListsNothing) {
  auto got = ListDaemonSetViews(DesiredObjects(tmp_.path() + "/none"), node_);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->daemonsets.empty());
  EXPECT_TRUE(got->unreadable.empty());
}

}  // namespace
}  // namespace hp::agent
