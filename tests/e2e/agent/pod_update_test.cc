// kubectl parity of a Pod's life as the API server and kubelet see it (issue 19 items 2-5):
// status.qosClass, updates (refused with the API server's message, accepted in place: same uid,
// the container restarted for a new image), generation/resourceVersion/imageID and the API's
// defaults in -o json|yaml, and images missing from the node's store.
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

std::string Resources(const std::string& body) { return "    resources:\n" + body; }

TEST_F(AgentE2E, QosClassIsComputedAsKubernetes) {
  ASSERT_EQ(Apply(PodYaml("guaranteed", "sleep 3600", "Always",
                          Resources("      limits:\n        cpu: 100m\n        memory: 64Mi\n")))
                .rc,
            0);
  ASSERT_EQ(Apply(PodYaml("burstable", "sleep 3600", "Always",
                          Resources("      requests:\n        memory: 16Mi\n")))
                .rc,
            0);
  ASSERT_EQ(Apply(PodYaml("besteffort", "sleep 3600")).rc, 0);
  EXPECT_EQ(PodJson("guaranteed")["status"]["qosClass"], "Guaranteed");
  EXPECT_EQ(PodJson("burstable")["status"]["qosClass"], "Burstable");
  EXPECT_EQ(PodJson("besteffort")["status"]["qosClass"], "BestEffort");
  EXPECT_NE(Hp("describe pod guaranteed").out.find("QoS Class:                   Guaranteed\n"),
            std::string::npos);
  EXPECT_EQ(Hp("delete pod guaranteed burstable besteffort").rc, 0);
}

TEST_F(AgentE2E, PodUpdatesAsTheApiServerTakesThem) {
  const std::string yaml = PodYaml("upd", "sleep 3600");
  ASSERT_EQ(Apply(yaml).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("upd") == "Running"; }, 10000));
  nlohmann::json before = PodJson("upd");
  std::string uid = before["metadata"]["uid"];

  // An immutable field: refused with the API server's words, nothing changes.
  std::string grace = yaml;
  grace.replace(grace.find("terminationGracePeriodSeconds: 2"), 32,
                "terminationGracePeriodSeconds: 5");
  CliResult r = Apply(grace);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("The Pod \"upd\" is invalid: spec: Forbidden: pod updates may not change "
                        "fields other than `spec.containers[*].image`,`spec.initContainers[*]."
                        "image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                        "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
                        "to be set to 1 if it was previously negative)\n",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("- spec.terminationGracePeriodSeconds: 2"), std::string::npos) << r.err;
  EXPECT_EQ(PodJson("upd")["metadata"]["uid"], uid);

  // Its own `get -o yaml`: server-set fields and defaults are no change.
  std::string got = Hp("get pod upd -o yaml").out;
  r = Apply(got);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "pod/upd unchanged\n");
  r = Apply(yaml);
  EXPECT_EQ(r.out, "pod/upd unchanged\n");

  // Labels: in place, same uid, same generation (not the spec).
  std::string labelled = yaml;
  labelled.replace(labelled.find("  name: upd\n"), 12, "  name: upd\n  labels:\n    tier: x\n");
  r = Apply(labelled);
  EXPECT_EQ(r.out, "pod/upd configured\n") << r.err;
  nlohmann::json after = PodJson("upd");
  EXPECT_EQ(after["metadata"]["uid"], uid);
  EXPECT_EQ(after["metadata"]["labels"]["tier"], "x");
  EXPECT_EQ(after["metadata"]["generation"], 1);
  EXPECT_EQ(after["status"]["containerStatuses"][0]["restartCount"], 0);

  // A new image: the container is restarted with it, as kubelet does; the pod stays.
  std::string empty = root_ + "/empty-rootfs";
  ASSERT_TRUE(sys::MkdirAll(empty, 0755));
  CliResult imp = Hp("import '" + empty + "' hostprocess.local/empty:1");
  ASSERT_EQ(imp.rc, 0) << imp.err;
  std::string reimaged = labelled;
  reimaged.replace(reimaged.find("hostprocess.local/busybox:latest"), 32,
                   "hostprocess.local/empty:1");
  r = Apply(reimaged);
  EXPECT_EQ(r.out, "pod/upd configured\n") << r.err;
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json j = PodJson("upd");
        return !j.is_null() && j["status"]["containerStatuses"][0]["restartCount"] == 1 &&
               j["status"]["containerStatuses"][0]["state"].contains("running");
      },
      15000))
      << Hp("describe pod upd").out;
  after = PodJson("upd");
  EXPECT_EQ(after["metadata"]["uid"], uid);
  EXPECT_EQ(after["metadata"]["generation"], 2);
  EXPECT_EQ(after["status"]["containerStatuses"][0]["image"], "hostprocess.local/empty:1");
  EXPECT_NE(Hp("describe pod upd").out.find("Container c definition changed, will be restarted"),
            std::string::npos);
  EXPECT_EQ(Hp("delete pod upd").rc, 0);
}

TEST_F(AgentE2E, ApiFieldsAndDefaultsInJsonAndYaml) {
  ASSERT_EQ(Apply(PodYaml("api", "sleep 3600")).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("api") == "Running"; }, 10000));
  nlohmann::json j = PodJson("api");
  EXPECT_EQ(j["metadata"]["generation"], 1);
  EXPECT_FALSE(j["metadata"].value("resourceVersion", "").empty());
  EXPECT_EQ(j["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(j["spec"]["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(j["spec"]["serviceAccountName"], "default");
  EXPECT_EQ(j["spec"]["containers"][0]["imagePullPolicy"], "Always");  // :latest
  std::string image_id = j["status"]["containerStatuses"][0].value("imageID", "");
  EXPECT_EQ(image_id.rfind("hostprocess.local/busybox@sha256:", 0), 0u) << image_id;
  std::string yaml = Hp("get pod api -o yaml").out;
  EXPECT_NE(yaml.find("  creationTimestamp: \"20"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    startedAt: \"20"), std::string::npos) << yaml;
  EXPECT_EQ(Hp("delete pod api").rc, 0);

  // A DaemonSet: generation and observedGeneration follow template changes; its pod has the
  // controller's tolerations.
  std::string ds = ReadOr(std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset-linux.yaml");
  ASSERT_EQ(Apply(ds).rc, 0);
  CliResult g = Hp("get ds privileged-daemonset -n kube-system -o json");
  nlohmann::json d = nlohmann::json::parse(g.out, nullptr, false);
  EXPECT_EQ(d["metadata"]["generation"], 1);
  EXPECT_EQ(d["status"]["observedGeneration"], 1);
  EXPECT_EQ(d["spec"]["updateStrategy"]["type"], "RollingUpdate");
  std::string pod = Hp("get pods -n kube-system -o name").out;
  ASSERT_EQ(pod.rfind("pod/", 0), 0u);
  pod = pod.substr(4, pod.find('\n') - 4);
  nlohmann::json p = PodJson(pod, "kube-system");
  bool not_ready = false;
  for (const auto& t : p["spec"]["tolerations"])
    not_ready |= t.value("key", "") == "node.kubernetes.io/not-ready" &&
                 t.value("operator", "") == "Exists" && !t.contains("tolerationSeconds");
  EXPECT_TRUE(not_ready) << p["spec"]["tolerations"].dump();
  std::string changed = ds;
  size_t at = changed.find("      containers:");
  ASSERT_NE(at, std::string::npos);
  changed.insert(at, "      dnsPolicy: Default\n");
  ASSERT_EQ(Apply(changed).rc, 0);
  d = nlohmann::json::parse(Hp("get ds privileged-daemonset -n kube-system -o json").out, nullptr,
                            false);
  EXPECT_EQ(d["metadata"]["generation"], 2);
  EXPECT_EQ(d["status"]["observedGeneration"], 2);
  EXPECT_EQ(Hp("delete ds privileged-daemonset -n kube-system").rc, 0);
}

TEST_F(AgentE2E, MissingImageIsErrImagePullWithAHint) {
  std::string yaml = PodYaml("noimg", "sleep 3600");
  yaml.replace(yaml.find("hostprocess.local/busybox:latest"), 32, "hostprocess.local/missing:1");
  CliResult r = Apply(yaml);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find("Warning: pod/noimg: image \"hostprocess.local/missing:1\" of container "
                       "\"c\" is not in this node's image store"),
            std::string::npos)
      << r.err;
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("noimg") == "ErrImagePull"; }, 10000))
      << Hp("describe pod noimg").out;
  CliResult d = Hp("describe pod noimg");
  EXPECT_NE(d.out.find("Pulling image \"hostprocess.local/missing:1\""), std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("Failed to pull image \"hostprocess.local/missing:1\": "),
            std::string::npos);
  EXPECT_NE(d.out.find("Error: ErrImagePull"), std::string::npos);
  EXPECT_NE(d.out.find("hostprocess pull hostprocess.local/missing:1"), std::string::npos);

  std::string never = PodYaml("never", "sleep 3600", "Always", "    imagePullPolicy: Never\n");
  never.replace(never.find("hostprocess.local/busybox:latest"), 32, "hostprocess.local/missing:1");
  ASSERT_EQ(Apply(never).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("never") == "ErrImageNeverPull"; }, 10000))
      << Hp("describe pod never").out;
  nlohmann::json j = PodJson("never");
  EXPECT_EQ(j["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "ErrImageNeverPull");
  EXPECT_NE(Hp("describe pod never")
                .out.find("Container image \"hostprocess.local/missing:1\" is not present with "
                          "pull policy of Never"),
            std::string::npos);
  EXPECT_EQ(Hp("delete pod noimg never").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
