#include "core/pod/node_info.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

namespace hp::pod {

std::string HostIp() {
  struct ifaddrs* ifs = nullptr;
  if (::getifaddrs(&ifs) != 0) return "127.0.0.1";
  std::string ip;
  for (struct ifaddrs* i = ifs; i && ip.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
        !(i->ifa_flags & IFF_UP)) {
      continue;
    }
    char buf[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<struct sockaddr_in*>(i->ifa_addr);
    if (::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) ip = buf;
  }
  ::freeifaddrs(ifs);
  return ip.empty() ? "127.0.0.1" : ip;
}

plan::NodeInfo LocalNodeInfo(bool host_ip) {
  plan::NodeInfo node;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  node.hostname = host;
  if (host_ip) node.host_ip = HostIp();
  node.allocatable_cpu_millis = 1000 * ::sysconf(_SC_NPROCESSORS_ONLN);
  node.allocatable_memory_bytes =
      static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  return node;
}

}  // namespace hp::pod
