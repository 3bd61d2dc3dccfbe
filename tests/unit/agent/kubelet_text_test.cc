#include "core/agent/kubelet_text.h"

#include <gtest/gtest.h>

namespace hp::agent {
namespace {

// Go's time.Duration.String() for the back-off delays kubelet prints (10s .. 5m0s) and the
// forms around them.
TEST(KubeletText, GoDurationAsGoPrintsIt) {
  EXPECT_EQ(GoDuration(0), "0s");
  EXPECT_EQ(GoDuration(10'000), "10s");
  EXPECT_EQ(GoDuration(1'500), "1.5s");
  EXPECT_EQ(GoDuration(1'250), "1.25s");
  EXPECT_EQ(GoDuration(59'999), "59.999s");
  EXPECT_EQ(GoDuration(60'000), "1m0s");
  EXPECT_EQ(GoDuration(80'000), "1m20s");
  EXPECT_EQ(GoDuration(300'000), "5m0s");
  EXPECT_EQ(GoDuration(3'600'000), "1h0m0s");
  EXPECT_EQ(GoDuration(3'723'500), "1h2m3.5s");
}

TEST(KubeletText, PodReferencesAsKubeletFormatsThem) {
  k8s::ObjectMeta m;
  m.name = "web";
  m.uid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
  EXPECT_EQ(PodRef(m), "web_default(0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9)");  // no namespace
  m.namespace_ = "kube-system";
  EXPECT_EQ(PodRef(m), "web_kube-system(0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9)");
  EXPECT_EQ(ScheduledMessage(m, "node-1"), "Successfully assigned kube-system/web to node-1");
  EXPECT_EQ(CrashLoopBackOffMessage(80'000, "main", m),
            "back-off 1m20s restarting failed container=main pod=web_kube-system("
            "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9)");
  EXPECT_EQ(BackOffMessage("main", m),
            "Back-off restarting failed container main in pod web_kube-system("
            "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9)");
  EXPECT_EQ(ImagePresentMessage("busybox:1.36"),
            "Container image \"busybox:1.36\" already present on machine");
  EXPECT_EQ(CreatedMessage("main"), "Created container main");
  EXPECT_EQ(StartedMessage("main"), "Started container main");
  EXPECT_EQ(StoppingMessage("main"), "Stopping container main");
}

}  // namespace
}  // namespace hp::agent
