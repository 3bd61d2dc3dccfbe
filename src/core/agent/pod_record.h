// hp/agent: a pod's record, `pod.json` in its run directory, shared by both nodes: the pod as
// JSON (metadata filled in: uid, namespace, owner), the objects of its namespace it may refer to,
// where it comes from, and the node's settings the supervisor must share with the CLI. Written
// by the command that makes the pod, before its supervisor starts; read by the supervisor and by
// the verbs.
//
// The node's settings are each node's own, and a record holds only its node's:
//   Linux    "cgroupRoot" (job::JobOptions::root, --cgroup-root), "logMaxSize" and
//            "logMaxFiles" (kubelet's --container-log-max-size and -files), written when
//            `job_root` is set (a Linux record always has it);
//   Windows  "volumeRoot" (where the containers' volumes are made), written when set; the
//            Windows node clears `job_root` (NewWindowsRecord in its pod state).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/pod_status.h"
#include "core/base/result.h"

namespace hp::agent {

struct PodRecord {
  nlohmann::json pod;                   // a v1 Pod
  std::vector<nlohmann::json> objects;  // ConfigMaps, Secrets, ServiceAccounts
  std::string owner_kind;               // "DaemonSet" or "" (a bare pod)
  std::string owner_name;
  std::string revision;  // DaemonSet controller-revision-hash, or the bare pod's spec hash
  int64_t created = 0;   // unix seconds
  // Linux: job::JobOptions::root (--cgroup-root), stored as "cgroupRoot"; a record read without
  // one (written before it was recorded) has the default.
  std::string job_root = "/hostprocess";
  int64_t log_max_size = 10 * 1024 * 1024;  // kubelet --container-log-max-size (10Mi)
  int log_max_files = 5;                    // kubelet --container-log-max-files
  // Windows: where the containers' volumes are made (--volume-root), "volumeRoot".
  std::string volume_root;
};

void to_json(nlohmann::json& j, const PodRecord& r);
// Throws nlohmann's exceptions for a record of another shape (ReadPodRecord names the file).
void from_json(const nlohmann::json& j, PodRecord& r);
Result<PodRecord> ReadPodRecord(const std::string& path);
// The record without what a listing of pods does not show: the pod's spec and the objects are
// read (checked) but not kept, so `pod` holds its metadata (and kind, apiVersion). `get pods`
// reads one per pod (issue 16). Never written back: a record read so is not the record.
Result<PodRecord> ReadPodRecordHead(const std::string& path);

// The namespace of a stored object ("default" when it names none).
std::string NamespaceOf(const nlohmann::json& object);
// The grace period the pod was given (terminationGracePeriodSeconds, default 30).
int64_t GraceSeconds(const PodRecord& r);
// A status for a pod whose supervisor has not written one yet: every container waiting
// (ContainerCreating, or PodInitializing behind init containers).
PodStatus InitialStatus(const PodRecord& r);

}  // namespace hp::agent
