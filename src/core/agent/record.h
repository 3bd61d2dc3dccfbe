// hp/agent: what the agent hands a pod's supervisor (`run/pods/<key>/pod.json`): the pod as
// JSON (metadata filled in: uid, namespace, owner), the objects of its namespace it may refer
// to, and the node settings the supervisor must share with the CLI (cgroup root, log rotation).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/pod_spec.h"
#include "core/agent/status.h"
#include "core/base/result.h"
#include "core/k8s/decode.h"
#include "core/pod/providers.h"

namespace hp::agent {

struct PodRecord {
  nlohmann::json pod;                   // a v1 Pod
  std::vector<nlohmann::json> objects;  // ConfigMaps, Secrets, ServiceAccounts
  std::string owner_kind;               // "DaemonSet" or "" (a bare pod)
  std::string owner_name;
  std::string revision;  // DaemonSet controller-revision-hash, or the bare pod's spec hash
  int64_t created = 0;   // unix seconds
  // job::JobOptions::root (Linux: --cgroup-root), stored as "cgroupRoot".
  std::string job_root = "/hostprocess";
  int64_t log_max_size = 10 * 1024 * 1024;  // kubelet --container-log-max-size (10Mi)
  int log_max_files = 5;                    // kubelet --container-log-max-files
};

void to_json(nlohmann::json& j, const PodRecord& r);
void from_json(const nlohmann::json& j, PodRecord& r);
Result<PodRecord> ReadPodRecord(const std::string& path);
// The record without what a listing of pods does not show: the pod's spec and the objects are
// read (checked) but not kept, so `pod` holds its metadata (and kind, apiVersion). `get pods`
// reads one per pod (issue 16). Never written back: a record read so is not the record.
Result<PodRecord> ReadPodRecordHead(const std::string& path);

// The record decoded: the pod and its objects as the runner takes them. Keeps the decoded
// objects alive for the pointers in `objects`.
struct DecodedRecord {
  k8s::Pod pod;
  std::vector<k8s::Object> storage;
  pod::PodObjects objects;
};
Result<std::unique_ptr<DecodedRecord>> DecodeRecord(const PodRecord& r, const std::string& path);

// The namespace of a stored object ("default" when it names none).
std::string NamespaceOf(const nlohmann::json& object);
// The grace period the pod was given (terminationGracePeriodSeconds, default 30).
int64_t GraceSeconds(const PodRecord& r);
// A status for a pod whose supervisor has not written one yet: every container waiting
// (ContainerCreating, or PodInitializing behind init containers).
PodStatus InitialStatus(const PodRecord& r);

}  // namespace hp::agent
