// status.qosClass: the cases of Kubernetes' TestComputePodQOS
// (pkg/apis/core/v1/helper/qos/qos_test.go) as data, plus the API default that turns a
// limits-only container into a Guaranteed one. The pod-level `resources` cases are left out:
// pod-level resources (alpha/beta PodLevelResources) are not decoded.
#include "core/k8s/qos.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/k8s/decode.h"
#include "core/k8s/defaults.h"

namespace hp::k8s {
namespace {

// One container: requests and limits of cpu and memory ("" = absent), and an extra resource.
struct C {
  const char *req_cpu, *req_mem, *lim_cpu, *lim_mem;
  const char* extra = "";  // "name: value" added to both requests and limits
};

std::string List(const char* cpu, const char* mem, const char* extra) {
  std::string out;
  if (*cpu) out += std::string("        cpu: \"") + cpu + "\"\n";
  if (*mem) out += std::string("        memory: \"") + mem + "\"\n";
  if (*extra) out += std::string("        ") + extra + "\n";
  return out;
}

std::string Containers(const char* key, const std::vector<C>& cs) {
  if (cs.empty()) return "";
  std::string out = std::string("  ") + key + ":\n";
  int i = 0;
  for (const C& c : cs) {
    out += "  - name: c" + std::to_string(i++) + "\n    image: i\n    resources:\n";
    std::string req = List(c.req_cpu, c.req_mem, c.extra);
    std::string lim = List(c.lim_cpu, c.lim_mem, c.extra);
    if (!req.empty()) out += "      requests:\n" + req;
    if (!lim.empty()) out += "      limits:\n" + lim;
  }
  return out;
}

PodSpec Spec(const std::vector<C>& containers, const std::vector<C>& init = {}) {
  std::string doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" +
                    Containers("containers", containers) + Containers("initContainers", init);
  auto d = DecodeString(doc, "qos.yaml");
  EXPECT_TRUE(d) << (d ? "" : d.error().ToString()) << doc;
  if (!d || d->objects.empty()) return {};
  return d->objects[0].pod()->spec;
}

struct QosCase {
  const char* name;
  std::vector<C> containers;
  std::vector<C> init;
  const char* expected;
};

TEST(QoSTest, KubernetesComputePodQOSCases) {
  const QosCase cases[] = {
      {"guaranteed", {{"100m", "100Mi", "100m", "100Mi"}}, {}, kQOSGuaranteed},
      {"guaranteed-guaranteed",
       {{"100m", "100Mi", "100m", "100Mi"}, {"100m", "100Mi", "100m", "100Mi"}},
       {},
       kQOSGuaranteed},
      {"best-effort-best-effort", {{"", "", "", ""}, {"", "", "", ""}}, {}, kQOSBestEffort},
      {"best-effort", {{"", "", "", ""}}, {}, kQOSBestEffort},
      {"best-effort-burstable", {{"", "", "", ""}, {"1", "", "2", ""}}, {}, kQOSBurstable},
      {"best-effort-guaranteed",
       {{"", "", "", ""}, {"10m", "100Mi", "10m", "100Mi"}},
       {},
       kQOSBurstable},
      {"burstable-cpu-guaranteed-memory", {{"", "100Mi", "", "100Mi"}}, {}, kQOSBurstable},
      {"burstable-no-limits", {{"100m", "100Mi", "", ""}}, {}, kQOSBurstable},
      {"burstable-guaranteed",
       {{"1", "100Mi", "2", "100Mi"}, {"100m", "100Mi", "100m", "100Mi"}},
       {},
       kQOSBurstable},
      {"burstable-unbounded-but-requests-match-limits",
       {{"100m", "100Mi", "200m", "200Mi"}, {"100m", "100Mi", "", ""}},
       {},
       kQOSBurstable},
      {"burstable-1", {{"10m", "100Mi", "100m", "200Mi"}}, {}, kQOSBurstable},
      {"burstable-2", {{"0", "0", "100m", "200Mi"}}, {}, kQOSBurstable},
      {"best-effort-hugepages", {{"0", "0", "0", "0", "hugepages-2Mi: 1Gi"}}, {}, kQOSBestEffort},
      {"init-container", {{"", "", "", ""}}, {{"10m", "100Mi", "100m", "200Mi"}}, kQOSBurstable},
  };
  for (const QosCase& c : cases) {
    EXPECT_EQ(ComputePodQOS(Spec(c.containers, c.init)), c.expected) << c.name;
  }
}

TEST(QoSTest, LimitsOnlyAreGuaranteedOnceTheApiDefaultsRequests) {
  PodSpec spec = Spec({{"", "", "500m", "128Mi"}});
  EXPECT_EQ(ComputePodQOS(spec), kQOSBurstable);  // as given: no requests
  DefaultRequestsFromLimits(spec);
  ASSERT_EQ(spec.containers[0].resources.requests.size(), 2u);
  EXPECT_EQ(ComputePodQOS(spec), kQOSGuaranteed);
  // An explicit request stays.
  PodSpec burst = Spec({{"100m", "", "500m", "128Mi"}});
  DefaultRequestsFromLimits(burst);
  EXPECT_EQ(ComputePodQOS(burst), kQOSBurstable);
}

TEST(QoSTest, EqualQuantitiesWrittenDifferentlyAreEqual) {
  EXPECT_EQ(ComputePodQOS(Spec({{"0.5", "1Gi", "500m", "1073741824"}})), kQOSGuaranteed);
}

}  // namespace
}  // namespace hp::k8s
