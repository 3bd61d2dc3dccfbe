// hp/plan: pod + container + image config + node → ContainerPlan, the complete, pure
// description of one HostProcess container that the runner carries out (SPEC §3–§4).
//
// Planning makes no changes to the system: it only reads its inputs and asks `Fs` whether
// files exist (command resolution). Everything a container needs is decided here: argv with the
// resolved executable, the environment in its final order, the working directory, the account
// request, the job limits, the volume mounts, the mount layout and the grace period.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"
#include "core/plan/command.h"
#include "core/plan/process.h"

namespace hp::plan {

inline constexpr const char* kSandboxEnv = "CONTAINER_SANDBOX_MOUNT_POINT";
inline constexpr const char* kAnnotationMountLayout = "hostprocess.io/mount-layout";
inline constexpr const char* kAnnotationPidsMax = "hostprocess.io/pids-max";
inline constexpr const char* kAnnotationIoBpsMax = "hostprocess.io/io-bps-max";
inline constexpr const char* kAnnotationIoIopsMax = "hostprocess.io/io-iops-max";
// "false": image programs are executed directly, not through the image's loader (process.h).
inline constexpr const char* kAnnotationImageLoader = "hostprocess.io/image-loader";
inline constexpr const char* kServiceAccountMountPath =
    "/var/run/secrets/kubernetes.io/serviceaccount";
inline constexpr const char* kDefaultHostPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What the image says about running it (OCI image config).
struct ImageConfig {
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string user;
  std::string os;  // the config's "os" ("linux", "windows"); "" = not recorded (a directory)
};

// Facts about this node.
struct NodeInfo {
  std::string os = "linux";  // the OS images must be built for ("windows" on Windows nodes)
  std::string hostname;
  std::string host_ip;  // status.hostIP and, with hostNetwork, podIP
  std::string default_path = kDefaultHostPath;
  int64_t allocatable_cpu_millis = 0;  // resourceFieldRef default for unset limits
  int64_t allocatable_memory_bytes = 0;
  std::optional<int64_t> default_pids_max;  // when no hostprocess.io/pids-max annotation
};

using EnvList = std::vector<std::pair<std::string, std::string>>;
// Sets `name` in place (where it already is) or appends it; the value of `name`, or null.
void SetEnv(EnvList& env, const std::string& name, std::string value);
const std::string* GetEnv(const EnvList& env, const std::string& name);
// The quantity of resource `name` ("cpu", "memory", ...) in `list`, or null.
const k8s::Quantity* FindResource(const k8s::ResourceList& list, const std::string& name);

// SPEC §7: an image runs only on a node of the OS it was built for (kubelet leaves this to
// the runtime; containerd and Docker refuse with "image operating system ... cannot be used on
// this platform"). An image that records no OS (a plain directory) runs anywhere.
Status CheckImageOs(std::string_view image, std::string_view image_os, std::string_view node_os);

struct PlanInput {
  const k8s::Pod* pod = nullptr;
  const k8s::Container* container = nullptr;
  bool init = false;
  ImageConfig image;
  NodeInfo node;
  std::string sandbox;  // absolute; a trailing '/' is added when missing
  // Objects given with the pod (configMapKeyRef, secretKeyRef, envFrom, volumes).
  std::vector<const k8s::ConfigMap*> config_maps;
  std::vector<const k8s::Secret*> secrets;
};

// Who the processes run as (resolved by hp/user).
struct AccountRequest {
  std::optional<std::string> user_name;  // windowsOptions.runAsUserName (container wins)
  std::optional<int64_t> uid;            // runAsUser
  std::optional<int64_t> gid;            // runAsGroup
  bool run_as_non_root = false;
};

// Job limits (hp/job Limits; the I/O annotations are kept as text for job::ParseIoLimits).
struct LimitsPlan {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> cpu_limit_millis;
  std::optional<int64_t> cpu_request_millis;
  std::optional<int64_t> pids_max;
  std::string io_bps;
  std::string io_iops;
};

enum class MountLayout { kSandbox, kAbsolute };

// One volumeMount of the container, with its volume.
struct VolumeMountPlan {
  std::string name;
  k8s::Volume volume;
  std::string mount_path;  // as in the manifest (absolute or relative)
  std::string target;      // <sandbox>/<mount_path, cleaned, relative>
  std::string sub_path;    // subPath or expanded subPathExpr ("" = whole volume)
  bool read_only = false;
};

struct ContainerPlan {
  std::string name;
  bool init = false;
  std::string sandbox;  // with trailing '/'
  // The command as written (expanded) and where to look for it; resolved by ResolveProcess once
  // the container volume, its volumes and the working directory exist (the runner does it).
  ProcessRequest process;
  std::string executable;         // resolved: absolute host path execve() runs
  std::vector<std::string> argv;  // resolved: what execve() gets
  EnvList env;                    // final order, unique names, CONTAINER_SANDBOX_MOUNT_POINT last
  std::vector<std::string> search_path;
  WorkingDir working_dir;
  AccountRequest account;
  LimitsPlan limits;
  std::vector<VolumeMountPlan> mounts;
  MountLayout layout = MountLayout::kSandbox;
  std::chrono::seconds grace{30};
};

// The manifest's environment as kubelet computes it (envFrom, then env with `$(VAR)` expansion
// over the variables defined before; fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef).
// Errors carry kubelet's messages.
Result<EnvList> ManifestEnv(const PlanInput& in);

// Whether a fieldRef path is one of the pod's or the host's IPs (the same with hostNetwork).
bool IsHostIpField(std::string_view field_path);
// Whether a container of `spec` reads the host's IP through the downward API: a caller may
// leave NodeInfo::host_ip empty (looking it up is a netlink dump) when none does.
bool UsesHostIp(const k8s::PodSpec& spec);

// kubelet's downward API value of a fieldRef / resourceFieldRef.
Result<std::string> FieldRefValue(const k8s::ObjectFieldSelector& ref, const k8s::Pod& pod,
                                  const NodeInfo& node);
Result<std::string> ResourceFieldRefValue(const k8s::ResourceFieldSelector& ref,
                                          const k8s::Container& container, const NodeInfo& node);

// The volume mounts of the container, including the service account volume that the API
// server's admission adds (unless automountServiceAccountToken is false or the path is taken).
Result<std::vector<VolumeMountPlan>> PlanMounts(const PlanInput& in, const EnvList& env);

Result<LimitsPlan> PlanLimits(const k8s::Pod& pod, const k8s::Container& container,
                              const NodeInfo& node);

// The whole plan, short of resolving the command (ResolveContainerProcess).
Result<ContainerPlan> PlanContainer(const PlanInput& in);

// Resolves the plan's command against the files as they are now, with `cwd` the working
// directory as resolved on the host; sets executable and argv.
Status ResolveContainerProcess(ContainerPlan& plan, const std::string& cwd, const Fs& fs);

}  // namespace hp::plan
