#include "core/image/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"

namespace hp::image {
namespace {

using hp::testing::TarBuilder;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    auto s = Store::Open(root_);
    ASSERT_TRUE(s) << s.error().ToString();
    store_.emplace(std::move(*s));
  }

  LayerRecord AddLayer(const TarBuilder& b) {
    LayerRecord l;
    std::string gz = b.Build(TarBuilder::Filter::kGzip);
    auto dg = store_->WriteBlob(gz);
    EXPECT_TRUE(dg);
    l.digest = *dg;
    l.diff_id = Sha256Digest(b.Build());
    l.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    l.size = static_cast<int64_t>(gz.size());
    return l;
  }

  ImageRecord MakeImage(const std::string& name, std::vector<LayerRecord> layers) {
    ImageRecord r;
    r.name = name;
    r.layers = std::move(layers);
    std::string diff_ids;
    for (auto& l : r.layers) diff_ids += (diff_ids.empty() ? "\"" : ",\"") + l.diff_id + "\"";
    r.id = *store_->WriteBlob(R"({"os":"linux","rootfs":{"type":"layers","diff_ids":[)" + diff_ids +
                              "]},\"name\":\"" + name + "\"}");
    r.manifest_digest = *store_->WriteBlob("{\"manifest\":\"" + name + "\"}");
    r.config.env = {"PATH=/bin"};
    return r;
  }

  hp::testing::TempDir tmp_{"hp-store-"};
  std::string root_;
  std::optional<Store> store_;
};

TEST_F(StoreTest, BlobsAreVerified) {
  auto d = store_->WriteBlob("hello");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, Sha256Digest("hello"));
  EXPECT_EQ(*store_->ReadBlob(*d), "hello");
  auto bad = store_->WriteBlob("other", Sha256Digest("hello2"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().ToString().find("digest mismatch"), std::string::npos);
  EXPECT_FALSE(store_->HasBlob(Sha256Digest("other")));
  // Corruption on disk is detected on read.
  ASSERT_TRUE(sys::WriteFile(store_->BlobPath(*d), "tampered"));
  auto r = store_->ReadBlob(*d);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("corrupt"), std::string::npos);
}

TEST_F(StoreTest, ResolveByNameAndId) {
  auto img = MakeImage("docker.io/library/busybox:latest", {AddLayer(TarBuilder().File("a", "1"))});
  ASSERT_TRUE(store_->PutImage(img));
  auto r = store_->Resolve("busybox");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->id, img.id);
  EXPECT_EQ(r->config.env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_TRUE(store_->Resolve(img.id));
  EXPECT_TRUE(store_->Resolve(img.id.substr(7, 12)));
  auto missing = store_->Resolve("nothere:1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->List()->size(), 1u);
}

// name@digest finds the image of that repository pulled by tag, by its manifest's digest or by
// the index it was chosen from (a pod pinned by digest waited for an image the node had).
TEST_F(StoreTest, ResolveByDigestFindsTheImagePulledByTag) {
  auto img = MakeImage("127.0.0.1:5000/team/agent:v1", {AddLayer(TarBuilder().File("a", "1"))});
  img.manifest_digest = Sha256Digest("manifest");
  img.index_digest = Sha256Digest("index");
  ASSERT_TRUE(store_->PutImage(img));
  for (const std::string& d : {img.manifest_digest, img.index_digest}) {
    auto r = store_->Resolve("127.0.0.1:5000/team/agent@" + d);
    ASSERT_TRUE(r) << d << ": " << r.error().ToString();
    EXPECT_EQ(r->id, img.id);
  }
  EXPECT_FALSE(store_->Resolve("127.0.0.1:5000/team/other@" + img.manifest_digest));
  EXPECT_FALSE(store_->Resolve("127.0.0.1:5000/team/age@" + img.manifest_digest));
  EXPECT_FALSE(store_->Resolve("127.0.0.1:5000/team/agent@" + Sha256Digest("else")));
}

TEST_F(StoreTest, CopyRootfsAppliesLayersAndWhiteouts) {
  auto l1 = AddLayer(TarBuilder().File("bin/a", "A").File("bin/b", "B").File("o/x", "X"));
  auto l2 = AddLayer(TarBuilder()
                         .File("bin/.wh.b", "")
                         .File("bin/c", "C")
                         .Dir("o")
                         .File("o/.wh..wh..opq", "")
                         .File("o/y", "Y"));
  auto img = MakeImage("hostprocess.local/t:1", {l1, l2});
  ASSERT_TRUE(store_->PutImage(img));
  std::string target = root_ + "/sandboxes/c1", scratch = root_ + "/scratch/c1";
  RootfsOptions opts;
  opts.force_copy = true;
  auto fs = store_->MountRootfs(img, target, scratch, UnpackingRootfsOptions(*store_, opts));
  ASSERT_TRUE(fs) << fs.error().ToString();
  EXPECT_EQ(fs->kind(), RootfsKind::kCopy);
  EXPECT_EQ(*sys::ReadFile(target + "/bin/a"), "A");
  EXPECT_FALSE(sys::Exists(target + "/bin/b"));
  EXPECT_EQ(*sys::ReadFile(target + "/bin/c"), "C");
  EXPECT_FALSE(sys::Exists(target + "/o/x"));
  EXPECT_EQ(*sys::ReadFile(target + "/o/y"), "Y");
  // Layers are unpacked once, in the store.
  EXPECT_TRUE(sys::Exists(store_->LayerPath(l1.diff_id) + "/bin/a"));
  // While mounted, rmi keeps the layers (lease) but drops the name.
  auto rm = store_->Remove("hostprocess.local/t:1");
  ASSERT_TRUE(rm) << rm.error().ToString();
  EXPECT_EQ(rm->untagged, std::vector<std::string>{"hostprocess.local/t:1"});
  EXPECT_TRUE(sys::Exists(store_->LayerPath(l1.diff_id)));
  ASSERT_TRUE(fs->Unmount());
  EXPECT_TRUE(sys::ListDir(target)->empty());
  EXPECT_FALSE(sys::Exists(scratch));
  auto gc = store_->GarbageCollect();
  ASSERT_TRUE(gc);
  EXPECT_FALSE(sys::Exists(store_->LayerPath(l1.diff_id)));
  EXPECT_FALSE(store_->HasBlob(l1.digest));
}

// Without an unpack hook (the pod supervisor's way: it links no libarchive), a layer that is
// not unpacked is an error naming it, and the failed mount leaves nothing: no lease, no scratch.
TEST_F(StoreTest, MountWithoutUnpackRefusesAMissingLayerAndLeavesNothing) {
  auto l1 = AddLayer(TarBuilder().File("bin/a", "A"));
  auto img = MakeImage("hostprocess.local/lazy:1", {l1});
  ASSERT_TRUE(store_->PutImage(img));
  std::string target = root_ + "/sandboxes/c1", scratch = root_ + "/scratch/c1";
  RootfsOptions opts;
  opts.force_copy = true;
  auto fs = store_->MountRootfs(img, target, scratch, opts);
  ASSERT_FALSE(fs);
  EXPECT_EQ(
      fs.error().ToString(),
      "layer \"" + l1.digest + "\" is not unpacked in the store; import or pull the image again");
  EXPECT_FALSE(sys::Exists(scratch));
  EXPECT_TRUE(
      sys::ListDir(store_->dir() + "/leases").value_or(std::vector<std::string>{"?"}).empty());
  EXPECT_FALSE(sys::Exists(store_->LayerPath(l1.diff_id)));
  // Once unpacked (as import and pull do), the same mount works.
  ASSERT_TRUE(store_->EnsureLayerUnpacked(l1));
  auto ok = store_->MountRootfs(img, target, scratch, opts);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(sys::ReadFile(target + "/bin/a").value_or(""), "A");
  ASSERT_TRUE(ok->Unmount());
}

// A rootfs setup killed while it wrote its lease leaves that write's temp file (the chaos test
// found one left after recovery). The pod's clean-up removes it with the lease, and so does the
// store's own clean-up under the exclusive GC lock.
TEST_F(StoreTest, ALeaseTempLeftByAKilledSetupIsRemoved) {
  auto l1 = AddLayer(TarBuilder().File("bin/a", "A"));
  auto img = MakeImage("hostprocess.local/killed:1", {l1});
  ASSERT_TRUE(store_->PutImage(img));
  ASSERT_TRUE(store_->EnsureLayerUnpacked(l1));
  const std::string leases = store_->dir() + "/leases";
  auto killed_setup = [&](const std::string& target) {
    pid_t pid = ::fork();  // the test process has no other thread here
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      sys::SetAtomicWriteHookForTesting([](const char* step) {
        if (std::string_view(step) == "rename") ::_exit(7);  // killed before the rename
      });
      RootfsOptions opts;
      opts.force_copy = true;
      (void)store_->MountRootfs(img, target, root_ + "/scratch/x", opts);
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << "status " << status;
  };
  auto temps = [&] {
    size_t n = 0;
    for (const auto& name : sys::ListDir(leases).value_or(std::vector<std::string>{}))
      n += name.find(".tmp-") != std::string::npos ? 1 : 0;
    return n;
  };

  std::string target = root_ + "/sandboxes/c1/";
  killed_setup(target);
  ASSERT_EQ(temps(), 1u);
  ASSERT_TRUE(DropRootfsLease(root_, root_ + "/sandboxes/other/"));
  EXPECT_EQ(temps(), 1u) << "another rootfs' lease temp was removed";
  ASSERT_TRUE(DropRootfsLease(root_, target));
  EXPECT_TRUE(sys::ListDir(leases).value_or(std::vector<std::string>{"?"}).empty());

  killed_setup(target);
  ASSERT_EQ(temps(), 1u);
  ASSERT_TRUE(Store::Open(root_));
  EXPECT_TRUE(sys::ListDir(leases).value_or(std::vector<std::string>{"?"}).empty());
}

// The same for the image index: a command killed while it saved the index left its temp file;
// the next save, under the index lock, removes it.
TEST_F(StoreTest, AnIndexTempLeftByAKilledWriteIsRemovedByTheNextSave) {
  std::string left = store_->dir() + "/index.json.tmp-Ab12Cd";
  ASSERT_TRUE(sys::WriteFile(left, "{\"images\":["));
  ASSERT_TRUE(store_->PutImage(MakeImage("hostprocess.local/next:1", {})));
  EXPECT_FALSE(sys::Exists(left));
  EXPECT_TRUE(store_->Resolve("hostprocess.local/next:1"));
}

TEST_F(StoreTest, GcKeepsSharedLayers) {
  auto shared = AddLayer(TarBuilder().File("base", "b"));
  auto own = AddLayer(TarBuilder().File("own", "o"));
  ASSERT_TRUE(store_->PutImage(MakeImage("hostprocess.local/a:1", {shared, own})));
  ASSERT_TRUE(store_->PutImage(MakeImage("hostprocess.local/b:1", {shared})));
  ASSERT_TRUE(store_->EnsureLayerUnpacked(shared));
  auto rm = store_->Remove("hostprocess.local/a:1");
  ASSERT_TRUE(rm);
  EXPECT_TRUE(store_->HasBlob(shared.digest));
  EXPECT_TRUE(sys::Exists(store_->LayerPath(shared.diff_id)));
  EXPECT_FALSE(store_->HasBlob(own.digest));
  EXPECT_TRUE(store_->Resolve("hostprocess.local/b:1"));
}

TEST_F(StoreTest, LayerWithWrongDiffIdIsRefused) {
  auto l = AddLayer(TarBuilder().File("a", "1"));
  l.diff_id = Sha256Digest("something else");
  auto st = store_->EnsureLayerUnpacked(l);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().ToString().find("does not match"), std::string::npos);
  EXPECT_FALSE(sys::Exists(store_->LayerPath(l.diff_id)));
}

}  // namespace
}  // namespace hp::image
