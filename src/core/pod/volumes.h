// hp/pod: volume mounts placed in the container volume (SPEC §4), as a VolumeProvider (used
// until hp/sandbox is available; see docs/run.md).
//
// Every mount target is created and opened component by component under the sandbox with
// O_NOFOLLOW, so a mountPath or subPath cannot leave the sandbox through `..` or a symlink
// planted in the image; the bind is then done onto the opened directory (/proc/self/fd/N).
// hostPath (with kubelet's type checks; sockets refused), emptyDir (per pod, `medium: Memory` is
// a tmpfs with sizeLimit), configMap, secret, downwardAPI and projected volumes (service account
// token, ca.crt, namespace) — file volumes are written to the container's scratch directory and
// bound read-only.
//
// The `absolute` layout also binds each volume at its absolute mountPath, in the container's
// private mount namespace (done by hp/launch): the host's mount table never has it. A mount
// point missing on the host (/var/run/secrets/... usually is) is created for it, empty and
// marked (xattr trusted.hostprocess.mount-point), and removed by the last container using it.
#pragma once

#include <string>

#include "core/pod/providers.h"

namespace hp::pod {

struct HostVolumesConfig {
  // Node-local service account material: `token` and `ca.crt` in this directory are used when
  // present; otherwise an unsigned local token naming the pod and account is written.
  std::string service_account_dir;
};

class HostVolumes : public VolumeProvider {
 public:
  explicit HostVolumes(HostVolumesConfig config = {}) : config_(std::move(config)) {}
  Result<PreparedVolumes> Prepare(const std::vector<plan::VolumeMountPlan>& mounts,
                                  const VolumeContext& ctx) override;
  Status ReleasePod(const std::string& pod_dir) override;

 private:
  HostVolumesConfig config_;
};

// Opens `rel` beneath the directory `base_fd` without following any symlink, creating missing
// directories (and the last component as an empty file when `file`) when `create`. Returns an
// O_PATH fd. `what` names the path in errors.
Result<UniqueFd> OpenBeneath(int base_fd, const std::string& rel, bool create, bool file,
                             const std::string& what);

}  // namespace hp::pod
