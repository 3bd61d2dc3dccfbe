// hp/agent: a pod's record (`run/pods/<key>/pod.json`, pod_record.h, shared with Windows)
// decoded as the Linux pod runner takes it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/pod_record.h"
#include "core/base/result.h"
#include "core/k8s/decode.h"
#include "core/pod/providers.h"

namespace hp::agent {

// The record decoded: the pod and its objects as the runner takes them. Keeps the decoded
// objects alive for the pointers in `objects`.
struct DecodedRecord {
  k8s::Pod pod;
  std::vector<k8s::Object> storage;
  pod::PodObjects objects;
};
Result<std::unique_ptr<DecodedRecord>> DecodeRecord(const PodRecord& r, const std::string& path);

}  // namespace hp::agent
