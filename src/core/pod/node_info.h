// hp/pod: the facts about this node that planning needs (host name, address, allocatable CPU
// and memory), read from the running system.
#pragma once

#include <string>

#include "core/plan/plan.h"

namespace hp::pod {

// The first non-loopback IPv4 address of an interface that is up; "127.0.0.1" when none.
std::string HostIp();
// gethostname(2), the host IP (unless `host_ip` is false: plan::UsesHostIp), the online CPUs
// and the physical memory.
plan::NodeInfo LocalNodeInfo(bool host_ip = true);

}  // namespace hp::pod
