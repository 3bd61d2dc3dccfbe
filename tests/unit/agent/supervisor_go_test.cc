// The supervisor's start handshake (SupervisorOptions::go_fd): `apply` execs it at once and
// records it as the pod's supervisor before giving the go; until then it touches nothing, and a
// start undone (the go pipe closed unwritten) leaves nothing behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/agent/supervisor.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

class SupervisorGoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    pod_dir_ = tmp_.path() + "/run/pods/default_p";
    ASSERT_TRUE(sys::MkdirAll(pod_dir_, 0700));
  }
  // The read end of a pipe whose write end got `go` ("" = closed unwritten).
  int GoFd(const std::string& go) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    if (!go.empty()) EXPECT_EQ(::write(fds[1], go.data(), go.size()), 1);
    ::close(fds[1]);
    return fds[0];
  }
  hp::testing::TempDir tmp_{"agent-supervisor-go-"};
  std::string pod_dir_;
};

TEST_F(SupervisorGoTest, AStartUndoneBeforeTheGoTouchesNothing) {
  int fd = GoFd("");
  EXPECT_EQ(RunSupervisor({tmp_.path(), "default_p", fd}), 127);
  auto left = sys::ListDir(pod_dir_);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << left->size() << " files written without a go";
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1) << "the go fd was not closed";
}

TEST_F(SupervisorGoTest, AfterTheGoItRunsThePod) {
  // No pod.json here: the supervisor runs and reports that as the pod's failure.
  EXPECT_EQ(RunSupervisor({tmp_.path(), "default_p", GoFd("g")}), 1);
  auto status = sys::ReadFile(pod_dir_ + "/" + kStatusFile);
  ASSERT_TRUE(status) << "no status written after the go";
  EXPECT_NE(status->find("SupervisorError"), std::string::npos) << *status;
}

}  // namespace
}  // namespace hp::agent
