// agent::ReconcileNode (reconciler.h), the reconciler both nodes run, over a backend that
// records what it is asked to do: what is created, removed, updated in place and restarted,
// where each pod is placed, and the DaemonSet controller's events.
#include "core/agent/reconciler.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/objects.h"
#include "common/temp_dir.h"
#include "core/agent/apply_plan.h"
#include "core/agent/daemonset_events.h"
#include "core/agent/naming.h"

namespace hp::agent {
namespace {

using nlohmann::json;

json Pod(const std::string& name, int host_port = 0) {
  json c = {{"name", "c"}, {"image", "busybox"}};
  if (host_port) c["ports"] = {{{"containerPort", host_port}, {"hostPort", host_port}}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", name}}}}},
          {"spec", {{"hostNetwork", true}, {"containers", {c}}}}};
}

json Ds(const std::string& name) {
  return hp::testing::DaemonSetJson(
      name, {{"hostNetwork", true}, {"containers", {{{"name", "c"}, {"image", "b"}}}}});
}

class FakeNode : public NodeBackend {
 public:
  explicit FakeNode(const DesiredObjects& desired, const Node& node)
      : desired_(desired), node_(node) {}
  Result<std::vector<DaemonSetView>> DaemonSets(std::set<std::string>& unreadable) override {
    ASSIGN_OR_RETURN(DaemonSetListing l, ListDaemonSetViews(desired_, node_));
    for (const UnreadableDaemonSet& u : l.unreadable) unreadable.insert(u.key);
    return std::move(l.daemonsets);
  }
  void FinishRecord(PodRecord& r, const json& fields) override {
    r.job_root.clear();
    r.volume_root = fields.value("volumeRoot", "");
  }
  void NoteUnreadable(const DesiredObjects::Unreadable& u) override { noted.push_back(u.key); }
  Result<std::vector<HeldPod>> HeldPods() override { return held; }
  Status UpdateInPlace(const std::string& key, const PodRecord& r) override {
    updated[key] = r;
    return Ok();
  }
  Status RemovePods(const std::vector<std::string>& keys) override {
    removed.insert(removed.end(), keys.begin(), keys.end());
    return remove_error.empty() ? Ok() : Err(ErrorCode::kInternal, "{}", remove_error);
  }
  Status Restart(const HeldPod& pod, const Placement& p) override {
    restarted[pod.key] = p.kind;
    return Ok();
  }
  Status Create(const std::string& key, const PodRecord& r, const Placement& p) override {
    created[key] = {r, p.kind};
    return create_error.empty() ? Ok() : Err(ErrorCode::kInternal, "{}", create_error);
  }
  void Finish(const std::vector<HeldPod>& h) override { finished_with = h.size(); }
  void Warn(const std::string& m) override { warnings.push_back(m); }

  // A held pod made as the reconciler would make it from what is stored now.
  void Hold(const std::string& key, PodRecord r, bool restart = false) {
    r.pod["metadata"]["uid"] = "uid-" + key;
    HeldPod h;
    h.key = key;
    h.record = std::move(r);
    h.restart = restart;
    h.status.phase = "Running";
    held.push_back(std::move(h));
  }

  std::vector<HeldPod> held;
  std::string remove_error, create_error;
  std::vector<std::string> noted, removed, warnings;
  std::map<std::string, PodRecord> updated;
  std::map<std::string, Placement::Kind> restarted;
  std::map<std::string, std::pair<PodRecord, Placement::Kind>> created;
  size_t finished_with = 0;

 private:
  const DesiredObjects& desired_;
  const Node& node_;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    node_.name = "n1";
    node_.SetLabel("kubernetes.io/os", "linux");
  }
  void Store(const std::string& kind, const json& object, json fields = json::object()) {
    fields["object"] = object;
    fields["created"] = 1;
    ASSERT_TRUE(desired_.PutDesired(
        kind, ObjectKey(NamespaceOf(object), object["metadata"].value("name", "")), fields));
  }
  // The records the stored objects make now, by key.
  std::map<std::string, PodRecord> Wanted() {
    FakeNode fake(desired_, node_);
    std::set<std::string> bad;
    auto ds = fake.DaemonSets(bad);
    EXPECT_TRUE(ds);
    auto w = WantedPods(
        desired_, *ds, [&](PodRecord& r, const json& f) { fake.FinishRecord(r, f); }, nullptr);
    EXPECT_TRUE(w);
    return {w->begin(), w->end()};
  }
  std::vector<Event> Events(const std::string& ds_key) {
    return DaemonSetEvents(tmp_.path()).Read(ds_key);
  }
  hp::testing::TempDir tmp_{"agent-reconciler-"};
  DesiredObjects desired_{tmp_.path()};
  Node node_;
};

TEST_F(ReconcilerTest, CreatesWhatIsWantedWithTheNodesFieldsAndTheControllersEvent) {
  Store("daemonsets", Ds("agent"), {{"volumeRoot", "D:\\v"}});
  Store("pods", Pod("web"));
  FakeNode fake(desired_, node_);
  ReconcileReport report;
  ASSERT_TRUE(ReconcileNode(desired_, node_, fake, &report));
  ASSERT_EQ(fake.created.size(), 2u);
  ASSERT_EQ(report.created.size(), 2u);
  const std::string ds_pod = report.created[0];
  EXPECT_EQ(report.created[1], "default_web");
  EXPECT_EQ(fake.created[ds_pod].first.volume_root, "D:\\v");
  EXPECT_EQ(fake.created[ds_pod].second, Placement::kPlaced);
  EXPECT_EQ(fake.created["default_web"].first.revision,
            BarePodRevision(AppliedObject(*desired_.GetDesired("pods", "default_web").value())));
  auto events = Events("kube-system_agent");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "SuccessfulCreate");
  EXPECT_EQ(events[0].message, "Created pod: " + SplitObjectKey(ds_pod).name);
  EXPECT_TRUE(fake.removed.empty());
  EXPECT_EQ(fake.finished_with, 0u);
}

TEST_F(ReconcilerTest, RemovesAnOldRevisionWithItsEventAndUpdatesInPlaceKeepingTheUid) {
  Store("daemonsets", Ds("agent"));
  Store("pods", Pod("web"));
  std::map<std::string, PodRecord> wanted = Wanted();
  FakeNode fake(desired_, node_);
  // The DaemonSet's pod of an older revision; the Pod at its revision with an older label.
  PodRecord old_ds;
  for (const auto& [key, r] : wanted)
    if (r.owner_kind == "DaemonSet") old_ds = r;
  ASSERT_EQ(old_ds.owner_name, "agent");
  old_ds.revision = "0ld";
  fake.Hold(ObjectKey("kube-system", "agent-0ld00"), old_ds);
  PodRecord web = wanted.at("default_web");
  web.pod["metadata"]["labels"]["app"] = "older";
  fake.Hold("default_web", web);
  ReconcileReport report;
  ASSERT_TRUE(ReconcileNode(desired_, node_, fake, &report));
  EXPECT_EQ(fake.removed, std::vector<std::string>{"kube-system_agent-0ld00"});
  EXPECT_EQ(report.removed, fake.removed);
  auto events = Events("kube-system_agent");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reason, "SuccessfulDelete");
  EXPECT_EQ(events[0].message, "Deleted pod: agent-0ld00");
  EXPECT_EQ(events[1].reason, "SuccessfulCreate");
  ASSERT_EQ(fake.updated.count("default_web"), 1u);
  EXPECT_EQ(fake.updated["default_web"].pod["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(fake.updated["default_web"].pod["metadata"]["uid"], "uid-default_web");
  EXPECT_EQ(fake.created.count("default_web"), 0u);
  EXPECT_EQ(fake.finished_with, 2u);
}

TEST_F(ReconcilerTest, PlacesAgainstTheHostPortsOfThePodsKept) {
  Store("pods", Pod("first", 8080));
  Store("pods", Pod("second", 8080));
  Store("pods", Pod("third", 9090));
  std::map<std::string, PodRecord> wanted = Wanted();
  FakeNode fake(desired_, node_);
  fake.Hold("default_first", wanted.at("default_first"));
  // `third` lost its supervisor: re-adopted, placed (its port is free).
  fake.Hold("default_third", wanted.at("default_third"), /*restart=*/true);
  ASSERT_TRUE(ReconcileNode(desired_, node_, fake));
  ASSERT_EQ(fake.created.count("default_second"), 1u);
  EXPECT_EQ(fake.created["default_second"].second, Placement::kUnschedulable);
  EXPECT_EQ(fake.restarted["default_third"], Placement::kPlaced);
}

TEST_F(ReconcilerTest, GoesOnPastFailuresAndJoinsThem) {
  Store("pods", Pod("web"));
  FakeNode fake(desired_, node_);
  HeldPod unreadable;  // its record cannot be read, not wanted: removed
  unreadable.key = "default_gone";
  fake.held.push_back(unreadable);
  fake.remove_error = "cannot remove \"default_gone\"";
  fake.create_error = "cannot create \"default_web\"";
  Status s = ReconcileNode(desired_, node_, fake);
  ASSERT_FALSE(s);
  EXPECT_EQ(fake.removed, std::vector<std::string>{"default_gone"});
  EXPECT_EQ(fake.created.count("default_web"), 1u);  // tried after the failed removal
  EXPECT_NE(s.error().ToString().find("cannot remove \"default_gone\""), std::string::npos);
  EXPECT_NE(s.error().ToString().find("\ncannot create \"default_web\""), std::string::npos)
      << s.error().ToString();
}

}  // namespace
}  // namespace hp::agent
