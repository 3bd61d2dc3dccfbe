// The Windows node: the native processor architecture (as Go's GOARCH names it, through
// KubeArch) and the DNS host name, which kubelet lower-cases; `kubernetes.io/os: windows`.
#include <windows.h>

#include <string>

#include "core/agent/node.h"
#include "core/sys/windows/wide.h"

namespace hp::agent {

Node LocalNode(const NodeConfig& config) {
  SYSTEM_INFO info{};
  GetNativeSystemInfo(&info);
  const char* machine = "x86_64";
  switch (info.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_ARM64:
      machine = "aarch64";
      break;
    case PROCESSOR_ARCHITECTURE_INTEL:
      machine = "i686";
      break;
    case PROCESSOR_ARCHITECTURE_ARM:
      machine = "armv7l";
      break;
    default:
      break;
  }
  wchar_t host[256] = {};
  DWORD n = 256;
  std::string hostname = "localhost";
  if (GetComputerNameExW(ComputerNameDnsHostname, host, &n) && n > 0)
    hostname = sys::Narrow({host, n});
  return MakeNode(config, machine, hostname, "windows");
}

}  // namespace hp::agent
