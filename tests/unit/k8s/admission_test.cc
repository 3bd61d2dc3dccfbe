// Admission rendering of bytes that are not UTF-8 (found by tests/fuzz/decode): manifests and
// file names are bytes, and `validate -o json` must still print JSON, as the API server's Go
// encoding/json does (invalid bytes become U+FFFD), instead of throwing from nlohmann::json.
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

}  // namespace
}  // namespace hp::k8s
