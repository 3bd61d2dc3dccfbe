// hp/oci: what an OCI bundle means for a HostProcess container (SPEC §1, §4, §6).
//
// The bundle's rootfs is the container volume (the sandbox); the process runs on the host:
//   - namespaces: host ones are kept. A namespace path equal to the host's is accepted; a
//     request for a new (or another) pid/network/ipc/uts/mount/cgroup namespace is ignored with
//     a warning; user and time namespaces are refused (they would change what ids and clocks
//     mean for a host process).
//   - mounts: /proc, /sys (incl. /sys/fs/cgroup) and /dev* are the host's own and are skipped;
//     bind mounts and tmpfs go to <sandbox>/<destination>; other kinds are skipped with a
//     warning.
//   - process: `$CONTAINER_SANDBOX_MOUNT_POINT` / `${CONTAINER_SANDBOX_MOUNT_POINT}` are
//     expanded in args and cwd; cwd "/" (the OCI default) is the sandbox, another absolute cwd
//     is the host path when it exists, else the same path inside the sandbox (created); the
//     command resolves as the node CLI's does (plan/process.h: the process's PATH entries inside
//     the sandbox first, then on the host; the image's loader), with runc's "not found" words;
//     PATH = the host entries, then the same inside the sandbox;
//     `CONTAINER_SANDBOX_MOUNT_POINT=<sandbox>/` is set last.
// Planning reads the file system (stat) but changes nothing.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/oci/spec.h"
#include "core/plan/plan.h"
#include "core/sandbox/mounts.h"

namespace hp::oci {

// The node's constants (plan.h), under the names the runtime uses.
inline constexpr const char* kSandboxEnv = plan::kSandboxEnv;
inline constexpr const char* kHostProcessAnnotation = "microsoft.com/hostprocess-container";
inline constexpr const char* kIoBpsAnnotation = plan::kAnnotationIoBpsMax;
inline constexpr const char* kIoIopsAnnotation = plan::kAnnotationIoIopsMax;
inline constexpr const char* kMountLayoutAnnotation = plan::kAnnotationMountLayout;
inline constexpr const char* kDefaultPath = plan::kDefaultHostPath;

// Identity of a namespace: st_dev/st_ino of its /proc/<pid>/ns/<type> file.
struct NsId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const NsId&) const = default;
};
// Looks a namespace up: the host's (`path` empty → /proc/self/ns/<type>) or a given path.
using NsResolver = Result<NsId> (*)(const std::string& type, const std::string& path);
Result<NsId> ResolveNamespace(const std::string& type, const std::string& path);

// Returns the warnings to log; an error for user/time namespaces or an unknown type.
Result<std::vector<std::string>> CheckNamespaces(const std::vector<Namespace>& namespaces,
                                                 NsResolver resolve = &ResolveNamespace);

// Checks the HostProcess annotations. `microsoft.com/hostprocess-container` other than "true"
// is refused (this runtime only runs HostProcess containers); `hostprocess.io/mount-layout`
// other than "sandbox" adds a warning (only the sandbox layout is supported here).
Result<std::vector<std::string>> CheckAnnotations(
    const std::map<std::string, std::string>& annotations);

using sandbox::MountAction;
using sandbox::MountPlan;
using sandbox::MountUnderSandbox;
using sandbox::UnmountAll;

// True for /proc, /sys, /dev and everything below them.
bool IsSystemMount(const std::string& destination);
// The plans in mount order: a parent before its children whatever the bundle's order, as
// containerd sorts by depth (issue 21 item 9); equal depths keep their order.
std::vector<MountPlan> InMountOrder(std::vector<MountPlan> plans);
// Classifies each mount; warnings for skipped non-system kinds.
Result<std::vector<MountPlan>> PlanMounts(const std::vector<Mount>& mounts,
                                          std::vector<std::string>* warnings);

struct ProcessPlan {
  std::string path;               // resolved executable (host path), by ResolveExecutable
  std::vector<std::string> argv;  // expanded; by ResolveExecutable: what execve() gets
  std::vector<std::string> env;   // final, sandbox variable last
  std::string cwd;                // host path
  bool create_cwd = false;        // cwd is inside the sandbox and missing: create it
  plan::ProcessRequest request;   // the command and where it is looked up
};

// `sandbox` is the absolute rootfs path, with or without trailing '/'. Resolves everything but the
// executable.
Result<ProcessPlan> PlanProcess(const Process& process, const std::string& sandbox);
// Resolves the command (plan::ResolveProcess with runc's wording: the image's PATH directories
// inside the sandbox first, then the host's; the image's loader) once `plan.cwd` exists.
Status ResolveExecutable(ProcessPlan& plan);

// "<rootfs>/" made absolute against the bundle (the value of CONTAINER_SANDBOX_MOUNT_POINT).
std::string SandboxPath(const std::string& bundle, const std::string& root_path);

}  // namespace hp::oci
