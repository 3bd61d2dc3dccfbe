// Updates of a Pod as the API server takes them (ValidatePodUpdate): what may change, the
// Forbidden message, defaults and server-set fields that are no change.
#include "core/k8s/pod_update.h"

#include <gtest/gtest.h>

#include "core/k8s/defaults_json.h"

namespace hp::k8s {
namespace {

using nlohmann::json;

json BasePod() {
  return json::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default",
    "labels":{"app":"a"}},"spec":{"hostNetwork":true,"terminationGracePeriodSeconds":2,
    "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}],
    "containers":[{"name":"c","image":"busybox:1","command":["sleep","3600"]}]}})");
}

std::string Errors(const field::ErrorList& errs) {
  std::string out;
  for (const auto& e : errs) out += e.ToString() + "\n";
  return out;
}

constexpr const char* kForbidden =
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)";

TEST(PodUpdateTest, WhatTheApiServerAccepts) {
  json old = BasePod();
  json n = old;
  n["spec"]["containers"][0]["image"] = "busybox:2";
  n["metadata"]["labels"]["tier"] = "x";
  n["metadata"]["annotations"] = {{"note", "y"}};
  n["spec"]["activeDeadlineSeconds"] = 100;
  n["spec"]["tolerations"].push_back({{"key", "k2"}, {"operator", "Exists"}});
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)), "");
  EXPECT_EQ(ImmutablePart(old), ImmutablePart(n));
  // The defaults are no change, spelled out or not.
  json d = old;
  DefaultPodJson(d);
  EXPECT_EQ(d["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(d["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(Errors(ValidatePodUpdate(old, d)), "");
  EXPECT_EQ(ImmutablePart(old), ImmutablePart(d));
}

TEST(PodUpdateTest, ImmutableFieldsAreForbiddenWithTheApiServersMessage) {
  json old = BasePod();
  json n = old;
  n["spec"]["terminationGracePeriodSeconds"] = 5;
  field::ErrorList errs = ValidatePodUpdate(old, n);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(
      errs[0].ToString(),
      std::string(kForbidden) +
          "\n  - spec.terminationGracePeriodSeconds: 2\n  + spec.terminationGracePeriodSeconds: 5");
  EXPECT_EQ(field::KubectlInvalid("Pod", "p", errs)
                .rfind(std::string("The Pod \"p\" is invalid: ") + kForbidden, 0),
            0u);
  EXPECT_NE(ImmutablePart(old), ImmutablePart(n));

  n = old;
  n["spec"]["containers"][0]["command"] = {"sleep", "1"};
  errs = ValidatePodUpdate(old, n);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].ToString().find("- spec.containers[0].command[1]: \"3600\"\n  + "
                                    "spec.containers[0].command[1]: \"1\""),
            std::string::npos)
      << errs[0].ToString();

  // From a negative grace period to 1 is allowed.
  old["spec"]["terminationGracePeriodSeconds"] = -1;
  n = old;
  n["spec"]["terminationGracePeriodSeconds"] = 1;
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)), "");
}

TEST(PodUpdateTest, ActiveDeadlineSecondsMaySetOrLowerOnly) {
  json old = BasePod();
  old["spec"]["activeDeadlineSeconds"] = 100;
  json n = old;
  n["spec"]["activeDeadlineSeconds"] = 50;
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)), "");
  n["spec"]["activeDeadlineSeconds"] = 200;
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)),
            "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to "
            "previous value\n");
  n["spec"].erase("activeDeadlineSeconds");
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)),
            "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive "
            "integer to nil value\n");
}

TEST(PodUpdateTest, TolerationsMayOnlyBeAdded) {
  json old = BasePod();
  json n = old;
  n["spec"]["tolerations"] = json::array();
  EXPECT_EQ(Errors(ValidatePodUpdate(old, n)),
            "spec.tolerations: Forbidden: existing toleration can not be modified except its "
            "tolerationSeconds\n");
}

TEST(PodUpdateTest, ServerSetFieldsOfGetOutputAreStripped) {
  json stored = BasePod();
  json got = stored;
  got["metadata"]["uid"] = "u";
  got["metadata"]["resourceVersion"] = "7";
  got["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  got["metadata"]["generation"] = 1;
  got["spec"]["nodeName"] = "node1";
  got["status"] = {{"phase", "Running"}};
  StripServerSetFields(got, stored, "node1");
  EXPECT_EQ(got, stored);
  // A nodeName the user wrote is theirs.
  json bound = BasePod();
  bound["spec"]["nodeName"] = "node1";
  json again = bound;
  StripServerSetFields(again, bound, "node1");
  EXPECT_EQ(again["spec"]["nodeName"], "node1");
}

TEST(DefaultsJsonTest, DaemonSetPodsAndTemplates) {
  json pod = BasePod();
  DefaultPodJson(pod);
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["serviceAccountName"], "default");
  EXPECT_EQ(spec["serviceAccount"], "default");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 2);  // set: kept
  ASSERT_EQ(spec["tolerations"].size(), 3u);            // + DefaultTolerationSeconds' two
  EXPECT_EQ(spec["tolerations"][1],
            json::parse(R"({"effect":"NoExecute","key":"node.kubernetes.io/not-ready",
              "operator":"Exists","tolerationSeconds":300})"));
  EXPECT_EQ(spec["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  json latest = BasePod();
  latest["spec"]["containers"][0]["image"] = "busybox";
  latest["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}}};
  latest["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "1"}}}};
  DefaultPodJson(latest);
  const json& c = latest["spec"]["containers"][0];
  EXPECT_EQ(c["imagePullPolicy"], "Always");
  EXPECT_EQ(c["ports"][0], json::parse(R"({"containerPort":80,"hostPort":80,"protocol":"TCP"})"));
  EXPECT_EQ(c["resources"]["requests"]["cpu"], "1");
  json ds =
      json::parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i:1"}]}}}})");
  DefaultDaemonSetJson(ds);
  EXPECT_EQ(
      ds["spec"]["updateStrategy"],
      json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":1}})"));
  EXPECT_EQ(ds["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(ds["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_FALSE(ds["spec"]["template"]["spec"].contains("serviceAccountName"));
}

}  // namespace
}  // namespace hp::k8s
