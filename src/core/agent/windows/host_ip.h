// hp/agent on Windows: the node's IP as kubelet reports it in pod status (status.hostIP, and
// podIP/podIPs for the hostNetwork pods HostProcess pods are), by the Linux node's rule
// (pod/node_info.h HostIp): the first IPv4 address of a network adapter that is up and not a
// loopback, in the system's adapter order (GetAdaptersAddresses); "127.0.0.1" when there is
// none.
#pragma once

#include <string>

namespace hp::agent {

std::string HostIp();

}  // namespace hp::agent
