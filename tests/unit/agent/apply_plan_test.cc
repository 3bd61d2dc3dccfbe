// agent::PlanApply, CheckPodNames and WantedPods (apply_plan.h): what an apply stores and the
// pods the stored objects make, decided once for the Linux and the Windows node.
#include "core/agent/apply_plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "core/agent/naming.h"
#include "core/k8s/decode.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

using nlohmann::json;

constexpr const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: busybox:1.36
    command: [sleep, "100"]
)";

constexpr const char* kDaemonSet = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: busybox}]
)";

std::vector<k8s::Object> Decode(const std::string& yaml) {
  k8s::DecodeOptions options;
  options.keep_raw = true;
  auto d = k8s::DecodeString(yaml, "test.yaml", options);
  EXPECT_TRUE(d) << d.error().ToString();
  return d ? std::move(d->objects) : std::vector<k8s::Object>{};
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class ApplyPlanTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  // Plans and stores an apply of `yaml`, as the nodes do; its lines, or its error.
  Result<std::vector<std::string>> Apply(const std::string& yaml) {
    std::vector<k8s::Object> objects = Decode(yaml);
    TRY(CheckPodNames(desired_, objects));
    ASSIGN_OR_RETURN(std::vector<ApplyStep> steps, PlanApply(desired_, objects, "n1", &warnings_));
    std::vector<std::string> lines;
    for (const ApplyStep& s : steps) {
      if (!s.write.record.is_null()) TRY(desired_.PutDesired(s.kind->dir, s.key, s.write.record));
      lines.push_back(s.Line());
    }
    return lines;
  }
  json Stored(const std::string& kind, const std::string& key) {
    auto got = desired_.GetDesired(kind, key);
    EXPECT_TRUE(got && *got);
    return got && *got ? **got : json();
  }
  hp::testing::TempDir tmp_{"agent-apply-plan-"};
  DesiredObjects desired_{tmp_.path()};
  std::vector<std::string> warnings_;
};

using Lines = std::vector<std::string>;

TEST_F(ApplyPlanTest, CreatedUnchangedConfiguredWithTheNamespaceFilledIn) {
  auto r = Apply(kPod);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web created"});
  json stored = Stored("pods", "default_web");
  EXPECT_EQ(stored["object"]["metadata"]["namespace"], "default");
  EXPECT_EQ(stored["object"]["metadata"]["generation"], 1);
  r = Apply(kPod);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web unchanged"});
  // A label: what an update may change.
  r = Apply(Replace(kPod, "app: web", "app: web, tier: node"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web configured"});
  EXPECT_EQ(Stored("pods", "default_web")["object"]["metadata"]["labels"]["tier"], "node");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ApplyPlanTest, APodUpdateTheServerRefusesStoresNothingOfTheApply) {
  ASSERT_TRUE(Apply(kPod));
  json before = Stored("pods", "default_web");
  // With a ConfigMap before it in the same apply: one refusal stores nothing.
  std::string changed =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\n" +
      Replace(kPod, "terminationGracePeriodSeconds: 2", "terminationGracePeriodSeconds: 5");
  auto r = Apply(changed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString().rfind(
                "The Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields "
                "other than `spec.containers[*].image`",
                0),
            0u)
      << r.error().ToString();
  EXPECT_EQ(Stored("pods", "default_web"), before);
  auto cm = desired_.GetDesired("configmaps", "default_cm");
  ASSERT_TRUE(cm);
  EXPECT_FALSE(*cm);
}

TEST_F(ApplyPlanTest, ServerSetFieldsAndDefaultsAreNoChange) {
  ASSERT_TRUE(Apply(kPod));
  // What `get -o yaml` shows besides the user's: uid, status, the node it was bound to, and the
  // defaults written out.
  std::string got = Replace(kPod, "  labels: {app: web}\n",
                            "  labels: {app: web}\n  uid: 3f0c\n  resourceVersion: \"7\"\n");
  got = Replace(got, "  hostNetwork: true\n", "  hostNetwork: true\n  nodeName: n1\n");
  got = Replace(got, "    image: busybox:1.36\n",
                "    image: busybox:1.36\n    imagePullPolicy: IfNotPresent\n");
  got += "status: {phase: Running}\n";
  auto r = Apply(got);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web unchanged"});
}

TEST_F(ApplyPlanTest, AFirstApplyStoresNoServerSetFields) {
  // `get -o yaml` of another node applied here, or `create --dry-run -o yaml`'s `status: {}`:
  // what the server sets is not stored, even with nothing stored before.
  std::string got = Replace(kPod, "  labels: {app: web}\n",
                            "  labels: {app: web}\n  uid: 3f0c\n  resourceVersion: \"7\"\n"
                            "  generation: 4\n  creationTimestamp: \"2026-01-01T00:00:00Z\"\n");
  got += "status: {phase: Running}\n";
  auto r = Apply(got);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web created"});
  json object = Stored("pods", "default_web")["object"];
  EXPECT_FALSE(object.contains("status")) << object.dump();
  for (const char* field : {"uid", "creationTimestamp"})
    EXPECT_FALSE(object["metadata"].contains(field)) << field;
  EXPECT_EQ(object["metadata"]["generation"], 1);  // the store's own, not the manifest's
  EXPECT_NE(object["metadata"]["resourceVersion"], "7");
}

TEST_F(ApplyPlanTest, ADamagedStoredObjectIsReplacedAndNamed) {
  ASSERT_TRUE(sys::MkdirAll(desired_.DesiredDir() + "/pods"));
  ASSERT_TRUE(sys::WriteFile(desired_.DesiredPath("pods", "default_web"), "{\"object\": "));
  auto r = Apply(kPod);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, Lines{"pod/web created"});
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("default_web.json"), std::string::npos) << warnings_[0];
  EXPECT_NE(warnings_[0].find(": replaced"), std::string::npos) << warnings_[0];
}

TEST_F(ApplyPlanTest, APodNamedAsADaemonSetsPodIsRefusedNamingBoth) {
  ASSERT_TRUE(Apply(kDaemonSet));
  json ds = Stored("daemonsets", "kube-system_agent")["object"];
  std::string pod_name = DaemonPodName("kube-system", "agent", DaemonSetRevision(ds));
  std::string pod = Replace(Replace(kPod, "name: web", "name: " + pod_name), "metadata:\n",
                            "metadata:\n  namespace: kube-system\n");
  auto r = Apply(pod);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), "pod \"" + pod_name +
                                      "\" and daemonset.apps \"agent\" would both run the pod \"" +
                                      pod_name + "\" (namespace \"kube-system\"): rename the Pod");
}

TEST_F(ApplyPlanTest, WantedPodsDaemonSetsThenPodsWithTheNodesFields) {
  ASSERT_TRUE(Apply(std::string(kDaemonSet) + "---\n" + kPod +
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n"));
  // The node's own field beside the stored objects (the Windows node's volumeRoot).
  for (const char* kind_key : {"daemonsets/kube-system_agent", "pods/default_web"}) {
    std::string s(kind_key);
    std::string kind = s.substr(0, s.find('/')), key = s.substr(s.find('/') + 1);
    json record = Stored(kind, key);
    record["volumeRoot"] = "D:\\" + key;
    ASSERT_TRUE(desired_.PutDesired(kind, key, record));
  }
  Node node;
  node.name = "n1";
  node.SetLabel("kubernetes.io/os", "linux");
  auto views = ListDaemonSetViews(desired_, node);
  ASSERT_TRUE(views);
  std::vector<DesiredObjects::Unreadable> bad;
  auto wanted = WantedPods(
      desired_, views->daemonsets,
      [](PodRecord& r, const json& fields) {
        r.job_root.clear();
        r.volume_root = fields.value("volumeRoot", "");
      },
      &bad);
  ASSERT_TRUE(wanted) << wanted.error().ToString();
  EXPECT_TRUE(bad.empty());
  ASSERT_EQ(wanted->size(), 2u);
  const auto& [ds_key, ds_pod] = (*wanted)[0];
  EXPECT_EQ(ds_pod.owner_kind, "DaemonSet");
  EXPECT_EQ(ds_pod.owner_name, "agent");
  EXPECT_EQ(ds_key, ObjectKey("kube-system", ds_pod.pod["metadata"].value("name", "")));
  EXPECT_EQ(ds_pod.volume_root, "D:\\kube-system_agent");
  EXPECT_TRUE(ds_pod.objects.empty());  // no object in its namespace
  const auto& [pod_key, bare] = (*wanted)[1];
  EXPECT_EQ(pod_key, "default_web");
  EXPECT_EQ(bare.owner_kind, "");
  EXPECT_EQ(bare.volume_root, "D:\\default_web");
  EXPECT_EQ(bare.job_root, "");
  ASSERT_EQ(bare.objects.size(), 1u);
  EXPECT_EQ(bare.objects[0]["metadata"]["name"], "cm");
  EXPECT_EQ(bare.revision, BarePodRevision(bare.pod));
  EXPECT_EQ(nlohmann::json(bare).dump().find("cgroupRoot"), std::string::npos);
}

TEST_F(ApplyPlanTest, ABarePodsRevisionIsWhatAnUpdateMayNotChange) {
  std::vector<k8s::Object> objects = Decode(kPod);
  ASSERT_EQ(objects.size(), 1u);
  json pod = json::parse(objects[0].raw_json);
  std::string revision = BarePodRevision(pod);
  json labelled = pod;
  labelled["metadata"]["labels"]["tier"] = "node";
  labelled["metadata"]["resourceVersion"] = "9";
  labelled["spec"]["containers"][0]["image"] = "busybox:1.37";
  EXPECT_EQ(BarePodRevision(labelled), revision);
  json other = pod;
  other["spec"]["containers"][0]["command"] = {"sleep", "5"};
  EXPECT_NE(BarePodRevision(other), revision);
}

}  // namespace
}  // namespace hp::agent
