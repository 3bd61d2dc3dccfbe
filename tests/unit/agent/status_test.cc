// The status file round trip, event aggregation and
// process identity.
#include "core/agent/status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "common/container_status.h"
#include "common/mutate.h"
#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

using hp::testing::Running;
using hp::testing::Terminated;

TEST(PodStatus, EventsAggregateAndRoundTrip) {
  PodStatus s;
  s.AddEvent("Warning", "BackOff", "Back-off restarting failed container c", 10);
  s.AddEvent("Warning", "BackOff", "Back-off restarting failed container c", 20);
  s.AddEvent("Normal", "Started", "Started container c", 21);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].count, 2);
  EXPECT_EQ(s.events[0].first, 10);
  EXPECT_EQ(s.events[0].last, 20);
  for (int i = 0; i < 60; i++) s.AddEvent("Normal", "E", std::to_string(i), i);
  EXPECT_EQ(s.events.size(), 50u);

  s.phase = "Running";
  s.containers = {Running("a", true)};
  s.containers[0].last_state = Terminated("a", 1, "Error").state;
  s.live_containers = {"abc"};
  hp::testing::TempDir dir("hp-status-test-");
  ASSERT_TRUE(dir.ok());
  std::string path = dir.path() + "/status.json";
  ASSERT_TRUE(WritePodStatus(path, s));
  auto back = ReadPodStatus(path);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->phase, "Running");
  ASSERT_EQ(back->containers.size(), 1u);
  ASSERT_TRUE(back->containers[0].last_state);
  EXPECT_EQ(back->containers[0].last_state->reason, "Error");
  EXPECT_EQ(back->live_containers, std::vector<std::string>{"abc"});
  EXPECT_EQ(back->events.size(), 50u);
  nlohmann::json api = ApiPodStatus(*back);
  EXPECT_EQ(api["containerStatuses"][0]["state"].begin().key(), "running");
  EXPECT_EQ(api["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_TRUE(sys::RemoveAll(dir.path()));
  EXPECT_FALSE(ReadPodStatus(path));
}

// A status with every member set away from its default: what WritePodStatus writes of it.
PodStatus FullStatus() {
  PodStatus s;
  s.phase = "Running";
  s.reason = "r";
  s.message = "m \"quoted\" \u00e9";
  s.start_time = 1764921600;
  s.host_ip = "10.0.0.4";
  s.initialized = s.containers_ready = s.ready = true;
  ContainerStatus c;
  c.name = "c";
  c.image = "busybox:1";
  c.image_id = "busybox@sha256:00";
  c.state.kind = "running";
  c.state.started_at = 1764921601;
  c.last_state = ContainerState{"terminated", "Error", "boom", 2, 9, 1764921500, 1764921599};
  c.ready = c.started = true;
  c.restart_count = 3;
  c.container_id = "hostprocess://abc";
  c.pid = 4242;
  s.init_containers.push_back(c);
  s.init_containers.back().name = "init";
  s.init_containers.back().last_state.reset();
  s.containers.push_back(c);
  s.AddEvent("Warning", "BackOff", "Back-off restarting failed container c", 10, "kubelet");
  s.AddEvent("Normal", "Scheduled", "Successfully assigned", 11, "default-scheduler");
  s.events.back().count = 4;
  s.supervisor_pid = 77;
  s.supervisor_start = 18446744073709551615ull;
  s.supervisor_boot = "boot-id";
  s.pod_uid = "uid";
  s.job_root = "hostprocess";
  s.volume_root = "C:\\hpvols";
  s.finished = s.terminating = s.sandbox_refused = s.unscheduled = s.rejected = true;
  s.scheduling_message = "0/1 nodes are available";
  s.live_containers = {"a", "b"};
  s.updated = -5;
  return s;
}

// What the tree (ParseJson + from_json) makes of `text`, as JSON; null when it fails.
nlohmann::json ByTree(const std::string& text) {
  try {
    return nlohmann::json(nlohmann::json::parse(text).get<PodStatus>());
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

// A running container's id is its container_id without the scheme (its job's name); an ended
// container, or one without an id, has none.
// Both nodes' status before the supervisor writes one (agent::InitialStatus). The Windows node
// used to show the app containers in ContainerCreating behind init containers, where kubelet
// (and the Linux node) shows PodInitializing.
TEST(PodStatus, InitialStatusIsEveryContainerWaiting) {
  nlohmann::json pod = nlohmann::json::parse(R"({"spec": {
      "initContainers": [{"name": "setup", "image": "busybox"}],
      "containers": [{"name": "app", "image": "agent:1"}, {"name": "side", "image": "s"}]}})");
  PodStatus s = InitialStatus(pod);
  EXPECT_EQ(s.phase, "Pending");
  EXPECT_FALSE(s.initialized);
  ASSERT_EQ(s.init_containers.size(), 1u);
  EXPECT_EQ(s.init_containers[0].name, "setup");
  EXPECT_EQ(s.init_containers[0].state.reason, "PodInitializing");
  ASSERT_EQ(s.containers.size(), 2u);
  EXPECT_EQ(s.containers[0].image, "agent:1");
  EXPECT_EQ(s.containers[0].state.reason, "PodInitializing");
  EXPECT_EQ(s.containers[1].state.reason, "PodInitializing");

  pod["spec"].erase("initContainers");
  s = InitialStatus(pod);
  EXPECT_TRUE(s.initialized);
  EXPECT_TRUE(s.init_containers.empty());
  ASSERT_EQ(s.containers.size(), 2u);
  EXPECT_EQ(s.containers[1].name, "side");
  EXPECT_EQ(s.containers[1].state.reason, "ContainerCreating");
}

TEST(PodStatus, InitialStatusOfADamagedPodHasNoContainers) {
  for (const char* text :
       {"null", "[]", "{\"spec\": 3}", "{\"spec\": {\"containers\": {\"a\": 1}}}"}) {
    PodStatus s = InitialStatus(nlohmann::json::parse(text));
    EXPECT_TRUE(s.containers.empty()) << text;
    EXPECT_TRUE(s.initialized) << text;
  }
  PodStatus s = InitialStatus(nlohmann::json::parse(R"({"spec": {"containers": [7]}})"));
  ASSERT_EQ(s.containers.size(), 1u);  // counted, nameless
  EXPECT_EQ(s.containers[0].name, "");
}

TEST(PodStatus, RunningContainerId) {
  ContainerStatus c = Running("main", true);
  c.container_id = "hostprocess://0123abcd";
  EXPECT_EQ(RunningContainerId(c), std::optional<std::string>("0123abcd"));
  c.container_id = "0123abcd";
  EXPECT_EQ(RunningContainerId(c), std::nullopt);
  c.container_id = "";
  EXPECT_EQ(RunningContainerId(c), std::nullopt);
  ContainerStatus ended = Terminated("main", 0, "Completed");
  ended.container_id = "hostprocess://0123abcd";
  EXPECT_EQ(RunningContainerId(ended), std::nullopt);
}

TEST(DecodePodStatus, ReadsEveryMemberAsTheTreeDoes) {
  const std::string text = nlohmann::json(FullStatus()).dump(1);
  PodStatus typed;
  ASSERT_TRUE(DecodePodStatus(text, typed));
  // A member the typed reader forgot would be left at its default here.
  EXPECT_EQ(nlohmann::json(typed).dump(), nlohmann::json(FullStatus()).dump());
  EXPECT_EQ(nlohmann::json(typed).dump(), ByTree(text).dump());
  // And a default status, members missing altogether, unknown members.
  for (const std::string& t :
       {std::string(R"({})"), nlohmann::json(PodStatus()).dump(),
        std::string(R"({"future": {"x": [1, 2.5, null]}, "phase": "Failed"})")}) {
    SCOPED_TRACE(t);
    PodStatus s;
    ASSERT_TRUE(DecodePodStatus(t, s));
    EXPECT_EQ(nlohmann::json(s).dump(), ByTree(t).dump());
  }
}

TEST(DecodePodStatus, LeavesEveryOtherShapeToTheTree) {
  // Each is valid JSON the tree reads its own way (null keeps the default, the last duplicate
  // wins, numbers convert, a non-object is all defaults) or refuses: the typed reader declines.
  for (const char* t :
       {R"({"phase": null})", R"({"phase": "A", "phase": "B"})", R"({"startTime": 1.5})",
        R"({"supervisorPid": 4294967296})", R"({"supervisorStart": -1})", R"({"ready": 1})",
        R"({"containers": [{"state": {"kind": "running"}, "state": {"reason": "x"}}]})",
        R"({"containers": {}})", R"([])", R"("status")", R"({"phase": "A"} x)", R"({)",
        R"({"containers": [{"lastState": null}]})"}) {
    SCOPED_TRACE(t);
    PodStatus s;
    EXPECT_FALSE(DecodePodStatus(t, s));
  }
}

TEST(DecodePodStatus, AgreesWithTheTreeOnMutatedStatus) {
  const std::string text = nlohmann::json(FullStatus()).dump(1);
  std::mt19937 rng(1205);
  const std::string alphabet = "{}[]\":,\\ \n0123456789-.etrufalsn";
  int taken = 0;
  for (int i = 0; i < 3000; i++) {
    std::string t = hp::testing::Mutate(text, rng, alphabet, 2);
    PodStatus s;
    if (!DecodePodStatus(t, s)) continue;
    taken++;
    nlohmann::json tree = ByTree(t);
    ASSERT_FALSE(tree.is_null()) << "typed took what the tree refuses: " << t;
    ASSERT_EQ(nlohmann::json(s).dump(), tree.dump()) << t;
  }
  EXPECT_GT(taken, 300);  // most edits inside strings and numbers keep the shape: checked
}

// ReadPodStatus reads through the typed reader or the tree with the same result, and names the
// file when neither can.
TEST(ReadPodStatus, SameStatusEitherWayAndNamesADamagedFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/status.json";
  ASSERT_TRUE(WritePodStatus(path, FullStatus()));
  auto typed = ReadPodStatus(path);
  ASSERT_TRUE(typed) << typed.error().ToString();
  EXPECT_EQ(nlohmann::json(*typed).dump(), nlohmann::json(FullStatus()).dump());
  // The same with a member null: the tree's reading (the default kept).
  nlohmann::json j = FullStatus();
  j["hostIP"] = nullptr;
  ASSERT_TRUE(sys::WriteFile(path, j.dump()));
  auto tree = ReadPodStatus(path);
  ASSERT_TRUE(tree) << tree.error().ToString();
  EXPECT_EQ(tree->host_ip, "");
  EXPECT_EQ(tree->pod_uid, "uid");
  ASSERT_TRUE(sys::WriteFile(path, "{\"phase\": "));
  auto bad = ReadPodStatus(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().ToString().find(path), std::string::npos) << bad.error().ToString();
}

// A row's read (events = false) is the whole status but its events, whichever reader reads it;
// the events are skipped, not taken as the shape's end.
TEST(ReadPodStatus, WithoutEventsIsTheStatusButItsEvents) {
  testing::TempDir dir;
  std::string path = dir.path() + "/status.json";
  PodStatus want = FullStatus();
  ASSERT_FALSE(want.events.empty());
  want.events.clear();
  nlohmann::json full = FullStatus();
  nlohmann::json tree_only = full;
  tree_only["hostIP"] = nullptr;  // declined by the typed reader: read by the tree
  for (const nlohmann::json& j : {full, tree_only}) {
    SCOPED_TRACE(j.dump());
    ASSERT_TRUE(sys::WriteFile(path, j.dump(1)));
    auto row = ReadPodStatus(path, /*events=*/false);
    ASSERT_TRUE(row) << row.error().ToString();
    EXPECT_TRUE(row->events.empty());
    nlohmann::json expected = want;
    if (j.contains("hostIP") && j["hostIP"].is_null()) expected["hostIP"] = "";
    EXPECT_EQ(nlohmann::json(*row).dump(), expected.dump());
    auto whole = ReadPodStatus(path);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->events.size(), FullStatus().events.size());
  }
  PodStatus typed;
  ASSERT_TRUE(DecodePodStatus(full.dump(), typed, /*events=*/false));
  EXPECT_TRUE(typed.events.empty());
  EXPECT_EQ(typed.supervisor_boot, FullStatus().supervisor_boot);  // read past the events
  // A damaged events member is still refused: skipped, not unread, and of the shape the whole
  // read takes.
  for (const char* t : {R"({"events": [{"type": }], "phase": "Running"})",
                        R"({"events": 5, "phase": "Running"})", R"({"events": [3]})"}) {
    SCOPED_TRACE(t);
    PodStatus whole;
    EXPECT_FALSE(DecodePodStatus(t, whole));
    EXPECT_FALSE(DecodePodStatus(t, typed, /*events=*/false));
  }
}

TEST(ProcessIdentity, PidAndStartTime) {
  uint64_t start = ProcessStartTime(::getpid());
  EXPECT_GT(start, 0u);
  EXPECT_TRUE(ProcessAlive(::getpid(), start));
  EXPECT_FALSE(ProcessAlive(::getpid(), start + 1));  // a reused pid is another process
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int st = 0;
  ASSERT_EQ(::waitpid(child, &st, 0), child);
  EXPECT_FALSE(ProcessAlive(child, 0));
  EXPECT_EQ(ProcessStartTime(-1), 0u);
}

}  // namespace
}  // namespace hp::agent

#include "core/agent/agent.h"

namespace hp::agent {
namespace {

TEST(ResourceKind, KubectlNamesAndAliases) {
  EXPECT_EQ(ResourceKind("po"), "pods");
  EXPECT_EQ(ResourceKind("Pod"), "pods");
  EXPECT_EQ(ResourceKind("ds"), "daemonsets");
  EXPECT_EQ(ResourceKind("daemonset.apps"), "daemonsets");
  EXPECT_EQ(ResourceKind("DaemonSet"), "daemonsets");
  EXPECT_EQ(ResourceKind("cm"), "configmaps");
  EXPECT_EQ(ResourceKind("sa"), "serviceaccounts");
  EXPECT_EQ(ResourceKind("deployments"), "");
}

}  // namespace
}  // namespace hp::agent
