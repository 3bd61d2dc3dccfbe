// hp/sys OpenBelow / CreateBelow: in-root and beneath resolution, with openat2 and with the
// component walk (the same answers are required of both).
#include "core/sys/below.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::sys {
namespace {

class Below : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path();
    root_ = dir_ + "/root";
    outside_ = dir_ + "/outside";
    ASSERT_TRUE(MkdirAll(root_ + "/usr/bin"));
    ASSERT_TRUE(MkdirAll(root_ + "/run"));
    ASSERT_TRUE(MkdirAll(root_ + "/etc/alternatives"));
    ASSERT_TRUE(MkdirAll(outside_));
    ASSERT_TRUE(WriteFile(root_ + "/usr/bin/lua5.4", "image lua"));
    ASSERT_TRUE(WriteFile(outside_ + "/secret", "host secret"));
    // The image's absolute links, as Debian ships them.
    Link("/run", "var/run", true);
    Link("/etc/alternatives/lua-interpreter", "usr/bin/lua");
    Link("/usr/bin/lua5.4", "etc/alternatives/lua-interpreter");
    // Links that would leave the root on the host.
    Link("../../../outside", "usr/up");
    Link(outside_, "abs-out");
    Link("loop2", "loop1");
    Link("loop1", "loop2");
    Link("/proc/self/root", "magic");
    root_fd_.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd_);
    opts_.walk = GetParam();
  }
  void Link(const std::string& target, const std::string& at, bool mkparent = false) {
    if (mkparent) {
      ASSERT_TRUE(MkdirAll(root_ + "/" + at.substr(0, at.rfind('/'))));
    }
    ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + at).c_str()), 0) << at;
  }
  std::string Real(const Result<UniqueFd>& fd) {
    if (!fd) return "error: " + fd.error().ToString();
    auto p = FdRealPath(fd->get());
    return p ? *p : "error";
  }
  hp::testing::TempDir tmp_{"hp-below-"};
  std::string dir_, root_, outside_;
  UniqueFd root_fd_;
  BelowOptions opts_;
};

TEST_P(Below, AbsoluteLinksResolveInsideTheRoot) {
  EXPECT_EQ(Real(OpenBelow(root_fd_.get(), "usr/bin/lua", O_PATH, "x", opts_)),
            root_ + "/usr/bin/lua5.4");
  EXPECT_EQ(Real(OpenBelow(root_fd_.get(), "/var/run", O_PATH | O_DIRECTORY, "x", opts_)),
            root_ + "/run");
  auto fd = OpenBelow(root_fd_.get(), "usr/bin/lua", O_RDONLY, "x", opts_);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()).value_or(""), "image lua");
}

TEST_P(Below, NothingLeavesTheRoot) {
  // ".." stops at the root; an absolute target starts again at the root.
  EXPECT_EQ(Real(OpenBelow(root_fd_.get(), "usr/up", O_PATH, "x", opts_)),
            "error: open \"x\": No such file or directory");  // <root>/outside does not exist
  EXPECT_FALSE(OpenBelow(root_fd_.get(), "abs-out/secret", O_RDONLY, "x", opts_));
  EXPECT_EQ(Real(OpenBelow(root_fd_.get(), "../../..", O_PATH, "x", opts_)), root_);
  auto loop = OpenBelow(root_fd_.get(), "loop1", O_PATH, "x", opts_);
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().sys_errno(), ELOOP);
  // /proc/self/root inside the root is <root>/proc/...: not the host's magic link.
  EXPECT_FALSE(OpenBelow(root_fd_.get(), "magic/etc", O_PATH, "x", opts_));
}

TEST_P(Below, BeneathRefusesInsteadOfClamping) {
  BelowOptions beneath = opts_;
  beneath.resolve = Resolve::kBeneath;
  auto up = OpenBelow(root_fd_.get(), "usr/up", O_PATH, "x", beneath);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().sys_errno(), EXDEV);
  auto abs = OpenBelow(root_fd_.get(), "var/run", O_PATH, "x", beneath);
  ASSERT_FALSE(abs);
  EXPECT_EQ(abs.error().sys_errno(), EXDEV);
  EXPECT_EQ(Real(OpenBelow(root_fd_.get(), "usr/bin/lua5.4", O_PATH, "x", beneath)),
            root_ + "/usr/bin/lua5.4");
}

TEST_P(Below, CreatesThroughImageLinksAndOwnsOnlyWhatItMade) {
  CreateOptions create;
  create.uid = 65534;
  create.gid = 65534;
  int created = 0;
  auto fd = CreateBelow(root_fd_.get(), "var/run/secrets/kubernetes.io/serviceaccount", "sa",
                        create, opts_, &created);
  ASSERT_TRUE(fd) << fd.error().ToString();
  EXPECT_EQ(Real(fd), root_ + "/run/secrets/kubernetes.io/serviceaccount");
  EXPECT_EQ(created, 3);
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/run/secrets").c_str(), &st), 0);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 65534u);
    ASSERT_EQ(::stat((root_ + "/run").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u);  // existed: untouched
  }
  // A link planted to a host directory: the directory is made inside the root instead.
  fd = CreateBelow(root_fd_.get(), "abs-out/owned", "w", create, opts_);
  ASSERT_TRUE(fd) << fd.error().ToString();
  EXPECT_EQ(Real(fd), root_ + outside_ + "/owned");
  EXPECT_FALSE(Exists(outside_ + "/owned"));
  // The last component as a file.
  CreateOptions file;
  file.file = true;
  fd = CreateBelow(root_fd_.get(), "etc/hosts", "f", file, opts_);
  ASSERT_TRUE(fd);
  ASSERT_EQ(::stat((root_ + "/etc/hosts").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

INSTANTIATE_TEST_SUITE_P(Openat2AndWalk, Below, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "walk" : "openat2"; });

}  // namespace
}  // namespace hp::sys
