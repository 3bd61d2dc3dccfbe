#include "core/k8s/quantity.h"

#include <gtest/gtest.h>

namespace hp::k8s {
namespace {

struct QuantityCase {
  const char* in;
  const char* canonical;
  int64_t milli;
};

TEST(Quantity, ParsesAndCanonicalizesLikeKubernetes) {
  const QuantityCase cases[] = {
      {"100m", "100m", 100},
      {"1.5", "1500m", 1500},
      {"1", "1", 1000},
      {"0", "0", 0},
      {"128Mi", "128Mi", 134217728000},
      {"1G", "1G", 1000000000000},
      {"1e3", "1e3", 1000000},
      {"1000", "1k", 1000000},
      {"0.5Ki", "512", 512000},
      {"1024Mi", "1Gi", 1073741824000},
      {"1536Mi", "1536Mi", 1610612736000},
      {"-1", "-1", -1000},
      {".5", "500m", 500},
      {"1n", "1n", 1},
      {"0.1n", "1n", 1},
      {"1.5Gi", "1536Mi", 1610612736000},
      {"2000m", "2", 2000},
      {"+1", "+1", 1000},
      {"1E", "1E", INT64_MAX},
      {"1.", "1.", 1000},
      {"00100m", "00100m", 100},
      {"12e-3", "12e-3", 12},
      {"0.5", "500m", 500},
      {"1500", "1500", 1500000},
  };
  for (const QuantityCase& c : cases) {
    auto q = ParseQuantity(c.in);
    ASSERT_TRUE(q.has_value()) << c.in << ": " << q.error().ToString();
    EXPECT_EQ(q->String(), c.canonical) << c.in;
    EXPECT_EQ(q->MilliValue(), c.milli) << c.in;
    EXPECT_EQ(q->original, c.in);
  }
}

TEST(Quantity, ErrorsAreKubernetesMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"", kQuantityErrFormatWrong},      {"1x", kQuantityErrFormatWrong},
      {"1Mb", kQuantityErrFormatWrong},   {"abc", kQuantityErrFormatWrong},
      {"1mm", kQuantityErrSuffix},        {"1e", kQuantityErrSuffix},
      {"1Gb", kQuantityErrFormatWrong},   {".", kQuantityErrNumeric},
      {"1.2.3", kQuantityErrFormatWrong},
  };
  for (const auto& [in, msg] : cases) {
    auto q = ParseQuantity(in);
    ASSERT_FALSE(q.has_value()) << in;
    EXPECT_EQ(q.error().message(), msg) << in;
  }
  EXPECT_STREQ(kQuantityErrFormatWrong,
               "quantities must match the regular expression "
               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST(Quantity, Compare) {
  EXPECT_LT(ParseQuantity("500m")->Cmp(*ParseQuantity("1")), 0);
  EXPECT_EQ(ParseQuantity("1Ki")->Cmp(*ParseQuantity("1024")), 0);
  EXPECT_GT(ParseQuantity("1G")->Cmp(*ParseQuantity("1Mi")), 0);
  EXPECT_EQ(ParseQuantity("1.5Gi")->Value(), 1610612736);
}

}  // namespace
}  // namespace hp::k8s
