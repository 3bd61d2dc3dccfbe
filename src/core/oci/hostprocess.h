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
//     is the host path when it exists, else the same path inside the sandbox (created); a
//     command without '/' is searched in PATH = the process's PATH entries on the host, then the
//     same entries inside the sandbox; `CONTAINER_SANDBOX_MOUNT_POINT=<sandbox>/` is set last.
// Planning reads the file system (stat) but changes nothing.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/oci/spec.h"

namespace hp::oci {

inline constexpr const char* kSandboxEnv = "CONTAINER_SANDBOX_MOUNT_POINT";
inline constexpr const char* kHostProcessAnnotation = "microsoft.com/hostprocess-container";
inline constexpr const char* kIoBpsAnnotation = "hostprocess.io/io-bps-max";
inline constexpr const char* kIoIopsAnnotation = "hostprocess.io/io-iops-max";
inline constexpr const char* kMountLayoutAnnotation = "hostprocess.io/mount-layout";
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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

enum class MountAction { kSkipSystem, kSkipUnsupported, kBind, kTmpfs };

struct MountPlan {
  MountAction action = MountAction::kSkipSystem;
  std::string destination;  // cleaned, absolute, inside the container ("/etc/hosts")
  std::string source;       // host path (bind)
  bool recursive = false;   // rbind
  bool read_only = false;
  unsigned long flags = 0;  // MS_NOSUID | MS_NODEV | MS_NOEXEC ... from the options
  std::string data;         // tmpfs data ("size=65536k,mode=755")
};

// True for /proc, /sys, /dev and everything below them.
bool IsSystemMount(const std::string& destination);
// Classifies each mount; warnings for skipped non-system kinds.
Result<std::vector<MountPlan>> PlanMounts(const std::vector<Mount>& mounts,
                                          std::vector<std::string>* warnings);

struct ProcessPlan {
  std::string path;               // resolved executable (host path)
  std::vector<std::string> argv;  // expanded
  std::vector<std::string> env;   // final, sandbox variable last
  std::string cwd;                // host path
  bool create_cwd = false;        // cwd is inside the sandbox and missing: create it
};

// `sandbox` is the absolute rootfs path, with or without trailing '/'.
Result<ProcessPlan> PlanProcess(const Process& process, const std::string& sandbox);

// "<rootfs>/" made absolute against the bundle (the value of CONTAINER_SANDBOX_MOUNT_POINT).
std::string SandboxPath(const std::string& bundle, const std::string& root_path);

}  // namespace hp::oci
