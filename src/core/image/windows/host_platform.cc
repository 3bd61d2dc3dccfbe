// hp/image on Windows: the host's platform (manifest.h): windows and the machine's native
// architecture in GOARCH spelling (GetNativeSystemInfo: the machine's, not the process's, so a
// 32-bit build would still pick the images of a 64-bit node).
#include <windows.h>

#include "core/image/manifest.h"

namespace hp::image {

Platform HostPlatform() {
  Platform p;
  p.os = "windows";
  SYSTEM_INFO si{};
  GetNativeSystemInfo(&si);
  switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64:
      p.architecture = "amd64";
      break;
    case PROCESSOR_ARCHITECTURE_ARM64:
      p.architecture = "arm64";
      break;
    case PROCESSOR_ARCHITECTURE_INTEL:
      p.architecture = "386";
      break;
    default:
      p.architecture = "amd64";  // what Windows container images are built for
      break;
  }
  return p;
}

}  // namespace hp::image
