// The API server's size limits (limits.h, issue 13 item 8): an object is measured as the JSON
// kubectl would send; one larger than the request body limit is refused before validation
// (413), one larger than etcd stores after validation and admission (500).
#include "core/k8s/limits.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/k8s/admission.h"
#include "core/k8s/decode.h"

namespace hp::k8s {
namespace {

// A Pod whose command is `n` words `a` on one line: 3 bytes of YAML, 4 of JSON each.
std::string PodWithWords(size_t n, bool with_image) {
  std::string words;
  words.reserve(n * 3);
  for (size_t i = 0; i < n; i++) words += i ? ", a" : "a";
  return std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n") +
         "  - name: c\n" + (with_image ? "    image: busybox\n" : "") + "    command: [" + words +
         "]\n";
}

TEST(Limits, JsonSizeIsTheLengthOfTheJsonText) {
  const char* text =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: \"1\", b: 'it''s'}\n"
      "  annotations:\n    note: \"tab\\there \\\"quoted\\\" back\\\\slash \\u0001 é\"\n"
      "spec:\n  terminationGracePeriodSeconds: 30\n  hostNetwork: true\n"
      "  nodeSelector: ~\n  containers:\n  - name: c\n    image: busybox\n"
      "    args: ['1.5', \"-2\", '007', \"\"]\n    env: []\n"
      "    resources: {limits: {cpu: 0.5, memory: 1e3}, requests: {cpu: 100m}}\n"
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata: {}\n";
  auto plain = DecodeString(text, "x.yaml");
  auto raw = DecodeString(text, "x.yaml", {.keep_raw = true});
  ASSERT_TRUE(plain) << plain.error().ToString();
  ASSERT_TRUE(raw) << raw.error().ToString();
  ASSERT_EQ(plain->objects.size(), 2u);
  for (size_t i = 0; i < 2; i++) {
    EXPECT_GT(raw->objects[i].raw_json.size(), 20u);
    EXPECT_EQ(plain->objects[i].json_size, raw->objects[i].raw_json.size())
        << raw->objects[i].raw_json;
  }
}

TEST(Limits, LargerThanTheRequestBodyIsRefusedBeforeValidation) {
  // 2.5 MiB of YAML (an input may be 3 MiB), 3.3 MiB as JSON; no image, which validation would
  // refuse: the API server never gets that far.
  auto d = DecodeString(PodWithWords(870000, false), "-");
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_GT(d->objects[0].json_size, kMaxRequestBodyBytes);
  auto v = Admit(d->objects, {});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].outcome, Verdict::Outcome::kTooLarge);
  EXPECT_TRUE(v[0].errors.empty());
  EXPECT_EQ(KubectlText(v[0]),
            "Error from server (RequestEntityTooLarge): error when creating \"STDIN\": Request "
            "entity too large: limit is 3145728");
  auto j = nlohmann::json::parse(VerdictJson(v[0]));
  EXPECT_EQ(j["status"]["code"], 413);
  EXPECT_EQ(j["status"]["reason"], "RequestEntityTooLarge");
  EXPECT_EQ(j["status"]["message"], "Request entity too large: limit is 3145728");
}

TEST(Limits, LargerThanEtcdStoresIsRefusedAfterValidation) {
  auto valid = DecodeString(PodWithWords(450000, true), "big.yaml");  // 1.7 MiB of JSON
  ASSERT_TRUE(valid) << valid.error().ToString();
  size_t size = valid->objects[0].json_size;
  ASSERT_GT(size, kEtcdMaxRequestBytes);
  ASSERT_LE(size, kMaxRequestBodyBytes);
  auto v = Admit(valid->objects, {});
  EXPECT_EQ(v[0].outcome, Verdict::Outcome::kTooLarge);
  EXPECT_EQ(KubectlText(v[0]),
            "Error from server: error when creating \"big.yaml\": etcdserver: request is too "
            "large");
  // Validation comes first: an invalid object of that size is invalid.
  auto invalid = DecodeString(PodWithWords(450000, false), "big.yaml");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(Admit(invalid->objects, {})[0].outcome, Verdict::Outcome::kInvalid);
  // One word less than etcd's limit is stored.
  size_t words = 450000 - (size - kEtcdMaxRequestBytes + 3) / 4;
  auto fits = DecodeString(PodWithWords(words, true), "big.yaml");
  ASSERT_TRUE(fits);
  EXPECT_LE(fits->objects[0].json_size, kEtcdMaxRequestBytes);
  EXPECT_TRUE(Admit(fits->objects, {})[0].allowed());
}

}  // namespace
}  // namespace hp::k8s
