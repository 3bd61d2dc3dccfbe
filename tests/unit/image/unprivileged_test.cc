// What the image layer does for a user without privilege (the copy rootfs exists for them):
// unpacking a layer with read-only directories, and making and tearing down a copy rootfs.
// As root the checks run in a child that dropped to nobody, so they hold in either case.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/image/import.h"
#include "core/image/unpack.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"

namespace hp::image {
namespace {

using hp::testing::TarBuilder;

constexpr uid_t kNobody = 65534;

// Runs `body` without privilege; returns what it reported ("" = all checks held).
std::string AsNobody(const std::function<std::string()>& body) {
  if (::geteuid() != 0) return body();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return "pipe failed";
  pid_t pid = ::fork();  // the test process has no other thread at this point
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg;
    if (::setgroups(0, nullptr) < 0 || ::setresgid(kNobody, kNobody, kNobody) < 0 ||
        ::setresuid(kNobody, kNobody, kNobody) < 0)
      msg = "cannot drop to nobody";
    else
      msg = body();
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(msg.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "child died: " + msg;
  return msg;
}

class Unprivileged : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown(dir_.c_str(), kNobody, kNobody), 0);
    }
  }
  void TearDown() override {
    // Read-only directories would stop an unprivileged removal.
    std::string cmd = "chmod -R u+w '" + dir_ + "' 2>/dev/null";
    (void)!::system(cmd.c_str());
  }
  hp::testing::TempDir tmp_{"hp-unpriv-"};
  std::string dir_;
};

TEST_F(Unprivileged, UnpacksIntoReadOnlyDirectories) {
  std::string tar = TarBuilder()
                        .Dir("ro", 0555)
                        .File("ro/inside", "y")
                        .Dir("ro/sub", 0500)
                        .File("ro/sub/deeper", "z")
                        .Build();
  std::string dir = dir_;
  std::string msg = AsNobody([&]() -> std::string {
    auto r = UnpackLayerMemory(tar.data(), tar.size(), dir + "/layer");
    if (!r) return r.error().ToString();
    if (sys::ReadFile(dir + "/layer/ro/inside").value_or("") != "y") return "ro/inside missing";
    if (sys::ReadFile(dir + "/layer/ro/sub/deeper").value_or("") != "z")
      return "ro/sub/deeper missing";
    struct stat st;
    if (::stat((dir + "/layer/ro").c_str(), &st) < 0 || (st.st_mode & 07777) != 0555)
      return "ro does not have mode 0555";
    if (::stat((dir + "/layer/ro/sub").c_str(), &st) < 0 || (st.st_mode & 07777) != 0500)
      return "ro/sub does not have mode 0500";
    return "";
  });
  EXPECT_EQ(msg, "");
}

TEST_F(Unprivileged, CopyRootfsIsTornDown) {
  std::string dir = dir_;
  std::string msg = AsNobody([&]() -> std::string {
    auto store = Store::Open(dir + "/state");
    if (!store) return store.error().ToString();
    TarBuilder b;
    b.Dir("bin").File("bin/app", "app", 0755).File("etc/conf", "c");
    std::string gz = b.Build(TarBuilder::Filter::kGzip);
    auto digest = store->WriteBlob(gz);
    if (!digest) return digest.error().ToString();
    LayerRecord l{*digest, Sha256Digest(b.Build()), "application/vnd.oci.image.layer.v1.tar+gzip",
                  static_cast<int64_t>(gz.size())};
    auto img = CommitImage(*store, "hostprocess.local/copy:1", {l}, ImageConfig{});
    if (!img) return img.error().ToString();
    RootfsOptions o;
    o.force_copy = true;
    std::string target = dir + "/rootfs", scratch = dir + "/scratch";
    auto fs = store->MountRootfs(*img, target, scratch, UnpackingRootfsOptions(*store, o));
    if (!fs) return fs.error().ToString();
    if (fs->kind() != RootfsKind::kCopy) return "not a copy";
    if (sys::ReadFile(target + "/bin/app").value_or("") != "app") return "bin/app missing";
    if (auto st = fs->Unmount(); !st) return "unmount: " + st.error().ToString();
    if (!sys::ListDir(target).value_or(std::vector<std::string>{"?"}).empty())
      return "copy left in the target";
    if (sys::Exists(scratch)) return "scratch left behind";
    if (!sys::ListDir(store->dir() + "/leases").value_or(std::vector<std::string>{"?"}).empty())
      return "lease left behind";
    return "";
  });
  EXPECT_EQ(msg, "");
}

}  // namespace
}  // namespace hp::image
