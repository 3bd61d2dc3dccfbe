#include "core/oci/console.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include <cerrno>
#include <cstring>

namespace hp::oci {

Result<Pty> OpenPty(const std::optional<ConsoleSize>& size) {
  Pty pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return SysErr("open \"/dev/ptmx\"");
  if (::grantpt(pty.master.get()) != 0) return SysErr("grantpt");
  if (::unlockpt(pty.master.get()) != 0) return SysErr("unlockpt");
  char name[128];
  if (int e = ::ptsname_r(pty.master.get(), name, sizeof name); e != 0)
    return SysErrN(e, "ptsname");
  pty.slave_name = name;
  pty.slave = UniqueFd(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) return SysErr("open \"{}\"", pty.slave_name);
  if (size && size->height > 0 && size->width > 0) {
    struct winsize ws = {};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(pty.master.get(), TIOCSWINSZ, &ws) != 0)
      return SysErr("set window size of \"{}\"", pty.slave_name);
  }
  return pty;
}

Status SendFd(const std::string& socket_path, int fd, const std::string& name) {
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return SysErr("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return Err(ErrorCode::kInvalidArgument, "console socket path \"{}\" is too long", socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int rc;
  do {
    rc = ::connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return SysErr("connect to console socket \"{}\"", socket_path);

  std::string payload = name.empty() ? std::string("/dev/ptmx") : name;
  struct iovec iov = {payload.data(), payload.size()};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t n;
  do {
    n = ::sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return SysErr("send the console to \"{}\"", socket_path);
  return Ok();
}

}  // namespace hp::oci
