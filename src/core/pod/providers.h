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
#include "core/base/undo.h"
#include "core/k8s/types.h"
#include "core/launch/launch.h"
#include "core/plan/plan.h"
#include "core/sandbox/volumes.h"
#include "core/user/identity.h"

namespace hp::pod {

using hp::Undo;

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

// Moved to their modules; the pod layer uses them under these names.
using sandbox::PodObjects;
using sandbox::PreparedVolumes;
using sandbox::VolumeContext;
using sandbox::VolumeProvider;
using user::AccountProvider;
using user::Identity;

}  // namespace hp::pod
