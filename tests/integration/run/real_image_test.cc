// A real distro image, as users build them: Debian bookworm made by mmdebstrap
// (scripts/build-debian-test-image.sh), imported with `hostprocess import` and run with
// `hostprocess run`, as SYSTEM and as Local service. Covers: an image program whose library only
// the image has (the image's loader), the /etc/alternatives chain of absolute links, a shebang
// script whose interpreter only the image has, the service account token through the image's
// `/var/run -> /run`, by relative path and through $CONTAINER_SANDBOX_MOUNT_POINT, and a setuid
// file of the image that grants nothing outside the container (nosuid).
#include <sys/wait.h>

#include <cstdlib>
#include <thread>

#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

class RealImage : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const char* image = std::getenv("HP_DEBIAN_IMAGE");
    if (!image || !*image)
      GTEST_SKIP() << "HP_DEBIAN_IMAGE is not set (scripts/test.sh builds the image with "
                      "scripts/build-debian-test-image.sh)";
    ASSERT_TRUE(sys::Exists(image)) << "HP_DEBIAN_IMAGE=" << image << " does not exist";
    ASSERT_TRUE(sys::Exists(Binary())) << "hostprocess binary not built";
    ASSERT_EQ(Sh("'" + Binary() + "' --root '" + root_ + "' import '" + image + "' debian:lua"), 0)
        << err_;
  }
  std::string Binary() { return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess"; }
  int Sh(const std::string& cmd) {
    int rc = ::system((cmd + " >'" + root_ + "/out' 2>'" + root_ + "/err'").c_str());
    out_ = ReadOr(root_ + "/out");
    err_ = ReadOr(root_ + "/err");
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  int Run(const std::string& yaml) {
    EXPECT_TRUE(sys::WriteFile(root_ + "/pod.yaml", yaml));
    return Sh("'" + Binary() + "' --root '" + root_ + "' run --rm -f '" + root_ +
              "/pod.yaml' --cgroup-root '" + cgroup_root_ + "'");
  }
  std::string err_;
};

constexpr const char* kContainers = R"Y(  - name: lua
    image: debian:lua
    command: [lua, -e, "print(_VERSION)"]
  - name: script
    image: debian:lua
    command: [hello.lua, world]
  - name: token
    image: debian:lua
    command: [cat, var/run/secrets/kubernetes.io/serviceaccount/namespace]
  - name: through-variable
    image: debian:lua
    command: [sh, -c, 'cat "${CONTAINER_SANDBOX_MOUNT_POINT}var/run/secrets/kubernetes.io/serviceaccount/namespace"']
  - name: absolute
    image: debian:lua
    command: ["$(CONTAINER_SANDBOX_MOUNT_POINT)usr/bin/lua", -e, "print(2+2)"]
)Y";

TEST_F(RealImage, ProgramsLibrariesLinksScriptsAndTokenAsSystemAndLocalService) {
  bool host_has_liblua = ::system("ldconfig -p | grep -q 'liblua5.4.so'") == 0;
  RecordProperty("host_has_liblua", host_has_liblua ? "yes" : "no");
  for (const char* account : {"NT AUTHORITY\\\\SYSTEM", "NT AUTHORITY\\\\Local service"}) {
    SCOPED_TRACE(account);
    std::string extra = std::string("  securityContext:\n    windowsOptions:\n") +
                        "      hostProcess: true\n      runAsUserName: \"" + account + "\"\n";
    std::string yaml = Pod(kContainers);
    yaml.replace(
        yaml.find("  securityContext:\n    windowsOptions: {hostProcess: true}\n"),
        std::string("  securityContext:\n    windowsOptions: {hostProcess: true}\n").size(), extra);
    EXPECT_EQ(Run(yaml), 0) << err_ << out_;
    for (const char* line : {"[lua] Lua 5.4\n", "[script] hello from Lua 5.4 world\n",
                             "[token] default", "[through-variable] default", "[absolute] 4\n"}) {
      EXPECT_NE(out_.find(line), std::string::npos) << "missing " << line << " in\n"
                                                    << out_ << err_;
    }
  }
}

TEST_F(RealImage, SetuidFilesOfTheImageGrantNothingOutside) {
  // The pod runs as nobody, so nobody can reach its sandbox; the image's setuid-root shell
  // there must not give nobody euid 0.
  std::string yaml = Pod(R"Y(  - name: wait
    image: debian:lua
    command: [sh, -c, "touch ready; while [ ! -e done ]; do sleep 0.05; done"]
)Y");
  std::string from = "  securityContext:\n    windowsOptions: {hostProcess: true}\n";
  yaml.replace(yaml.find(from), from.size(),
               "  securityContext:\n    windowsOptions: {hostProcess: true, runAsUserName: "
               "nobody}\n");
  ASSERT_TRUE(sys::WriteFile(root_ + "/pod.yaml", yaml));
  std::thread run([&] {
    ::system(("'" + Binary() + "' --root '" + root_ + "' run --rm -f '" + root_ +
              "/pod.yaml' --cgroup-root '" + cgroup_root_ + "' >/dev/null 2>&1")
                 .c_str());
  });
  std::string sandbox;
  for (int i = 0; i < 400 && sandbox.empty(); ++i) {
    auto ids = sys::ListDir(root_ + "/sandboxes");
    if (ids) {
      for (const std::string& id : *ids) {
        if (sys::Exists(root_ + "/sandboxes/" + id + "/ready"))
          sandbox = root_ + "/sandboxes/" + id;
      }
    }
    if (sandbox.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(sandbox.empty()) << "the pod did not start";
  struct stat st;
  ASSERT_EQ(::stat((sandbox + "/usr/local/bin/suid-sh").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_ISUID) << "the image's file keeps its mode";
  int rc = Sh("setpriv --reuid=65534 --regid=65534 --clear-groups '" + sandbox +
              "/usr/local/bin/suid-sh' -p -c 'id -u'");
  EXPECT_EQ(rc, 0) << err_;
  EXPECT_EQ(out_, "65534\n") << "setuid took effect from the container volume";
  ASSERT_TRUE(sys::WriteFile(sandbox + "/done", ""));
  run.join();
}

}  // namespace
}  // namespace hp::pod::testing
