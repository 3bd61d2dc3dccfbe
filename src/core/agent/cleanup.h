// hp/agent: removing what a pod left on the host when its supervisor cannot (it crashed, was
// killed, or the pod is being deleted after it ended): the pod's jobs with every process in
// them, the container volumes (mounts, then directories), ephemeral users and the pod's
// emptyDir directory. Everything is found from the pod's uid and the container ids its status
// recorded, and the ids the pod's jobs still name (a damaged status loses its list). Idempotent:
// removing what is already gone succeeds.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::agent {

struct PodLeftovers {
  std::string root;      // the agent's --root (sandboxes/, containers/, pods/)
  std::string job_root;  // the job root the pod's containers were created under
  std::string pod_uid;
  std::vector<std::string> container_ids;
};

Status CleanupPod(const PodLeftovers& left);

}  // namespace hp::agent
