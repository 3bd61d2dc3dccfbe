// A container rootfs as an overlay mount (root only): the image's unpacked layers are the lower
// dirs, shared by every container, and each container writes to its own upper dir; unmounting
// leaves neither a mount nor the scratch dirs behind.
//
// Everything runs in a private mount namespace on a tmpfs: overlay works whatever /tmp is, and
// the mounts go away with the process even if a test crashes.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/image/import.h"
#include "core/image/store.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"

namespace hp::image {
namespace {

using hp::testing::TarBuilder;

struct MountEntry {
  std::string point, fstype, super_opts;
};

// /proc/self/mountinfo: "id parent maj:min root point opts [optional...] - fstype source super".
std::vector<MountEntry> Mounts() {
  std::vector<MountEntry> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, opts, word;
    f >> id >> parent >> dev >> root >> point >> opts;
    while (f >> word && word != "-") {
    }
    MountEntry e;
    e.point = point;
    std::string source;
    f >> e.fstype >> source >> e.super_opts;
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<MountEntry> MountAt(const std::string& point) {
  std::optional<MountEntry> found;
  for (auto& m : Mounts())
    if (m.point == point) found = m;  // the last one is on top
  return found;
}

std::string Read(const std::string& path) { return sys::ReadFile(path).value_or("<missing>"); }

class OverlayRootfs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (overlay and tmpfs mounts)";
    // A mount namespace of our own that receives nothing from and sends nothing to the host.
    ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
    ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0)
        << std::strerror(errno);
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    ASSERT_EQ(::mount("tmpfs", root_.c_str(), "tmpfs", 0, "mode=0755"), 0) << std::strerror(errno);
    tmpfs_ = true;
    auto s = Store::Open(root_ + "/state");
    ASSERT_TRUE(s) << s.error().ToString();
    store_.emplace(std::move(*s));

    // Layer 1: the base. Layer 2 replaces /etc/motd, deletes /etc/old and makes /data opaque.
    l1_ = AddLayer(TarBuilder()
                       .Dir("etc")
                       .File("etc/motd", "base\n")
                       .File("etc/old", "old\n")
                       .Dir("data")
                       .File("data/keep", "k\n")
                       .Dir("bin")
                       .File("bin/sh", "#!sh\n", 0755));
    l2_ = AddLayer(TarBuilder()
                       .File("etc/motd", "top\n")
                       .File("etc/.wh.old", "")
                       .Dir("data")
                       .File("data/.wh..wh..opq", "")
                       .File("data/new", "n\n"));
    auto img = CommitImage(*store_, "hostprocess.local/overlay:1", {l1_, l2_}, ImageConfig{});
    ASSERT_TRUE(img) << img.error().ToString();
    img_ = *img;
  }

  void TearDown() override {
    mounted_.clear();  // Rootfs destructors unmount
    if (root_.empty()) return;
    // Whatever a failed test left mounted below the root, deepest first, then the tmpfs.
    auto all = Mounts();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (it->point.rfind(root_ + "/", 0) == 0) ::umount2(it->point.c_str(), MNT_DETACH);
    if (tmpfs_) ::umount2(root_.c_str(), MNT_DETACH);
  }

  LayerRecord AddLayer(const TarBuilder& b) {
    LayerRecord l;
    std::string gz = b.Build(TarBuilder::Filter::kGzip);
    auto dg = store_->WriteBlob(gz);
    EXPECT_TRUE(dg);
    l.digest = dg.value_or("");
    l.diff_id = Sha256Digest(b.Build());
    l.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    l.size = static_cast<int64_t>(gz.size());
    return l;
  }

  // Mounts container `name`'s rootfs with overlay (never the copy fallback).
  Rootfs* Mount(const std::string& name) {
    auto fs =
        store_->MountRootfs(img_, Target(name), Scratch(name), UnpackingRootfsOptions(*store_));
    EXPECT_TRUE(fs) << fs.error().ToString();
    if (!fs) return nullptr;
    EXPECT_EQ(fs->kind(), RootfsKind::kOverlay) << fs->note();
    mounted_.push_back(std::move(*fs));
    return &mounted_.back();
  }
  std::string Target(const std::string& name) { return root_ + "/sandboxes/" + name; }
  std::string Scratch(const std::string& name) { return root_ + "/scratch/" + name; }
  size_t Leases() {
    return sys::ListDir(store_->dir() + "/leases").value_or(std::vector<std::string>{}).size();
  }

  hp::testing::TempDir tmp_{"hp-overlay-it-"};
  std::string root_;
  bool tmpfs_ = false;
  std::optional<Store> store_;
  LayerRecord l1_, l2_;
  ImageRecord img_;
  std::deque<Rootfs> mounted_;  // push_back keeps pointers to earlier ones valid
};

TEST_F(OverlayRootfs, IsAnOverlayOfTheLayersWithAPrivateUpper) {
  Rootfs* fs = Mount("c1");
  ASSERT_NE(fs, nullptr);
  auto m = MountAt(Target("c1"));
  ASSERT_TRUE(m) << "no mount at " << Target("c1");
  EXPECT_EQ(m->fstype, "overlay");
  EXPECT_NE(m->super_opts.find("upperdir=" + Scratch("c1") + "/upper"), std::string::npos)
      << m->super_opts;
  // The upper dir is removed right after the unmount: not synced then (sys::MountOverlay).
  struct utsname u {};
  int major = 0, minor = 0;
  if (::uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
      (major > 5 || (major == 5 && minor >= 10))) {
    EXPECT_NE(m->super_opts.find("volatile"), std::string::npos) << m->super_opts;
  }
  // The top layer is the first lower dir.
  size_t top = m->super_opts.find(store_->LayerPath(l2_.diff_id));
  size_t base = m->super_opts.find(store_->LayerPath(l1_.diff_id));
  ASSERT_NE(top, std::string::npos) << m->super_opts;
  ASSERT_NE(base, std::string::npos) << m->super_opts;
  EXPECT_LT(top, base) << m->super_opts;

  // The layers' files, with layer 2's changes and whiteouts applied by overlayfs.
  std::string t = Target("c1");
  EXPECT_EQ(Read(t + "/etc/motd"), "top\n");
  EXPECT_FALSE(sys::Exists(t + "/etc/old"));
  EXPECT_FALSE(sys::Exists(t + "/data/keep"));
  EXPECT_EQ(Read(t + "/data/new"), "n\n");
  EXPECT_EQ(Read(t + "/bin/sh"), "#!sh\n");
}

TEST_F(OverlayRootfs, WritesGoToTheUpperAndNotToTheSharedLayers) {
  Rootfs* fs = Mount("c1");
  ASSERT_NE(fs, nullptr);
  std::string t = Target("c1"), upper = Scratch("c1") + "/upper";
  std::string layer1 = store_->LayerPath(l1_.diff_id), layer2 = store_->LayerPath(l2_.diff_id);
  ASSERT_TRUE(sys::WriteFile(t + "/etc/motd", "changed by c1\n"));
  ASSERT_TRUE(sys::WriteFile(t + "/c1-only", "1"));
  ASSERT_EQ(::unlink((t + "/data/new").c_str()), 0);
  ASSERT_EQ(::chmod((t + "/bin/sh").c_str(), 0700), 0);

  EXPECT_EQ(Read(t + "/etc/motd"), "changed by c1\n");
  EXPECT_EQ(Read(upper + "/etc/motd"), "changed by c1\n");
  EXPECT_EQ(Read(upper + "/c1-only"), "1");
  struct stat st;
  ASSERT_EQ(::lstat((upper + "/data/new").c_str(), &st), 0);  // overlay's whiteout
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
  // The shared layers are as unpacked.
  EXPECT_EQ(Read(layer2 + "/etc/motd"), "top\n");
  EXPECT_EQ(Read(layer1 + "/etc/motd"), "base\n");
  EXPECT_EQ(Read(layer2 + "/data/new"), "n\n");
  EXPECT_FALSE(sys::Exists(layer1 + "/c1-only"));
  EXPECT_FALSE(sys::Exists(layer2 + "/c1-only"));
  ASSERT_EQ(::stat((layer1 + "/bin/sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(OverlayRootfs, ContainersOfOneImageDoNotSeeEachOthersWrites) {
  Rootfs* c1 = Mount("c1");
  Rootfs* c2 = Mount("c2");
  ASSERT_NE(c1, nullptr);
  ASSERT_NE(c2, nullptr);
  std::string t1 = Target("c1"), t2 = Target("c2");
  ASSERT_TRUE(sys::WriteFile(t1 + "/etc/motd", "c1\n"));
  ASSERT_TRUE(sys::WriteFile(t1 + "/from-c1", "1"));
  ASSERT_EQ(::unlink((t1 + "/bin/sh").c_str()), 0);
  ASSERT_TRUE(sys::WriteFile(t2 + "/from-c2", "2"));

  EXPECT_EQ(Read(t2 + "/etc/motd"), "top\n");
  EXPECT_FALSE(sys::Exists(t2 + "/from-c1"));
  EXPECT_EQ(Read(t2 + "/bin/sh"), "#!sh\n");
  EXPECT_FALSE(sys::Exists(t1 + "/from-c2"));
  EXPECT_EQ(Read(t1 + "/etc/motd"), "c1\n");
  EXPECT_EQ(Leases(), 2u);  // one per mounted rootfs
}

TEST_F(OverlayRootfs, UnmountLeavesNoMountAndNoScratchBehind) {
  Rootfs* c1 = Mount("c1");
  Rootfs* c2 = Mount("c2");
  ASSERT_NE(c1, nullptr);
  ASSERT_NE(c2, nullptr);
  ASSERT_TRUE(sys::WriteFile(Target("c1") + "/written", "x"));
  ASSERT_TRUE(sys::WriteFile(Target("c2") + "/kept", "y"));

  ASSERT_TRUE(c1->Unmount());
  EXPECT_FALSE(c1->active());
  EXPECT_FALSE(MountAt(Target("c1")));
  EXPECT_FALSE(sys::Exists(Scratch("c1")));  // upper, work and the record
  // The target itself stays, empty, for its owner to remove.
  EXPECT_TRUE(sys::IsDir(Target("c1")));
  EXPECT_TRUE(sys::ListDir(Target("c1")).value_or(std::vector<std::string>{"<error>"}).empty());
  EXPECT_EQ(Leases(), 1u);
  EXPECT_TRUE(c1->Unmount());  // idempotent
  // The other container is untouched.
  EXPECT_TRUE(MountAt(Target("c2")));
  EXPECT_EQ(Read(Target("c2") + "/kept"), "y");
  EXPECT_EQ(Read(Target("c2") + "/etc/motd"), "top\n");

  // Handed over (Release) and torn down from the record in scratch, as after a restart.
  c2->Release();
  EXPECT_TRUE(MountAt(Target("c2")));
  ASSERT_TRUE(UnmountRootfs(Target("c2"), Scratch("c2")));
  EXPECT_FALSE(MountAt(Target("c2")));
  EXPECT_FALSE(sys::Exists(Scratch("c2")));
  EXPECT_EQ(Leases(), 0u);
  for (const auto& m : Mounts())
    EXPECT_NE(m.point.rfind(root_ + "/", 0), 0u) << "left mounted: " << m.point;

  // With no lease left, rmi collects the layers.
  auto rm = store_->Remove("hostprocess.local/overlay:1");
  ASSERT_TRUE(rm) << rm.error().ToString();
  EXPECT_FALSE(sys::Exists(store_->LayerPath(l1_.diff_id)));
  EXPECT_FALSE(sys::Exists(store_->LayerPath(l2_.diff_id)));
}

TEST_F(OverlayRootfs, DestroyingTheRootfsUnmountsIt) {
  {
    auto fs =
        store_->MountRootfs(img_, Target("c1"), Scratch("c1"), UnpackingRootfsOptions(*store_));
    ASSERT_TRUE(fs) << fs.error().ToString();
    ASSERT_EQ(fs->kind(), RootfsKind::kOverlay) << fs->note();
    ASSERT_TRUE(MountAt(Target("c1")));
  }
  EXPECT_FALSE(MountAt(Target("c1")));
  EXPECT_FALSE(sys::Exists(Scratch("c1")));
  EXPECT_EQ(Leases(), 0u);
}

TEST_F(OverlayRootfs, FailedMountLeavesNothing) {
  // A target that is not empty is refused before anything is mounted or created.
  ASSERT_TRUE(sys::MkdirAll(Target("busy")));
  ASSERT_TRUE(sys::WriteFile(Target("busy") + "/file", "mine"));
  auto fs =
      store_->MountRootfs(img_, Target("busy"), Scratch("busy"), UnpackingRootfsOptions(*store_));
  ASSERT_FALSE(fs);
  EXPECT_NE(fs.error().ToString().find("\"" + Target("busy") + "\" is not empty"),
            std::string::npos)
      << fs.error().ToString();
  EXPECT_FALSE(MountAt(Target("busy")));
  EXPECT_EQ(Read(Target("busy") + "/file"), "mine");
  EXPECT_FALSE(sys::Exists(Scratch("busy")));
  EXPECT_EQ(Leases(), 0u);
}

}  // namespace
}  // namespace hp::image
