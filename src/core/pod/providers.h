// hp/pod: what the container runner needs from the other layers, as small interfaces, so the
// runner is a library (shared by `hostprocess run` and the node agent) and each piece can be
// replaced: the image store or a plain directory for the files, hp/user for accounts, the
// sandbox layer for volumes. Every Prepare returns an Undo that removes what it created; the
// runner runs them in reverse order at teardown, and on any error during creation.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"
#include "core/launch/launch.h"
#include "core/plan/plan.h"

namespace hp::pod {

// Removes what a Prepare step created. Idempotent; must work after a partial Prepare.
using Undo = std::function<Status()>;

// The container's files.
class RootfsProvider {
 public:
  virtual ~RootfsProvider() = default;
  // The image's config (env, entrypoint, cmd, working dir, user).
  virtual Result<plan::ImageConfig> Config(const std::string& image) = 0;
  // Makes `target` (an empty directory) hold the image's files; `scratch` is a private
  // directory for the provider (overlay upper/work, records).
  virtual Result<Undo> Mount(const std::string& image, const std::string& target,
                             const std::string& scratch) = 0;
};

// Who the processes run as.
struct Identity {
  std::string name;  // for messages and logs
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  // nullopt: keep what the runner has (root stays root with the runner's capabilities).
  std::optional<launch::Capabilities> caps;
  bool no_new_privs = false;
};
class AccountProvider {
 public:
  virtual ~AccountProvider() = default;
  // Resolves (and creates when needed: service accounts, ephemeral users) the identity.
  // `undo` is set to what removes created things (ephemeral users).
  virtual Result<Identity> Resolve(const plan::AccountRequest& req, const std::string& container_id,
                                   Undo& undo) = 0;
};

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
  std::string sandbox;  // with trailing '/'
  std::string scratch;  // private directory for emptyDir and file volumes
  std::string pod_dir;  // per-pod state dir (emptyDir shared between containers)
  Identity identity;    // owner of writable volumes
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

}  // namespace hp::pod
