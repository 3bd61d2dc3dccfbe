#include "core/agent/desired.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "core/base/time.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

using nlohmann::json;

json Ds(const std::string& image) {
  return {{"kind", "DaemonSet"},
          {"metadata", {{"name", "agent"}, {"namespace", "kube-system"}}},
          {"spec", {{"template", {{"spec", {{"containers", {{{"image", image}}}}}}}}}}};
}

TEST(PlanDesiredWriteTest, FirstApplyIsCreatedAtGenerationOne) {
  int64_t before = NowUnixSeconds();
  DesiredWrite w = PlanDesiredWrite(Ds("a:1"), std::nullopt, false);
  EXPECT_EQ(w.verb, "created");
  EXPECT_EQ(w.record["object"]["metadata"]["generation"], 1);
  EXPECT_TRUE(w.record["object"]["metadata"]["resourceVersion"].is_string());
  EXPECT_GE(w.record["created"].get<int64_t>(), before);
  EXPECT_EQ(AppliedObject(w.record), Ds("a:1"));
}

TEST(PlanDesiredWriteTest, SameObjectIsUnchangedAndWritesNothing) {
  DesiredWrite first = PlanDesiredWrite(Ds("a:1"), std::nullopt, false);
  DesiredWrite again = PlanDesiredWrite(Ds("a:1"), first.record, true);
  EXPECT_EQ(again.verb, "unchanged");
  EXPECT_TRUE(again.record.is_null());
}

TEST(PlanDesiredWriteTest, SpecChangeBumpsGenerationAndKeepsCreated) {
  json stored = PlanDesiredWrite(Ds("a:1"), std::nullopt, false).record;
  stored["created"] = 1000;
  stored["object"]["metadata"]["generation"] = 4;
  stored["object"]["metadata"]["resourceVersion"] = "1";
  DesiredWrite w = PlanDesiredWrite(Ds("a:2"), stored, false);
  EXPECT_EQ(w.verb, "configured");
  EXPECT_EQ(w.record["created"], 1000);
  EXPECT_EQ(w.record["object"]["metadata"]["generation"], 5);
  EXPECT_NE(w.record["object"]["metadata"]["resourceVersion"], "1");
}

TEST(PlanDesiredWriteTest, MetadataChangeKeepsGeneration) {
  json stored = PlanDesiredWrite(Ds("a:1"), std::nullopt, false).record;
  stored["object"]["metadata"]["generation"] = 3;
  json labelled = Ds("a:1");
  labelled["metadata"]["labels"] = {{"app", "x"}};
  DesiredWrite w = PlanDesiredWrite(labelled, stored, false);
  EXPECT_EQ(w.verb, "configured");
  EXPECT_EQ(w.record["object"]["metadata"]["generation"], 3);
  EXPECT_EQ(w.record["object"]["metadata"]["labels"]["app"], "x");
}

// Fields of the wrong type in a stored record are damage, not a reason to throw.
TEST(PlanDesiredWriteTest, MistypedCreatedAndGenerationAreTakenAsMissing) {
  json stored = PlanDesiredWrite(Ds("a:1"), std::nullopt, false).record;
  stored["created"] = "yesterday";
  stored["object"]["metadata"]["generation"] = "two";
  int64_t before = NowUnixSeconds();
  DesiredWrite w = PlanDesiredWrite(Ds("a:2"), stored, false);
  EXPECT_EQ(w.verb, "configured");
  EXPECT_GE(w.record["created"].get<int64_t>(), before);
  EXPECT_EQ(w.record["object"]["metadata"]["generation"], 2);
  EXPECT_EQ(IntFieldOr(json::array(), "created", 7), 7);
  EXPECT_EQ(IntFieldOr(json{{"created", nullptr}}, "created", 7), 7);
  EXPECT_EQ(IntFieldOr(json{{"created", 5}}, "created", 7), 5);
}

TEST(PlanDesiredWriteTest, DamagedGenerationStartsAgain) {
  json stored = {{"object", {{"metadata", "garbage"}}}, {"created", 7}};
  DesiredWrite w = PlanDesiredWrite(Ds("a:1"), stored, false);
  EXPECT_EQ(w.verb, "configured");
  EXPECT_EQ(w.record["object"]["metadata"]["generation"], 2);  // 1, and the spec changed
  EXPECT_EQ(w.record["created"], 7);
}

class DesiredObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  hp::testing::TempDir tmp_{"agent-desired-"};
};

TEST_F(DesiredObjectsTest, PathsUseTheLayoutOfBothNodes) {
  DesiredObjects d(tmp_.path());
  EXPECT_EQ(d.DesiredDir(), tmp_.path() + "/desired");
  EXPECT_EQ(d.DesiredPath("configmaps", "default_cm"),
            tmp_.path() + "/desired/configmaps/default_cm.json");
}

TEST_F(DesiredObjectsTest, WorksOnARootWithNothingInIt) {
  DesiredObjects d(tmp_.path() + "/fresh");
  EXPECT_TRUE(d.ListDesiredKeys("secrets")->empty());
  EXPECT_TRUE(d.ListDesired("secrets")->empty());
  auto none = d.GetDesired("secrets", "default_s");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_TRUE(d.DeleteDesired("secrets", "default_s"));  // not there: no error
  EXPECT_TRUE(d.RemoveStaleDesiredTempFiles());
  ASSERT_TRUE(d.PutDesired("secrets", "default_s", {{"object", {{"metadata", {{"name", "s"}}}}}}));
  EXPECT_EQ(*d.ListDesiredKeys("secrets"), std::vector<std::string>{"default_s"});
  ASSERT_TRUE(d.DeleteDesired("secrets", "default_s"));
  EXPECT_FALSE(sys::Exists(d.DesiredPath("secrets", "default_s")));
}

// A batch (one apply) stores every object of every kind, making the kinds' directories, and each
// reads back as written alone; an empty batch writes nothing.
TEST_F(DesiredObjectsTest, ABatchStoresEveryObjectAsOneAtATimeWould) {
  DesiredObjects d(tmp_.path());
  ASSERT_TRUE(d.PutDesired(std::vector<DesiredObjects::Put>{}));
  EXPECT_FALSE(sys::Exists(d.DesiredDir()));
  nlohmann::json a{{"object", {{"metadata", {{"name", "a"}}}}}, {"created", 1}};
  nlohmann::json b{{"object", {{"metadata", {{"name", "b"}}}}}, {"created", 2}};
  nlohmann::json ds{{"object", {{"metadata", {{"name", "ds"}}}}}, {"created", 3}};
  ASSERT_TRUE(d.PutDesired(std::vector<DesiredObjects::Put>{{"configmaps", "default_a", &a},
                                                            {"daemonsets", "kube-system_ds", &ds},
                                                            {"configmaps", "default_b", &b}}));
  EXPECT_EQ(*d.ListDesiredKeys("configmaps"), (std::vector<std::string>{"default_a", "default_b"}));
  EXPECT_EQ(**d.GetDesired("configmaps", "default_b"), b);
  EXPECT_EQ(**d.GetDesired("daemonsets", "kube-system_ds"), ds);
  DesiredObjects alone(tmp_.path() + "/alone");
  ASSERT_TRUE(alone.PutDesired("configmaps", "default_a", a));
  EXPECT_EQ(*sys::ReadFile(d.DesiredPath("configmaps", "default_a")),
            *sys::ReadFile(alone.DesiredPath("configmaps", "default_a")));
}

// A name no file can have (namespace + name beyond the file system's 255 bytes) is not stored:
// `wait --for=delete` and `delete` must see it missing, not fail on it.
TEST_F(DesiredObjectsTest, ANameTooLongForAFileIsNotStored) {
  DesiredObjects d(tmp_.path());
  ASSERT_TRUE(sys::MkdirAll(d.DesiredDir() + "/daemonsets"));
  std::string key = std::string(63, 'n') + "_" + std::string(253, 'x');
  auto got = d.GetDesired("daemonsets", key);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_FALSE(*got);
}

TEST_F(DesiredObjectsTest, ADamagedFileIsAnErrorOnGetThatNamesIt) {
  DesiredObjects d(tmp_.path());
  ASSERT_TRUE(sys::MkdirAll(d.DesiredDir() + "/daemonsets"));
  ASSERT_TRUE(sys::WriteFile(d.DesiredPath("daemonsets", "ns_x"), "{\"object\": 1}"));
  auto got = d.GetDesired("daemonsets", "ns_x");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().ToString().find(d.DesiredPath("daemonsets", "ns_x")), std::string::npos)
      << got.error().ToString();
}

TEST_F(DesiredObjectsTest, KilledWritersTempFilesGoAndObjectsStay) {
  DesiredObjects d(tmp_.path());
  ASSERT_TRUE(
      d.PutDesired("configmaps", "default_a", {{"object", {{"metadata", {{"name", "a"}}}}}}));
  std::string stale = d.DesiredPath("configmaps", "default_a") + ".tmp-AbC123";
  ASSERT_TRUE(sys::WriteFile(stale, "{"));
  ASSERT_TRUE(d.RemoveStaleDesiredTempFiles());
  EXPECT_FALSE(sys::Exists(stale));
  EXPECT_EQ(*d.ListDesiredKeys("configmaps"), std::vector<std::string>{"default_a"});
}

}  // namespace
}  // namespace hp::agent
