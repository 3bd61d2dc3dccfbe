// agent::ProbeWorker, the probe decisions the Windows pod supervisor takes (the Linux
// supervisor's rules): the startup probe gates the others, liveness failures up to the
// threshold ask for a restart with kubelet's events, readiness follows its probe.
#include "core/agent/probe_worker.h"

#include <gtest/gtest.h>

namespace hp::agent {
namespace {

k8s::Probe Every(int period, int failures = 3) {
  k8s::Probe p;
  p.period_seconds = period;
  p.failure_threshold = failures;
  return p;
}

TEST(ProbeWorker, NoProbesIsStartedAndReady) {
  k8s::Container c;
  c.name = "c";
  ProbeWorker w(c, 0);
  EXPECT_FALSE(w.HasProbes());
  EXPECT_TRUE(w.started());
  EXPECT_TRUE(w.ready());
  EXPECT_EQ(w.NextMs(), INT64_MAX);
}

TEST(ProbeWorker, ReadinessFollowsItsProbe) {
  k8s::Container c;
  c.name = "c";
  c.readiness_probe = Every(1);
  c.readiness_probe->initial_delay_seconds = 2;
  ProbeWorker w(c, 1000);
  EXPECT_FALSE(w.ready());
  EXPECT_EQ(w.NextMs(), 3000);
  int runs = 0;
  bool ok = false;
  auto run = [&](const k8s::Probe&) {
    ++runs;
    return ok ? ProbeOutcome{true, ""} : ProbeOutcome{false, "dial tcp 1.2.3.4:80: refused"};
  };
  ProbeStep s = w.Tick(2000, run);  // not due yet
  EXPECT_EQ(runs, 0);
  s = w.Tick(3000, run);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(s.changed);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].type, "Warning");
  EXPECT_EQ(s.events[0].reason, "Unhealthy");
  EXPECT_EQ(s.events[0].message, "Readiness probe failed: dial tcp 1.2.3.4:80: refused");
  EXPECT_EQ(w.NextMs(), 4000);
  ok = true;
  s = w.Tick(4000, run);
  EXPECT_TRUE(s.changed);
  EXPECT_TRUE(w.ready());
  EXPECT_TRUE(s.events.empty());
  EXPECT_EQ(s.restart, nullptr);  // readiness never restarts
  ok = false;
  for (int t = 5000; t <= 7000; t += 1000) s = w.Tick(t, run);
  EXPECT_FALSE(w.ready());  // three failures in a row
  EXPECT_EQ(s.restart, nullptr);
}

TEST(ProbeWorker, LivenessRestartsAtItsThreshold) {
  k8s::Container c;
  c.name = "main";
  c.liveness_probe = Every(1, 2);
  ProbeWorker w(c, 0);
  EXPECT_TRUE(w.ready());
  auto fail = [](const k8s::Probe&) { return ProbeOutcome{false, "command 'x' exited with 1"}; };
  ProbeStep s = w.Tick(0, fail);
  EXPECT_EQ(s.restart, nullptr);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].message, "Liveness probe failed: command 'x' exited with 1");
  s = w.Tick(1000, fail);
  ASSERT_EQ(s.restart, &*c.liveness_probe);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].type, "Normal");
  EXPECT_EQ(s.events[1].reason, "Killing");
  EXPECT_EQ(s.events[1].message, "Container main failed liveness probe, will be restarted");
}

TEST(ProbeWorker, StartupGatesTheOthers) {
  k8s::Container c;
  c.name = "c";
  c.startup_probe = Every(1, 2);
  c.liveness_probe = Every(1, 1);
  c.readiness_probe = Every(1);
  ProbeWorker w(c, 0);
  EXPECT_FALSE(w.started());
  EXPECT_FALSE(w.ready());
  std::vector<const k8s::Probe*> ran;
  bool startup_ok = false;
  auto run = [&](const k8s::Probe& p) {
    ran.push_back(&p);
    if (&p == &*c.startup_probe) return ProbeOutcome{startup_ok, "no"};
    return ProbeOutcome{true, ""};
  };
  ProbeStep s = w.Tick(0, run);
  ASSERT_EQ(ran.size(), 1u);  // only the startup probe
  EXPECT_EQ(ran[0], &*c.startup_probe);
  startup_ok = true;
  ran.clear();
  s = w.Tick(1000, run);
  EXPECT_TRUE(w.started());
  EXPECT_TRUE(w.ready());
  EXPECT_TRUE(s.changed);
  EXPECT_EQ(ran.size(), 3u);  // startup, then liveness and readiness in the same tick

  ProbeWorker failing(c, 0);
  startup_ok = false;
  failing.Tick(0, run);
  s = failing.Tick(1000, run);
  ASSERT_EQ(s.restart, &*c.startup_probe);
  EXPECT_EQ(s.events.back().message, "Container c failed startup probe, will be restarted");
}

}  // namespace
}  // namespace hp::agent
