// Import of every format `hostprocess import` accepts: an OCI image layout (directory and
// tarball), a docker-archive tarball, a rootfs directory and a rootfs tarball. Each image must
// be listed under its name, keep its config, and give its files in a rootfs; bad input must
// fail naming the path and leave nothing in the store.
#include "core/image/import.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/temp_dir.h"
#include "core/base/scope_exit.h"
#include "core/image/digest.h"
#include "core/sys/file.h"
#include "unit/image/image_builder.h"

namespace hp::image {
namespace {

using hp::testing::BuiltLayer;
using hp::testing::ImageSpec;
using hp::testing::TarBuilder;
using nlohmann::json;

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    in_ = root_ + "/in";
    ASSERT_TRUE(sys::MkdirAll(in_));
    auto s = Store::Open(root_ + "/state");
    ASSERT_TRUE(s) << s.error().ToString();
    store_.emplace(std::move(*s));
  }
  void TearDown() override {
    rootfs_.clear();  // unmounts (copies) before the tree goes
  }

  // Two layers: the second replaces /etc/motd, deletes /etc/old and adds /bin/tool.
  ImageSpec TwoLayerSpec(TarBuilder::Filter f = TarBuilder::Filter::kGzip) {
    ImageSpec s;
    s.layers.push_back(hp::testing::MakeLayer(TarBuilder()
                                                  .Dir("etc")
                                                  .File("etc/motd", "base\n")
                                                  .File("etc/old", "old\n")
                                                  .Dir("bin")
                                                  .File("bin/sh", "#!sh\n", 0755),
                                              f));
    s.layers.push_back(hp::testing::MakeLayer(
        TarBuilder().File("etc/motd", "top\n").File("etc/.wh.old", "").File("bin/tool", "t", 0750),
        f));
    s.config = {{"Env", {"PATH=/bin", "GREETING=hi there"}},
                {"Entrypoint", {"/bin/sh", "-c"}},
                {"Cmd", {"echo $GREETING"}},
                {"WorkingDir", "/srv"}};
    return s;
  }

  // The image's files through the rootfs API (the copy kind, which needs no privilege).
  std::string MountCopy(const ImageRecord& img) {
    std::string n = std::to_string(rootfs_.size());
    RootfsOptions o;
    o.force_copy = true;
    auto fs = store_->MountRootfs(img, root_ + "/rootfs" + n, root_ + "/scratch" + n, o);
    EXPECT_TRUE(fs) << fs.error().ToString();
    if (!fs) return root_ + "/nowhere";
    rootfs_.push_back(std::move(*fs));
    return rootfs_.back().path();
  }

  std::string Read(const std::string& path) { return sys::ReadFile(path).value_or("<missing>"); }

  // The image is the one listed under `name` and its files come out of the two-layer spec.
  void ExpectTwoLayerImage(const ImageRecord& rec, const std::string& name) {
    auto list = store_->List();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].name, name);
    auto r = store_->Resolve(name);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->id, rec.id);
    EXPECT_EQ(r->config.env, (std::vector<std::string>{"PATH=/bin", "GREETING=hi there"}));
    EXPECT_EQ(r->config.entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
    EXPECT_EQ(r->config.cmd, std::vector<std::string>{"echo $GREETING"});
    EXPECT_EQ(r->config.working_dir, "/srv");
    ASSERT_EQ(r->layers.size(), 2u);
    // The stored config blob is the image id and lists the layers' diff ids.
    auto cfg = store_->ReadBlob(r->id);
    ASSERT_TRUE(cfg) << cfg.error().ToString();
    EXPECT_EQ(json::parse(*cfg)["rootfs"]["diff_ids"][1], r->layers[1].diff_id);
    std::string fs = MountCopy(*r);
    EXPECT_EQ(Read(fs + "/etc/motd"), "top\n");
    EXPECT_FALSE(sys::Exists(fs + "/etc/old"));
    EXPECT_FALSE(sys::Exists(fs + "/etc/.wh.old"));
    EXPECT_EQ(Read(fs + "/bin/sh"), "#!sh\n");
    struct stat st;
    ASSERT_EQ(::stat((fs + "/bin/tool").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
  }

  // Nothing was stored: no image, no blob, no unpacked layer, no temp dir.
  void ExpectStoreEmpty() {
    auto list = store_->List();
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->empty());
    for (const char* sub : {"blobs/sha256", "layers", "ingest", "leases"}) {
      auto names = sys::ListDir(store_->dir() + "/" + sub);
      ASSERT_TRUE(names);
      EXPECT_TRUE(names->empty()) << sub << ": " << names->size() << " left, first "
                                  << (names->empty() ? "" : (*names)[0]);
    }
  }

  // `tar -C dir -cf out .`: names come out as "./x", as from most hand-made tarballs.
  void TarDir(const std::string& dir, const std::string& out) {
    std::string cmd = "tar -C '" + dir + "' -cf '" + out + "' .";
    ASSERT_EQ(::system(cmd.c_str()), 0) << cmd;
  }

  hp::testing::TempDir tmp_{"hp-import-"};
  std::string root_, in_;
  std::optional<Store> store_;
  std::vector<Rootfs> rootfs_;
};

TEST_F(ImportTest, OciLayoutDirectory) {
  // Built once: gzip headers carry the time, so a second build may differ.
  ImageSpec spec = TwoLayerSpec();
  std::string dir = in_ + "/layout";
  hp::testing::WriteFiles(dir, hp::testing::OciLayoutFiles({spec}));
  auto r = Import(*store_, dir, "hostprocess.local/oci:v1");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->name, "hostprocess.local/oci:v1");
  ExpectTwoLayerImage(*r, "hostprocess.local/oci:v1");
  // The manifest is stored as it was in the layout (same digest), and the layer blobs as is.
  EXPECT_EQ(r->manifest_digest, Sha256Digest(hp::testing::ManifestJson(spec)));
  EXPECT_EQ(r->layers[0].digest, spec.layers[0].digest);
  EXPECT_EQ(r->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_TRUE(store_->HasBlob(spec.layers[1].digest));
}

TEST_F(ImportTest, OciLayoutTarballMadeWithTar) {
  std::string dir = in_ + "/layout";
  hp::testing::WriteFiles(dir,
                          hp::testing::OciLayoutFiles({TwoLayerSpec(TarBuilder::Filter::kZstd)}));
  TarDir(dir, in_ + "/layout.tar");
  auto r = Import(*store_, in_ + "/layout.tar", "oci-tar:2");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->name, "docker.io/library/oci-tar:2");
  ExpectTwoLayerImage(*r, "docker.io/library/oci-tar:2");
  EXPECT_EQ(r->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  // The unpacked copy of the tarball is a temp dir: gone afterwards.
  EXPECT_TRUE(sys::ListDir(store_->dir() + "/ingest")->empty());
}

TEST_F(ImportTest, OciLayoutPicksThePlatform) {
  ImageSpec amd = TwoLayerSpec(), arm;
  amd.architecture = "amd64";
  arm.architecture = "arm64";
  arm.layers.push_back(hp::testing::MakeLayer(TarBuilder().File("arch", "arm64\n")));
  arm.config = {{"Cmd", {"arm"}}};
  std::string dir = in_ + "/multi";
  hp::testing::WriteFiles(dir, hp::testing::OciLayoutFiles({amd, arm}));
  ImportOptions o;
  o.platform = "linux/arm64";
  auto r = Import(*store_, dir, "hostprocess.local/multi:1", o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->config.architecture, "arm64");
  EXPECT_EQ(r->config.cmd, std::vector<std::string>{"arm"});
  EXPECT_EQ(Read(MountCopy(*r) + "/arch"), "arm64\n");
  // Only the chosen image's blobs were copied.
  EXPECT_FALSE(store_->HasBlob(amd.layers[0].digest));
  o.platform = "linux/s390x";
  auto none = Import(*store_, dir, "hostprocess.local/multi:2", o);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().ToString().find("offered: linux/amd64, linux/arm64"), std::string::npos)
      << none.error().ToString();
}

TEST_F(ImportTest, DockerArchiveTarball) {
  // `docker save` writes uncompressed layer.tar files.
  ImageSpec spec = TwoLayerSpec(TarBuilder::Filter::kNone);
  std::string tarball = in_ + "/saved.tar";
  ASSERT_TRUE(sys::WriteFile(
      tarball, hp::testing::FilesTar(hp::testing::DockerArchiveFiles(spec, "x/y:z")).Build()));
  auto r = Import(*store_, tarball, "hostprocess.local/saved:latest");
  ASSERT_TRUE(r) << r.error().ToString();
  ExpectTwoLayerImage(*r, "hostprocess.local/saved:latest");
  // The image id is the config's digest, as Docker computes it.
  EXPECT_EQ(r->id, Sha256Digest(hp::testing::ConfigJson(spec)));
  EXPECT_EQ(r->layers[0].diff_id, spec.layers[0].diff_id);
  EXPECT_EQ(r->layers[0].digest, spec.layers[0].diff_id);  // uncompressed: blob = tar
  EXPECT_EQ(r->layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar");
  // A manifest was made for it and stored.
  auto man = store_->ReadBlob(r->manifest_digest);
  ASSERT_TRUE(man) << man.error().ToString();
  EXPECT_EQ(json::parse(*man)["config"]["digest"], r->id);
}

TEST_F(ImportTest, DockerArchiveDirectoryWithGzipLayers) {
  std::string dir = in_ + "/saved";
  hp::testing::WriteFiles(dir, hp::testing::DockerArchiveFiles(TwoLayerSpec()));
  auto r = Import(*store_, dir, "hostprocess.local/saved:dir");
  ASSERT_TRUE(r) << r.error().ToString();
  ExpectTwoLayerImage(*r, "hostprocess.local/saved:dir");
  EXPECT_EQ(r->layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
}

TEST_F(ImportTest, RootfsDirectory) {
  std::string dir = in_ + "/rootfs";
  ASSERT_TRUE(sys::MkdirAll(dir + "/bin"));
  ASSERT_TRUE(sys::MkdirAll(dir + "/etc/conf.d"));
  ASSERT_TRUE(sys::WriteFile(dir + "/bin/app", "#!/bin/sh\necho app\n"));
  ASSERT_EQ(::chmod((dir + "/bin/app").c_str(), 0755), 0);
  ASSERT_TRUE(sys::WriteFile(dir + "/etc/conf.d/a", "A"));
  ASSERT_EQ(::link((dir + "/etc/conf.d/a").c_str(), (dir + "/etc/conf.d/b").c_str()), 0);
  ASSERT_EQ(::symlink("app", (dir + "/bin/alias").c_str()), 0);
  ImportOptions o;
  o.env = {"MODE=test", "PATH=/bin"};
  o.cmd = {"/bin/app", "--flag"};
  o.working_dir = "/etc";
  auto r = Import(*store_, dir, "hostprocess.local/rootfs:1", o);
  ASSERT_TRUE(r) << r.error().ToString();
  auto listed = store_->Resolve("hostprocess.local/rootfs:1");
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_EQ(listed->id, r->id);
  // A rootfs has no config of its own: the default PATH, replaced here by --env PATH.
  EXPECT_EQ(listed->config.env, (std::vector<std::string>{"MODE=test", "PATH=/bin"}));
  EXPECT_EQ(listed->config.cmd, (std::vector<std::string>{"/bin/app", "--flag"}));
  EXPECT_EQ(listed->config.working_dir, "/etc");
  EXPECT_EQ(listed->config.os, "linux");
  ASSERT_EQ(listed->layers.size(), 1u);
  std::string fs = MountCopy(*listed);
  EXPECT_EQ(Read(fs + "/bin/app"), "#!/bin/sh\necho app\n");
  struct stat a, b, app;
  ASSERT_EQ(::stat((fs + "/bin/app").c_str(), &app), 0);
  EXPECT_EQ(app.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat((fs + "/etc/conf.d/a").c_str(), &a), 0);
  ASSERT_EQ(::stat((fs + "/etc/conf.d/b").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // the hard link is kept
  char link[64] = {};
  ASSERT_GT(::readlink((fs + "/bin/alias").c_str(), link, sizeof link - 1), 0);
  EXPECT_STREQ(link, "app");
  // Without --env PATH the image gets the default one.
  auto plain = Import(*store_, dir, "hostprocess.local/rootfs:2");
  ASSERT_TRUE(plain) << plain.error().ToString();
  ASSERT_EQ(plain->config.env.size(), 1u);
  EXPECT_EQ(plain->config.env[0].rfind("PATH=/usr/local/sbin:", 0), 0u) << plain->config.env[0];
}

TEST_F(ImportTest, RootfsDirectoryGivenWithTrailingSlash) {
  // A shell completes "rootfs/": every name must still come out whole.
  std::string dir = in_ + "/rootfs";
  ASSERT_TRUE(sys::MkdirAll(dir + "/bin"));
  ASSERT_TRUE(sys::WriteFile(dir + "/bin/app", "app"));
  ASSERT_TRUE(sys::WriteFile(dir + "/top", "t"));
  ASSERT_EQ(::link((dir + "/top").c_str(), (dir + "/bin/top-link").c_str()), 0);
  auto r = Import(*store_, dir + "/", "hostprocess.local/slash:1");
  ASSERT_TRUE(r) << r.error().ToString();
  std::string fs = MountCopy(*r);
  EXPECT_EQ(Read(fs + "/bin/app"), "app");
  EXPECT_EQ(Read(fs + "/top"), "t");
  EXPECT_EQ(Read(fs + "/bin/top-link"), "t");
  auto names = sys::ListDir(fs + "/bin").value_or(std::vector<std::string>{});
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"app", "top-link"}));
}

TEST_F(ImportTest, RootfsTarball) {
  std::string tarball = in_ + "/rootfs.tar.gz";
  std::string blob = TarBuilder()
                         .Dir("usr")
                         .Dir("usr/bin")
                         .File("usr/bin/hello", "hello\n", 0711)
                         .Symlink("bin", "usr/bin")
                         .Build(TarBuilder::Filter::kGzip);
  ASSERT_TRUE(sys::WriteFile(tarball, blob));
  ImportOptions o;
  o.entrypoint = {"/bin/hello"};
  auto r = Import(*store_, tarball, "hostprocess.local/tarball:1", o);
  ASSERT_TRUE(r) << r.error().ToString();
  auto listed = store_->Resolve("hostprocess.local/tarball:1");
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_EQ(listed->config.entrypoint, std::vector<std::string>{"/bin/hello"});
  ASSERT_EQ(listed->layers.size(), 1u);
  // The tarball is the layer as it is.
  EXPECT_EQ(listed->layers[0].digest, Sha256Digest(blob));
  EXPECT_EQ(listed->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  std::string fs = MountCopy(*listed);
  EXPECT_EQ(Read(fs + "/usr/bin/hello"), "hello\n");
  EXPECT_EQ(Read(fs + "/bin/hello"), "hello\n");  // through the symlink
  struct stat st;
  ASSERT_EQ(::stat((fs + "/usr/bin/hello").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
}

TEST_F(ImportTest, MissingPathNamesItAndStoresNothing) {
  std::string missing = in_ + "/no-such-image.tar";
  auto r = Import(*store_, missing, "hostprocess.local/x:1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.error().ToString().find("\"" + missing + "\""), std::string::npos)
      << r.error().ToString();
  ExpectStoreEmpty();
}

TEST_F(ImportTest, FileThatIsNoTarballNamesItAndStoresNothing) {
  for (const auto& [name, data] : std::vector<std::pair<std::string, std::string>>{
           {"notes.tar", "this is plain text, not a tar archive\n"},
           {"zeros.tar.gz",
            TarBuilder().Build(TarBuilder::Filter::kGzip).substr(0, 10) + std::string(600, 'x')},
       }) {
    SCOPED_TRACE(name);
    std::string path = in_ + "/" + name;
    ASSERT_TRUE(sys::WriteFile(path, data));
    auto r = Import(*store_, path, "hostprocess.local/x:1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().ToString().find("\"" + path + "\""), std::string::npos)
        << r.error().ToString();
    ExpectStoreEmpty();
  }
}

TEST_F(ImportTest, BrokenLayoutNamesTheBlobAndLeavesNothingBehind) {
  // The first layer is fine, the second blob does not match its digest: the import fails
  // after the first layer was copied and unpacked, and must not leave it behind.
  ImageSpec spec = TwoLayerSpec();
  std::string dir = in_ + "/broken";
  hp::testing::WriteFiles(dir, hp::testing::OciLayoutFiles({spec}));
  std::string bad = dir + "/" + hp::testing::BlobName(spec.layers[1].digest);
  ASSERT_TRUE(sys::WriteFile(bad, "corrupted"));
  auto r = Import(*store_, dir, "hostprocess.local/broken:1");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("\"" + dir + "\""), std::string::npos)
      << r.error().ToString();
  EXPECT_NE(r.error().ToString().find("digest mismatch"), std::string::npos)
      << r.error().ToString();
  ExpectStoreEmpty();
}

TEST_F(ImportTest, DockerArchiveMemberOutsideTheArchiveIsRefused) {
  // A saved image whose layer is a symlink to a file elsewhere on the host: import must not
  // read (and store) what it points at.
  std::string outside = in_ + "/secret.tar";
  ASSERT_TRUE(sys::WriteFile(outside, TarBuilder().File("secret", "host data").Build()));
  ImageSpec spec;
  spec.layers.push_back(
      hp::testing::MakeLayer(TarBuilder().File("secret", "host data"), TarBuilder::Filter::kNone));
  auto files = hp::testing::DockerArchiveFiles(spec);
  TarBuilder b;
  for (const auto& [rel, data] : files)
    if (rel == "layer0/layer.tar")
      b.Symlink(rel, outside);
    else
      b.File(rel, data);
  std::string tarball = in_ + "/evil.tar";
  ASSERT_TRUE(sys::WriteFile(tarball, b.Build()));
  auto r = Import(*store_, tarball, "hostprocess.local/evil:1");
  ASSERT_FALSE(r) << "imported a layer from " << outside;
  EXPECT_NE(r.error().ToString().find("layer0/layer.tar"), std::string::npos)
      << r.error().ToString();
  ExpectStoreEmpty();
}

TEST_F(ImportTest, DockerArchiveLayerLinkedWithinTheArchiveIsRead) {
  // `docker save` writes a layer that two images share once and links the other copy to it.
  ImageSpec spec;
  BuiltLayer base =
      hp::testing::MakeLayer(TarBuilder().File("shared", "s\n"), TarBuilder::Filter::kNone);
  spec.layers = {base, base};
  TarBuilder b;
  for (const auto& [rel, data] : hp::testing::DockerArchiveFiles(spec))
    if (rel == "layer1/layer.tar")
      b.Symlink(rel, "../layer0/layer.tar");
    else
      b.File(rel, data);
  ASSERT_TRUE(sys::WriteFile(in_ + "/linked.tar", b.Build()));
  auto r = Import(*store_, in_ + "/linked.tar", "hostprocess.local/linked:1");
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->layers.size(), 2u);
  EXPECT_EQ(r->layers[1].digest, base.digest);
  EXPECT_EQ(Read(MountCopy(*r) + "/shared"), "s\n");
}

TEST_F(ImportTest, BrokenDockerArchiveTarballNamesTheTarball) {
  // Wrong JSON types in manifest.json are an error (not an exception through the CLI), and the
  // message names the tarball, not the temp dir it was unpacked to.
  for (const std::string& manifest :
       {std::string("not json"), std::string(R"([{"Config": 5, "Layers": []}])"),
        std::string(R"([{"Config": "c.json", "Layers": "layer.tar"}])"),
        std::string(R"([{"Config": "../c.json", "Layers": []}])")}) {
    SCOPED_TRACE(manifest);
    std::string tarball = in_ + "/bad.tar";
    ASSERT_TRUE(sys::WriteFile(tarball, TarBuilder()
                                            .File("manifest.json", manifest)
                                            .File("c.json", R"({"rootfs":{"diff_ids":[]}})")
                                            .Build()));
    auto r = Import(*store_, tarball, "hostprocess.local/bad:1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().ToString().find("import \"" + tarball + "\""), std::string::npos)
        << r.error().ToString();
    ExpectStoreEmpty();
  }
}

TEST_F(ImportTest, GcCollectsTempDirsOfAnImportThatDied) {
  // What a killed import or pull leaves in ingest/: a temp dir, a partial download of a blob
  // that another pull completed since, and one still to be resumed.
  auto tmp = store_->MakeIngestDir();
  ASSERT_TRUE(tmp) << tmp.error().ToString();
  ASSERT_TRUE(sys::MkdirAll(*tmp + "/x/fs/etc"));
  ASSERT_TRUE(sys::WriteFile(*tmp + "/x/fs/etc/big", std::string(1 << 16, 'b')));
  ASSERT_TRUE(sys::WriteFile(in_ + "/layer.tar", TarBuilder().File("f", "1").Build()));
  auto img = Import(*store_, in_ + "/layer.tar", "hostprocess.local/kept:1");
  ASSERT_TRUE(img) << img.error().ToString();
  auto done = std::optional<std::string>(img->layers[0].digest);
  ASSERT_TRUE(sys::WriteFile(store_->PartialPath(*done), "compl"));
  std::string pending = Sha256Digest("still downloading");
  ASSERT_TRUE(sys::WriteFile(store_->PartialPath(pending), "still"));
  // While an import holds the GC lock nothing goes.
  {
    auto held = store_->SharedGcLock();
    ASSERT_TRUE(held);
    ASSERT_TRUE(store_->GarbageCollect());
    EXPECT_TRUE(sys::Exists(*tmp));
  }
  auto gc = store_->GarbageCollect();
  ASSERT_TRUE(gc) << gc.error().ToString();
  EXPECT_FALSE(sys::Exists(*tmp));
  EXPECT_FALSE(sys::Exists(store_->PartialPath(*done)));
  EXPECT_EQ(Read(store_->PartialPath(pending)), "still");
  EXPECT_TRUE(store_->HasBlob(*done));
}

// Issue 21 item 6: what killed imports and pulls left in ingest/ goes when the store opens,
// unless one is running (it holds gc.lock shared while its temp dir is in use).
TEST_F(ImportTest, OpeningTheStoreRemovesTempDirsOfImportsThatDied) {
  auto tmp = store_->MakeIngestDir();
  ASSERT_TRUE(tmp) << tmp.error().ToString();
  ASSERT_TRUE(sys::WriteFile(*tmp + "/blob", std::string(1 << 16, 'b')));
  std::string pending = Sha256Digest("still downloading");
  ASSERT_TRUE(sys::WriteFile(store_->PartialPath(pending), "still"));
  {
    auto held = store_->SharedGcLock();  // an import running in another process
    ASSERT_TRUE(held);
    ASSERT_TRUE(Store::Open(root_ + "/state"));
    EXPECT_TRUE(sys::Exists(*tmp + "/blob"));
  }
  ASSERT_TRUE(Store::Open(root_ + "/state"));
  EXPECT_FALSE(sys::Exists(*tmp));
  EXPECT_EQ(Read(store_->PartialPath(pending)), "still");  // kept for resume
}

// Issue 21 item 8: copy_file_range cannot copy across file systems (EXDEV); the copy falls back.
TEST_F(ImportTest, ImportsATarballFromAnotherFileSystem) {
  struct stat shm, store;
  if (::stat("/dev/shm", &shm) < 0 || ::stat(store_->dir().c_str(), &store) < 0 ||
      shm.st_dev == store.st_dev)
    GTEST_SKIP() << "no /dev/shm on another file system than the store";
  std::string shm_dir = "/dev/shm/hp-import-xdev-" + std::to_string(::getpid());
  ASSERT_TRUE(sys::MkdirAll(shm_dir));
  ScopeExit rm([&] { (void)sys::RemoveAll(shm_dir); });
  std::string tar = shm_dir + "/rootfs.tar.gz";
  ASSERT_TRUE(sys::WriteFile(
      tar,
      TarBuilder().File("bin/tool", std::string(300000, 't')).Build(TarBuilder::Filter::kGzip)));
  auto img = Import(*store_, tar, "hostprocess.local/xdev:1");
  ASSERT_TRUE(img) << img.error().ToString();
  EXPECT_EQ(Read(store_->LayerPath(img->layers[0].diff_id) + "/bin/tool"),
            std::string(300000, 't'));
}

TEST_F(ImportTest, NameMustNotBeADigest) {
  std::string dir = in_ + "/rootfs";
  ASSERT_TRUE(sys::MkdirAll(dir));
  auto r = Import(*store_, dir, "x@" + Sha256Digest("x"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("must be NAME[:TAG]"), std::string::npos)
      << r.error().ToString();
  ExpectStoreEmpty();
}

}  // namespace
}  // namespace hp::image
