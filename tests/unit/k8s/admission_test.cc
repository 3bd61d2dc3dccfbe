// Admission rendering of bytes that are not UTF-8 (found by tests/fuzz/decode): file names are
// bytes, and `validate -o json` must still print JSON, as the API server's Go encoding/json does
// (invalid bytes become U+FFFD), instead of throwing from nlohmann::json. And large inputs,
// which are admitted on every core: the verdicts are those of one object at a time.
#include "core/k8s/admission.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/k8s/decode.h"

namespace hp::k8s {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

std::vector<Verdict> AdmitText(const Decoded& d) { return Admit(d.objects, AdmissionOptions{}); }

TEST(AdmissionJson, InvalidUtf8InTheFileNameIsReplacedNotThrown) {
  auto d = DecodeString(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n"
      "spec: {containers: [{name: c, image: busybox}]}\n",
      "caf\xe9.yaml");
  ASSERT_TRUE(d) << d.error().ToString();
  auto verdicts = AdmitText(*d);
  ASSERT_EQ(verdicts.size(), 1u);
  ASSERT_TRUE(verdicts[0].allowed());
  std::string text;
  ASSERT_NO_THROW(text = VerdictJson(verdicts[0]));
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["source"], std::string("caf") + kReplacement + ".yaml:1");
  EXPECT_TRUE(j["status"].is_null());
}

TEST(Admission, ManyObjectsGetTheVerdictsEachGetsAlone) {
  // A baseline namespace first; then pods in it and in "default", every third invalid, every
  // other HostProcess (forbidden at baseline), so all three outcomes are spread over the slices.
  std::string text =
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: strict\n  labels:\n"
      "    pod-security.kubernetes.io/enforce: baseline\n";
  for (int i = 0; i < 3000; i++) {
    text += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p" + std::to_string(i) +
            (i % 4 == 0 ? "" : ", namespace: strict") + "}\nspec:\n";
    if (i % 2 == 0)
      text +=
          "  hostNetwork: true\n  securityContext: {windowsOptions: {hostProcess: true, "
          "runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"}}\n";
    text += std::string("  containers: [{name: c, image: ") + (i % 3 == 0 ? "\"\"" : "busybox") +
            "}]\n";
  }
  auto d = DecodeString(text, "t.yaml");
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->objects.size(), 3001u);
  auto all = AdmitText(*d);
  ASSERT_EQ(all.size(), 3001u);
  int outcomes[3] = {0, 0, 0};
  for (size_t i = 1; i < all.size(); i++) {
    std::vector<Object> alone = {d->objects[0], d->objects[i]};  // with its Namespace
    auto one = Admit(alone, AdmissionOptions{});
    ASSERT_EQ(all[i].object, &d->objects[i]);
    EXPECT_EQ(static_cast<int>(all[i].outcome), static_cast<int>(one[1].outcome)) << i;
    EXPECT_EQ(KubectlText(all[i]), KubectlText(one[1])) << i;
    outcomes[static_cast<int>(all[i].outcome)]++;
  }
  EXPECT_GT(outcomes[0], 0);
  EXPECT_GT(outcomes[1], 0);
  EXPECT_GT(outcomes[2], 0);
}

}  // namespace
}  // namespace hp::k8s
