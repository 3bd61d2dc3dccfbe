// plan::ResolveProcess: the image's PATH first, in-root resolution, the image's loader for its
// dynamic programs, the image's interpreter for its scripts, and every place searched listed.
#include "core/plan/process.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::plan {
namespace {

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path();
    sandbox_ = dir_ + "/sandbox/";
    host_ = dir_ + "/host";
    Exe(sandbox_ + "bin/top", "#!/bin/sh\n");  // critest's busybox `top`
    Exe(host_ + "/bin/top", "#!/bin/sh\n");
    Exe(host_ + "/bin/only-host", "#!/bin/sh\n");
    Exe(sandbox_ + "usr/bin/lua5.4", "not really lua\n");
    ASSERT_TRUE(sys::MkdirAll(sandbox_ + "etc/alternatives"));
    ASSERT_EQ(::symlink("/usr/bin/lua5.4", (sandbox_ + "etc/alternatives/lua").c_str()), 0);
    ASSERT_EQ(::symlink("/etc/alternatives/lua", (sandbox_ + "usr/bin/lua").c_str()), 0);
    Exe(sandbox_ + "usr/bin/script.lua", "#!/usr/bin/lua5.4 -W\nprint(1)\n");
    Exe(sandbox_ + "usr/bin/host-sh-script", "#!/bin/sh\necho\n");
    ASSERT_TRUE(sys::WriteFile(sandbox_ + "bin/not-exec", "x"));
  }
  void Exe(const std::string& p, const std::string& content) {
    ASSERT_TRUE(sys::MkdirAll(p.substr(0, p.rfind('/'))));
    ASSERT_TRUE(sys::WriteFile(p, content));
    ASSERT_EQ(::chmod(p.c_str(), 0755), 0);
  }
  ProcessRequest Req(std::vector<std::string> argv) {
    ProcessRequest r;
    r.argv = std::move(argv);
    r.sandbox = sandbox_;
    r.image_path = {"/usr/bin", "/bin"};
    r.host_path = {host_ + "/bin", "/usr/bin", "/bin"};
    r.cwd = sandbox_;
    return r;
  }
  hp::testing::TempDir tmp_{"hp-plan-proc-"};
  std::string dir_, sandbox_, host_;
};

TEST_F(ProcessTest, TheImagesCommandFirstThenTheHosts) {
  auto r = ResolveProcess(Req({"top", "-b"}), RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->executable, sandbox_ + "bin/top");
  EXPECT_EQ(r->argv, (std::vector<std::string>{"top", "-b"}));
  r = ResolveProcess(Req({"only-host"}), RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->executable, host_ + "/bin/only-host");
}

TEST_F(ProcessTest, AbsoluteLinksInTheImageStayInTheImage) {
  // /usr/bin/lua -> /etc/alternatives/lua -> /usr/bin/lua5.4, all in the image.
  auto r = ResolveProcess(Req({"lua"}), RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->program, sandbox_ + "usr/bin/lua5.4");
  // An absolute command the host lacks is the image's.
  r = ResolveProcess(Req({"/usr/bin/lua"}), RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->program, sandbox_ + "usr/bin/lua5.4");
  // Relative to a working directory in the sandbox.
  auto q = Req({"./usr/bin/lua"});
  r = ResolveProcess(q, RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->program, sandbox_ + "usr/bin/lua5.4");
}

TEST_F(ProcessTest, AScriptWhoseInterpreterOnlyTheImageHas) {
  auto r = ResolveProcess(Req({"script.lua", "a"}), RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->interpreter, sandbox_ + "usr/bin/lua5.4");
  EXPECT_EQ(r->executable, sandbox_ + "usr/bin/lua5.4");
  EXPECT_EQ(r->argv, (std::vector<std::string>{"/usr/bin/lua5.4", "-W",
                                               sandbox_ + "usr/bin/script.lua", "a"}));
  // The host has /bin/sh: the kernel runs the script as it is.
  r = ResolveProcess(Req({"host-sh-script"}), RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->executable, sandbox_ + "usr/bin/host-sh-script");
  EXPECT_TRUE(r->interpreter.empty());
  auto off = Req({"script.lua"});
  off.image_loader = false;
  r = ResolveProcess(off, RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->executable, sandbox_ + "usr/bin/script.lua");
}

TEST_F(ProcessTest, DynamicProgramsRunThroughTheImagesLoader) {
  // A real dynamic program and its loader, copied into the image.
  std::string interp = ElfInterpreter("/bin/true", RealFs());
  if (interp.empty()) GTEST_SKIP() << "/bin/true is not dynamically linked here";
  Exe(sandbox_ + "usr/bin/dyn", sys::ReadFile("/bin/true").value());
  Exe(sandbox_ + interp.substr(1), sys::ReadFile(interp).value());
  ASSERT_TRUE(sys::MkdirAll(sandbox_ + "usr/lib/extra"));
  ASSERT_TRUE(sys::MkdirAll(sandbox_ + "etc/ld.so.conf.d"));
  ASSERT_TRUE(sys::WriteFile(sandbox_ + "etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"));
  ASSERT_TRUE(sys::WriteFile(sandbox_ + "etc/ld.so.conf.d/x.conf", "# extra\n/usr/lib/extra\n"));
  auto r = ResolveProcess(Req({"dyn", "arg"}), RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->loader, sandbox_ + interp.substr(1));
  EXPECT_EQ(r->executable, r->loader);
  ASSERT_GE(r->argv.size(), 4u);
  EXPECT_EQ(r->argv[r->argv.size() - 2], sandbox_ + "usr/bin/dyn");
  EXPECT_EQ(r->argv.back(), "arg");
  auto lp = std::find(r->argv.begin(), r->argv.end(), "--library-path");
  ASSERT_NE(lp, r->argv.end());
  EXPECT_EQ((lp + 1)->rfind(sandbox_ + "usr/lib/extra", 0), 0u) << *(lp + 1);  // ld.so.conf first
  auto a0 = std::find(r->argv.begin(), r->argv.end(), "--argv0");
  if (a0 != r->argv.end()) {
    EXPECT_EQ(*(a0 + 1), "dyn");
  }
  // A host program is never touched.
  r = ResolveProcess(Req({"/bin/true"}), RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->executable, "/bin/true");
  EXPECT_TRUE(r->loader.empty());
}

TEST_F(ProcessTest, NotFoundListsEveryPlaceInBothWordings) {
  auto r = ResolveProcess(Req({"not-exec"}), RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message(), "executable \"not-exec\" not found; searched: \"" + sandbox_ +
                                     "usr/bin/not-exec\", \"" + sandbox_ + "bin/not-exec\", \"" +
                                     host_ +
                                     "/bin/not-exec\", \"/usr/bin/not-exec\", "
                                     "\"/bin/not-exec\"");
  auto q = Req({"nope"});
  q.wording = NotFoundWording::kRuntime;
  r = ResolveProcess(q, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("exec: \"nope\": executable file not found in $PATH", 0), 0u)
      << r.error().message();
  q = Req({"x"});
  q.image_path.clear();
  q.host_path.clear();
  r = ResolveProcess(q, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "executable \"x\" not found: PATH is empty");
}

// A program named by path that is there but cannot be run (no execute bit, a directory) is
// execve's EACCES, in runc's words for the runtime ("no such file" before).
TEST_F(ProcessTest, APathThatIsThereButNotExecutableIsPermissionDenied) {
  auto q = Req({"bin/not-exec"});
  auto r = ResolveProcess(q, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message(),
            "executable \"bin/not-exec\": \"" + sandbox_ +
                "bin/not-exec\" is not an executable file (permission denied)");
  for (const char* name : {"/bin/not-exec", "/etc", "./bin"}) {
    q = Req({name});
    q.wording = NotFoundWording::kRuntime;
    r = ResolveProcess(q, RealFs());
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().message(), "exec: \"" + std::string(name) + "\": permission denied");
  }
  q = Req({"/bin/no-such-program"});
  q.wording = NotFoundWording::kRuntime;
  r = ResolveProcess(q, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);  // nothing there: still "no such file"
}

}  // namespace
}  // namespace hp::plan
