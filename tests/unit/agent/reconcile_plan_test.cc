#include "core/agent/reconcile_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hp::agent {
namespace {

using Keys = std::vector<std::string>;

StoredPod Daemon(const std::string& key, const std::string& ds, const std::string& revision) {
  StoredPod p;
  p.key = key;
  p.readable = true;
  p.ns = "kube-system";
  p.owner_kind = "DaemonSet";
  p.owner_name = ds;
  p.revision = revision;
  return p;
}

StoredPod Bare(const std::string& key, const std::string& revision) {
  StoredPod p;
  p.key = key;
  p.readable = true;
  p.ns = "default";
  p.revision = revision;
  return p;
}

Keys RemovedKeys(const ReconcilePlan& plan) {
  Keys out;
  for (const auto& r : plan.remove) out.push_back(r.key);
  return out;
}

TEST(ReconcilePlanTest, WantedAtItsRevisionIsKeptAndWhatIsMissingIsCreated) {
  ReconcileInput in;
  in.wanted = {{"kube-system_agent-abcde", "r1"}, {"default_web", "p1"}, {"default_new", "p2"}};
  in.stored = {Daemon("kube-system_agent-abcde", "agent", "r1"), Bare("default_web", "p1")};
  in.applied_daemonsets = {"kube-system_agent"};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(plan.keep, (Keys{"kube-system_agent-abcde", "default_web"}));
  EXPECT_EQ(plan.create, (Keys{"default_new"}));
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_TRUE(plan.restart.empty());
  EXPECT_TRUE(plan.left.empty());
}

TEST(ReconcilePlanTest, AnOlderRevisionIsReplacedWithTheControllersEvent) {
  ReconcileInput in;
  in.wanted = {{"kube-system_agent-fghij", "r2"}};
  in.stored = {Daemon("kube-system_agent-abcde", "agent", "r1")};
  in.applied_daemonsets = {"kube-system_agent"};
  ReconcilePlan plan = PlanReconcile(in);
  ASSERT_EQ(plan.remove.size(), 1u);
  EXPECT_EQ(plan.remove[0].key, "kube-system_agent-abcde");
  EXPECT_EQ(plan.remove[0].event_daemonset, "kube-system_agent");
  EXPECT_EQ(plan.create, (Keys{"kube-system_agent-fghij"}));
}

TEST(ReconcilePlanTest, TheSameKeyAtAnotherRevisionIsRemovedAndMadeAgain) {
  // A bare pod whose immutable part changed (Linux: its revision).
  ReconcileInput in;
  in.wanted = {{"default_web", "p2"}};
  in.stored = {Bare("default_web", "p1")};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(RemovedKeys(plan), (Keys{"default_web"}));
  EXPECT_EQ(plan.remove[0].event_daemonset, "");  // no controller owns it
  EXPECT_EQ(plan.create, (Keys{"default_web"}));
}

TEST(ReconcilePlanTest, ADeletedDaemonSetsPodGoesWithoutAnEvent) {
  ReconcileInput in;
  in.stored = {Daemon("kube-system_agent-abcde", "agent", "r1")};
  ReconcilePlan plan = PlanReconcile(in);
  ASSERT_EQ(RemovedKeys(plan), (Keys{"kube-system_agent-abcde"}));
  EXPECT_EQ(plan.remove[0].event_daemonset, "");
  EXPECT_TRUE(plan.create.empty());
}

TEST(ReconcilePlanTest, APodThatNoLongerFitsIsRemovedWithTheEvent) {
  // Its DaemonSet is applied and readable, but makes no pod on this node.
  ReconcileInput in;
  in.stored = {Daemon("kube-system_agent-abcde", "agent", "r1")};
  in.applied_daemonsets = {"kube-system_agent"};
  ReconcilePlan plan = PlanReconcile(in);
  ASSERT_EQ(plan.remove.size(), 1u);
  EXPECT_EQ(plan.remove[0].event_daemonset, "kube-system_agent");
}

TEST(ReconcilePlanTest, APodWhoseObjectCannotBeReadIsLeftAsItIs) {
  ReconcileInput in;
  StoredPod lost = Daemon("kube-system_agent-abcde", "agent", "r1");
  lost.restart = true;  // left means left: not restarted either
  in.stored = {lost, Bare("default_web", "p1")};
  in.unreadable_daemonsets = {"kube-system_agent"};
  in.unreadable_pods = {"default_web"};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(plan.left, (Keys{"kube-system_agent-abcde", "default_web"}));
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_TRUE(plan.restart.empty());
  EXPECT_TRUE(plan.create.empty());
}

TEST(ReconcilePlanTest, AnUnreadableObjectOfAnotherKindDoesNotProtectThePod) {
  // A damaged applied Pod named like a DaemonSet does not keep that DaemonSet's pods.
  ReconcileInput in;
  in.stored = {Daemon("kube-system_agent-abcde", "agent", "r1")};
  in.unreadable_pods = {"kube-system_agent"};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(RemovedKeys(plan), (Keys{"kube-system_agent-abcde"}));
}

TEST(ReconcilePlanTest, ARecordThatCannotBeReadIsRemovedAndTheWantedPodMadeAgain) {
  StoredPod damaged;
  damaged.key = "kube-system_agent-abcde";  // readable = false: nothing else is known
  ReconcileInput in;
  in.wanted = {{"kube-system_agent-abcde", "r1"}};
  in.stored = {damaged};
  in.applied_daemonsets = {"kube-system_agent"};
  // Even with its DaemonSet unreadable: the record names no owner to leave it for.
  in.unreadable_daemonsets = {"kube-system_agent"};
  ReconcilePlan plan = PlanReconcile(in);
  ASSERT_EQ(RemovedKeys(plan), (Keys{"kube-system_agent-abcde"}));
  EXPECT_EQ(plan.remove[0].event_daemonset, "");  // whose pod it was is not known
  EXPECT_EQ(plan.create, (Keys{"kube-system_agent-abcde"}));
  EXPECT_TRUE(plan.left.empty());
}

TEST(ReconcilePlanTest, ADeadSupervisorsPodIsRestartedNotMadeAgain) {
  ReconcileInput in;
  StoredPod p = Bare("default_web", "p1");
  p.restart = true;
  in.wanted = {{"default_web", "p1"}};
  in.stored = {p};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(plan.restart, (Keys{"default_web"}));
  EXPECT_TRUE(plan.keep.empty());
  EXPECT_TRUE(plan.create.empty());
}

TEST(ReconcilePlanTest, AKeyWantedTwiceIsCreatedOnce) {
  ReconcileInput in;
  in.wanted = {{"default_web", "p1"}, {"default_web", "p1"}};
  ReconcilePlan plan = PlanReconcile(in);
  EXPECT_EQ(plan.create, (Keys{"default_web"}));
}

}  // namespace
}  // namespace hp::agent
