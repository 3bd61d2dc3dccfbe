// hp/sandbox: the pod's volume mounts placed in the container volume (SPEC §4).
//
// Every mount target below the sandbox is resolved *inside* it (hp/sys CreateBelow, in-root:
// an image's `/var/run -> /run` puts the service account token in `<sandbox>/run/secrets/...`,
// and no symlink planted in the image or a volume can point a mount outside the sandbox); a
// subPath resolves inside its volume the same way. The bind is made on /proc/self/fd/N of the
// resolved target, and read-only remounts go through the same descriptor, never a path string.
// hostPath (with kubelet's type checks; sockets refused), emptyDir (per pod, `medium: Memory` is
// a tmpfs with sizeLimit), configMap, secret, downwardAPI and projected volumes (service account
// token, ca.crt, namespace) — file volumes are written to the container's scratch directory and
// bound read-only.
//
// The `absolute` layout also binds each volume at its absolute mountPath, in the container's
// private mount namespace (done by hp/launch): the host's mount table never has it. A mount
// point missing on the host (/var/run/secrets/... usually is) is created for it, empty and
// marked (xattr trusted.hostprocess.mount-point), and removed by the last container using it.
// Creating it follows no symlink that a non-root user owns (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/undo.h"
#include "core/k8s/types.h"
#include "core/launch/launch.h"
#include "core/plan/plan.h"
#include "core/user/identity.h"

namespace hp::sandbox {

// The pod's objects a container can refer to (configMap, secret, service account volumes).
struct PodObjects {
  std::vector<const k8s::ConfigMap*> config_maps;
  std::vector<const k8s::Secret*> secrets;
  std::vector<const k8s::ServiceAccount*> service_accounts;
};

// The volume mounts of a container, placed under its sandbox.
struct VolumeContext {
  const k8s::Pod* pod = nullptr;
  const k8s::Container* container = nullptr;
  plan::NodeInfo node;
  const PodObjects* objects = nullptr;
  std::string sandbox;      // with trailing '/'
  std::string scratch;      // private directory for file volumes
  std::string pod_dir;      // per-pod state dir (emptyDir shared between containers)
  user::Identity identity;  // owner of writable volumes
  plan::MountLayout layout = plan::MountLayout::kSandbox;
};

struct PreparedVolumes {
  // For the `absolute` layout: binds done in the container's private mount namespace.
  std::vector<launch::BindMount> binds;
  Undo undo;
};

class VolumeProvider {
 public:
  virtual ~VolumeProvider() = default;
  virtual Result<PreparedVolumes> Prepare(const std::vector<plan::VolumeMountPlan>& mounts,
                                          const VolumeContext& ctx) = 0;
  // The pod is gone: removes what its containers shared (emptyDir volumes under `pod_dir`).
  virtual Status ReleasePod(const std::string& pod_dir) = 0;
};

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

// kubelet's eviction rule for a disk-backed emptyDir with a sizeLimit: the eviction message
// (`Usage of EmptyDir volume "x" exceeds the limit "5Mi". `) for the first such volume of `pod`
// whose usage under `pod_dir` exceeds its limit, "" when none does. Memory-backed ones are
// bounded by their tmpfs size instead.
std::string EmptyDirOverLimit(const k8s::Pod& pod, const std::string& pod_dir);
// Bytes allocated below `dir` (st_blocks × 512, as du), not following symlinks, not crossing
// into other file systems (volumes mounted inside are theirs, not this one's).
uint64_t DiskUsage(const std::string& dir);

// Mount plans sorted so that a parent is mounted before its children, whatever the manifest's
// order (containerd sorts by depth); equal depths keep their order.
std::vector<plan::VolumeMountPlan> InMountOrder(std::vector<plan::VolumeMountPlan> mounts);

}  // namespace hp::sandbox
