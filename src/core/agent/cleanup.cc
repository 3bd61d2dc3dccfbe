#include "core/agent/cleanup.h"

#include <unistd.h>

#include <algorithm>

#include "core/image/rootfs.h"
#include "core/job/job.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"
#include "core/user/accounts.h"

namespace hp::agent {

Status CleanupPod(const PodLeftovers& left) {
  Status first = Ok();
  auto keep = [&](Status s) {
    if (!s && first) first = std::move(s);
  };
  std::vector<std::string> ids = left.container_ids;
  // Processes first: nothing may keep a mount busy or recreate files while we remove them.
  if (!left.pod_uid.empty()) {
    auto jobs = job::NewJobManager({left.job_root});
    if (jobs) {
      auto pods = (*jobs)->ListPods();
      if (pods && std::find(pods->begin(), pods->end(), left.pod_uid) != pods->end()) {
        // The jobs name their containers too: the status that should list them may be damaged.
        if (auto containers = (*jobs)->ListContainers(left.pod_uid)) {
          for (const std::string& c : *containers) {
            if (std::find(ids.begin(), ids.end(), c) == ids.end()) ids.push_back(c);
          }
        }
        keep((*jobs)->DestroyPod(left.pod_uid));
      }
    } else {
      keep(Err(std::move(jobs).error()));
    }
  }
  for (const std::string& id : ids) {
    if (id.empty() || id.find('/') != std::string::npos || id[0] == '.') continue;
    std::string sandbox = left.root + "/sandboxes/" + id;
    std::string scratch = left.root + "/containers/" + id;
    bool detached = true;
    for (const std::string& dir : {sandbox, scratch}) {
      if (!sys::Exists(dir)) continue;
      Status d = sys::DetachMountsUnder(dir);
      detached &= d.has_value();
      keep(d);
    }
    if (!detached) continue;
    // The image layers' lease is named in the rootfs record (image/rootfs.h); a crash before
    // that record was written leaves the lease alone, found by the sandbox's path.
    if (sys::Exists(scratch)) keep(image::UnmountRootfs(sandbox, scratch + "/rootfs"));
    keep(image::DropRootfsLease(left.root, sandbox + "/"));
    // The account before the directories: they are what names it. A clean-up killed in between,
    // or a userdel refused (a process of the account still alive), keeps them, so the next one
    // tries again instead of leaving an account that nothing names (the chaos test found it).
    Status account =
        user::RemoveEphemeralUser(user::AccountNames{}.ephemeral_prefix + id.substr(0, 12));
    if (!account) {
      keep(std::move(account));
      continue;
    }
    for (const std::string& dir : {sandbox, scratch}) {
      if (sys::Exists(dir)) keep(sys::RemoveAll(dir));
    }
  }
  if (!left.pod_uid.empty() && left.pod_uid.find('/') == std::string::npos) {
    std::string dir = left.root + "/pods/" + left.pod_uid;
    if (sys::Exists(dir)) {
      Status d = sys::DetachMountsUnder(dir);
      keep(d);
      if (d) keep(sys::RemoveAll(dir));
    }
  }
  return first;
}

}  // namespace hp::agent
