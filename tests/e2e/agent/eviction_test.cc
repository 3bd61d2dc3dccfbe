// A disk-backed emptyDir that outgrows its sizeLimit gets the pod evicted, as kubelet does:
// phase Failed, reason Evicted, kubelet's message, a Warning event, the containers stopped.
#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

TEST_F(AgentE2E, EmptyDirOverItsSizeLimitEvictsThePod) {
  std::string yaml = PodYaml("fill", "dd if=/dev/zero of=e/big bs=1M count=20; sleep 100", "Always",
                             "    volumeMounts: [{name: e, mountPath: e}]\n",
                             "  volumes: [{name: e, emptyDir: {sizeLimit: 5Mi}}]\n");
  CliResult r = Apply(yaml);
  ASSERT_EQ(r.rc, 0) << r.err;
  // Checked every 10 s (kubelet's eviction monitoring period).
  ASSERT_TRUE(
      WaitFor([&] { return PodJson("fill")["status"].value("reason", "") == "Evicted"; }, 25000))
      << Hp("describe pod fill").out;
  nlohmann::json j = PodJson("fill");
  EXPECT_EQ(j["status"]["phase"], "Failed");
  EXPECT_EQ(j["status"]["message"], "Usage of EmptyDir volume \"e\" exceeds the limit \"5Mi\". ");
  std::string describe = Hp("describe pod fill").out;
  EXPECT_NE(describe.find("Evicted"), std::string::npos) << describe;
  EXPECT_NE(describe.find("Usage of EmptyDir volume \"e\" exceeds the limit"), std::string::npos)
      << describe;
  EXPECT_EQ(Hp("delete pod fill").rc, 0);
}

TEST_F(AgentE2E, EmptyDirWithinItsSizeLimitKeepsRunning) {
  std::string yaml = PodYaml("fits", "dd if=/dev/zero of=e/small bs=1M count=1; sleep 100",
                             "Always", "    volumeMounts: [{name: e, mountPath: e}]\n",
                             "  volumes: [{name: e, emptyDir: {sizeLimit: 5Mi}}]\n");
  ASSERT_EQ(Apply(yaml).rc, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusColumnOf("fits") == "Running"; }, 10000));
  std::this_thread::sleep_for(std::chrono::milliseconds(11000));  // one eviction check later
  EXPECT_EQ(StatusColumnOf("fits"), "Running") << Hp("describe pod fits").out;
  EXPECT_EQ(Hp("delete pod fits").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
