// The status file round trip, event aggregation and
// process identity.
#include "core/agent/status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/container_status.h"
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
