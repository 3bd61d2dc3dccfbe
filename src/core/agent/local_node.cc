// The Linux node: uname(2)'s machine and gethostname(2).
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "core/agent/node.h"

namespace hp::agent {

Node LocalNode(const NodeConfig& config) {
  struct utsname u {};
  ::uname(&u);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "%s", u.nodename);
  return MakeNode(config, u.machine, host, "linux");
}

}  // namespace hp::agent
