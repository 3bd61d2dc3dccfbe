#include "core/agent/daemonset_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

class DaemonSetEventsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  hp::testing::TempDir tmp_{"agent-dsevents-"};
};

TEST_F(DaemonSetEventsTest, TheRunStateFileOfBothNodes) {
  DaemonSetEvents e(tmp_.path());
  EXPECT_EQ(e.Path("kube-system_agent"),
            tmp_.path() + "/run/daemonsets/kube-system_agent.events.json");
}

TEST_F(DaemonSetEventsTest, RecordAddsAndAggregatesTheControllersEvents) {
  DaemonSetEvents e(tmp_.path());
  EXPECT_TRUE(e.Read("ns_ds").empty());
  ASSERT_TRUE(e.Record("ns_ds", "SuccessfulCreate", "Created pod: ds-abcde"));
  ASSERT_TRUE(e.Record("ns_ds", "SuccessfulCreate", "Created pod: ds-abcde"));
  ASSERT_TRUE(e.Record("ns_ds", "SuccessfulDelete", "Deleted pod: ds-abcde"));
  std::vector<Event> got = e.Read("ns_ds");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].reason, "SuccessfulCreate");
  EXPECT_EQ(got[0].count, 2);
  EXPECT_EQ(got[0].type, "Normal");
  EXPECT_EQ(got[0].from, "daemonset-controller");
  EXPECT_EQ(got[1].message, "Deleted pod: ds-abcde");
}

TEST_F(DaemonSetEventsTest, ADamagedFileReadsAsNoneAndTheNextEventStartsItAgain) {
  DaemonSetEvents e(tmp_.path());
  ASSERT_TRUE(sys::MkdirAll(e.Dir()));
  for (const char* damage : {"[{", "{\"a\": 1}", "[{\"count\": \"x\"}]"}) {
    ASSERT_TRUE(sys::WriteFile(e.Path("ns_ds"), damage));
    EXPECT_TRUE(e.Read("ns_ds").empty()) << damage;
  }
  ASSERT_TRUE(e.Record("ns_ds", "SuccessfulCreate", "Created pod: p"));
  EXPECT_EQ(e.Read("ns_ds").size(), 1u);
}

// Kept while the DaemonSet is applied, or stored but unreadable (no deleted one); removed once
// it is deleted.
TEST_F(DaemonSetEventsTest, PruneRemovesOnlyTheEventsOfDeletedDaemonSets) {
  DesiredObjects desired(tmp_.path());
  DaemonSetEvents e(tmp_.path());
  ASSERT_TRUE(desired.PutDesired("daemonsets", "ns_kept",
                                 {{"object", {{"metadata", {{"name", "kept"}}}}}}));
  ASSERT_TRUE(sys::WriteFile(desired.DesiredPath("daemonsets", "ns_damaged"), "{"));
  for (const char* key : {"ns_kept", "ns_damaged", "ns_gone"})
    ASSERT_TRUE(e.Record(key, "SuccessfulCreate", "Created pod: p"));
  EXPECT_TRUE(e.Prune(desired).empty());
  EXPECT_TRUE(sys::Exists(e.Path("ns_kept")));
  EXPECT_TRUE(sys::Exists(e.Path("ns_damaged")));
  EXPECT_FALSE(sys::Exists(e.Path("ns_gone")));
}

TEST_F(DaemonSetEventsTest, KilledWritersTempFilesGo) {
  DaemonSetEvents e(tmp_.path());
  EXPECT_TRUE(e.RemoveStaleTempFiles());  // no directory yet
  ASSERT_TRUE(e.Record("ns_ds", "SuccessfulCreate", "Created pod: p"));
  ASSERT_TRUE(sys::WriteFile(e.Path("ns_ds") + ".tmp-Zz9Yy8", "[{"));
  ASSERT_TRUE(e.RemoveStaleTempFiles());
  EXPECT_EQ(*sys::ListDir(e.Dir()), std::vector<std::string>{"ns_ds.events.json"});
}

}  // namespace
}  // namespace hp::agent
