// hp/image on Linux: the host's platform (manifest.h), from uname(2)'s machine in GOARCH
// spelling.
#include <sys/utsname.h>

#include "core/base/strings.h"
#include "core/image/manifest.h"

namespace hp::image {

Platform HostPlatform() {
  Platform p;
  p.os = "linux";
  struct utsname u;
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") {
    p.architecture = "amd64";
  } else if (m == "aarch64") {
    p.architecture = "arm64";
  } else if (StartsWith(m, "armv7")) {
    p.architecture = "arm";
    p.variant = "v7";
  } else if (m == "i686" || m == "i386") {
    p.architecture = "386";
  } else {
    p.architecture = m;
  }
  return p;
}

}  // namespace hp::image
