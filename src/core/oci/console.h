// hp/oci: the terminal of a `terminal: true` process, handed to the caller as runc does:
// a new pty; its master is sent over the unix socket named by --console-socket (SCM_RIGHTS,
// one fd, the pty's name as payload); the slave becomes the process's stdio and controlling tty.
#pragma once

#include <string>

#include "core/base/result.h"
#include "core/base/unique_fd.h"
#include "core/oci/spec.h"

namespace hp::oci {

struct Pty {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_name;  // "/dev/pts/3"
};

// Opens a new pty pair (both close-on-exec), sized when `size` has non-zero dimensions.
Result<Pty> OpenPty(const std::optional<ConsoleSize>& size);

// Connects to the unix socket at `socket_path` and sends `fd` with `name` as the payload.
Status SendFd(const std::string& socket_path, int fd, const std::string& name);

}  // namespace hp::oci
