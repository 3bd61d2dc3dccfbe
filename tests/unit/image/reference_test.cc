#include "core/image/reference.h"

#include <gtest/gtest.h>

namespace hp::image {
namespace {

std::string Norm(std::string_view s) {
  auto r = ParseReference(s);
  return r ? r->String() : "error: " + r.error().ToString();
}

TEST(Reference, NormalisesLikeDocker) {
  EXPECT_EQ(Norm("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Norm("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(Norm("user/app"), "docker.io/user/app:latest");
  EXPECT_EQ(Norm("index.docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Norm("ghcr.io/a/b/c:v1"), "ghcr.io/a/b/c:v1");
  EXPECT_EQ(Norm("localhost/x"), "localhost/x:latest");
  EXPECT_EQ(Norm("127.0.0.1:5000/x:y"), "127.0.0.1:5000/x:y");
  EXPECT_EQ(Norm("hostprocess.local/busybox:latest"), "hostprocess.local/busybox:latest");
  std::string d = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(Norm("busybox@" + d), "docker.io/library/busybox@" + d);
  EXPECT_EQ(Norm("busybox:1@" + d), "docker.io/library/busybox:1@" + d);
}

TEST(Reference, RegistryHost) {
  EXPECT_EQ(ParseReference("busybox")->RegistryHost(), "registry-1.docker.io");
  EXPECT_EQ(ParseReference("127.0.0.1:5000/x")->RegistryHost(), "127.0.0.1:5000");
}

TEST(Reference, RejectsInvalid) {
  for (const char* bad : {"", "UPPER", "a:b:c", "x@sha256:abc", "bad//path", "x:-tag", "a/b/"}) {
    auto r = ParseReference(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Reference, RejectsRegistryHostsThatAreNotHosts) {
  for (const char* bad : {"../x", "host:1:2/x", "a..b/x", ".a/x", "host:/x", "host:99999/x",
                          "-a.b/x", "[::1/x", "[::1]:/x", "host:12a/x"}) {
    auto r = ParseReference(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(Norm("[::1]:5000/x"), "[::1]:5000/x:latest");
  EXPECT_EQ(Norm("My-Registry.example:443/x"), "My-Registry.example:443/x:latest");
}

TEST(Reference, DigestValidation) {
  EXPECT_TRUE(IsValidDigest("sha256:" + std::string(64, '0')));
  EXPECT_FALSE(IsValidDigest("sha256:" + std::string(63, '0')));
  EXPECT_FALSE(IsValidDigest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(IsValidDigest("sha512:" + std::string(64, '0')));
}

}  // namespace
}  // namespace hp::image
