// A pod's record (pod_record.h, both nodes): each node's settings written only in its own
// records; ReadPodRecordHead: a record read for a listing is the record without the pod's spec
// and the objects, and what it cannot read as written falls back to the whole read (same value,
// same error).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "core/agent/pod_record.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

class RecordHeadTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  std::string Write(const std::string& text) {
    std::string path = tmp_.path() + "/pod.json";
    EXPECT_TRUE(sys::WriteFile(path, text));
    return path;
  }
  hp::testing::TempDir tmp_{"agent-record-"};
};

PodRecord Sample() {
  PodRecord r;
  r.pod = nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "agent-x2b4z", "namespace": "kube-system", "uid": "u-1",
                 "labels": {"app": "agent", "tier": "node"},
                 "ownerReferences": [{"kind": "DaemonSet", "name": "agent"}]},
    "spec": {"hostNetwork": true, "nodeName": "n1",
             "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1e3"],
                             "env": [{"name": "A", "value": "caf\u00e9 \"q\""}]}]}
  })");
  r.objects = {nlohmann::json{{"kind", "ConfigMap"}, {"data", {{"k", "v"}}}}};
  r.owner_kind = "DaemonSet";
  r.owner_name = "agent";
  r.revision = "5f7c9d";
  r.created = 1764990000;
  r.job_root = "hp-test/jobs";
  r.log_max_size = 1 << 20;
  r.log_max_files = 3;
  return r;
}

TEST_F(RecordHeadTest, EverythingButTheSpecAndTheObjects) {
  PodRecord full = Sample();
  std::string path = Write(nlohmann::json(full).dump());
  auto head = ReadPodRecordHead(path);
  ASSERT_TRUE(head) << head.error().ToString();
  nlohmann::json want = full.pod;
  want.erase("spec");
  EXPECT_EQ(head->pod, want);
  EXPECT_TRUE(head->objects.empty());
  EXPECT_EQ(head->owner_kind, full.owner_kind);
  EXPECT_EQ(head->owner_name, full.owner_name);
  EXPECT_EQ(head->revision, full.revision);
  EXPECT_EQ(head->created, full.created);
  EXPECT_EQ(head->job_root, full.job_root);
  EXPECT_EQ(head->log_max_size, full.log_max_size);
  EXPECT_EQ(head->log_max_files, full.log_max_files);
}

TEST_F(RecordHeadTest, DefaultsOfMissingFieldsAreTheWholeReadsDefaults) {
  std::string path = Write(R"({"pod": {"metadata": {"name": "p"}}})");
  auto head = ReadPodRecordHead(path);
  auto full = ReadPodRecord(path);
  ASSERT_TRUE(head);
  ASSERT_TRUE(full);
  EXPECT_EQ(head->job_root, full->job_root);
  EXPECT_EQ(head->log_max_size, full->log_max_size);
  EXPECT_EQ(head->log_max_files, full->log_max_files);
  EXPECT_EQ(head->created, 0);
  EXPECT_EQ(head->pod, full->pod);
}

TEST_F(RecordHeadTest, ShapesItDoesNotReadAreReadWhole) {
  // A float where the agent writes an integer: nlohmann's conversion takes it.
  std::string path = Write(R"({"pod": {"metadata": {"name": "p"}, "spec": {}}, "created": 12.0})");
  auto head = ReadPodRecordHead(path);
  ASSERT_TRUE(head) << head.error().ToString();
  EXPECT_EQ(head->created, 12);
  EXPECT_TRUE(head->pod.contains("spec"));  // the whole record, spec and all
}

TEST_F(RecordHeadTest, WhatTheWholeReadRefusesIsRefusedWithItsError) {
  for (const char* text : {R"({"ownerKind": "DaemonSet"})", R"({"pod": {"metadata": {}},)",
                           R"({"pod": {}, "ownerKind": 7})", R"([1, 2])",
                           R"({"pod": {}, "objects": {}})", R"({"pod": {}, "objects": null})"}) {
    SCOPED_TRACE(text);
    std::string path = Write(text);
    auto head = ReadPodRecordHead(path);
    auto full = ReadPodRecord(path);
    ASSERT_FALSE(full);
    ASSERT_FALSE(head);
    EXPECT_EQ(head.error().ToString(), full.error().ToString());
  }
}

TEST_F(RecordHeadTest, ADuplicatePodKeysLastValueWins) {
  std::string path =
      Write(R"({"pod": {"metadata": {"name": "a"}}, "pod": {"metadata": {"name": "b"}}})");
  auto head = ReadPodRecordHead(path);
  auto full = ReadPodRecord(path);
  ASSERT_TRUE(head);
  ASSERT_TRUE(full);
  EXPECT_EQ(head->pod, full->pod);
}

TEST_F(RecordHeadTest, ARecordHoldsItsOwnNodesSettingsOnly) {
  PodRecord linux_record = Sample();
  nlohmann::json l = linux_record;
  EXPECT_EQ(l.value("cgroupRoot", ""), "hp-test/jobs");
  EXPECT_EQ(l.value("logMaxSize", 0), 1 << 20);
  EXPECT_EQ(l.value("logMaxFiles", 0), 3);
  EXPECT_FALSE(l.contains("volumeRoot"));

  // The Windows node's: its volume root, and no cgroup root or log rotation it does not have.
  PodRecord windows_record = Sample();
  windows_record.job_root.clear();
  windows_record.volume_root = "D:\\hpc volumes";
  nlohmann::json w = windows_record;
  EXPECT_EQ(w.value("volumeRoot", ""), "D:\\hpc volumes");
  for (const char* linux_only : {"cgroupRoot", "logMaxSize", "logMaxFiles"})
    EXPECT_FALSE(w.contains(linux_only)) << linux_only;

  // Read back whole and as a head, the same fields.
  std::string path = Write(w.dump());
  auto full = ReadPodRecord(path);
  auto head = ReadPodRecordHead(path);
  ASSERT_TRUE(full) << full.error().ToString();
  ASSERT_TRUE(head) << head.error().ToString();
  EXPECT_EQ(full->volume_root, "D:\\hpc volumes");
  EXPECT_EQ(head->volume_root, full->volume_root);
  EXPECT_EQ(full->job_root, "");
  EXPECT_EQ(head->job_root, full->job_root);
  EXPECT_EQ(nlohmann::json(*full), w);
}

TEST_F(RecordHeadTest, APodThatIsNotAnObjectIsRefusedNamingTheFile) {
  for (const char* text : {R"({"pod": null})", R"({"pod": [1]})", R"({"pod": "p"})"}) {
    SCOPED_TRACE(text);
    std::string path = Write(text);
    auto full = ReadPodRecord(path);
    auto head = ReadPodRecordHead(path);
    ASSERT_FALSE(full);
    ASSERT_FALSE(head);
    EXPECT_NE(full.error().ToString().find(path), std::string::npos) << full.error().ToString();
    EXPECT_EQ(head.error().ToString(), full.error().ToString());
  }
}

}  // namespace
}  // namespace hp::agent
