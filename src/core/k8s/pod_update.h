// hp/k8s: updates of a Pod as the API server takes them (ValidatePodUpdate in
// pkg/apis/core/validation): a Pod's spec may only change its containers' and init containers'
// images, activeDeadlineSeconds (set, or lowered), tolerations (additions only) and
// terminationGracePeriodSeconds (to 1 from a negative value); metadata may change its labels
// and annotations. Both objects are compared with the API's defaults applied
// (defaults_json.h), so an omitted default is no change.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/k8s/field.h"

namespace hp::k8s {

// The fields a client sends back when it re-applies what `get -o yaml` printed and that the
// server owns: status, metadata's uid, resourceVersion, generation, creationTimestamp,
// managedFields, selfLink, ownerReferences (this node's pods have none of their own), and
// spec.nodeName when it is `node_name` (the scheduler's binding) and `stored` (an object: this
// is an update) had none.
// Removed from `applied`.
void StripServerSetFields(nlohmann::json& applied, const nlohmann::json& stored,
                          const std::string& node_name);

// ValidatePodUpdate's errors for replacing `old_pod` by `new_pod` (both as applied, before
// defaults). The `spec: Forbidden: pod updates may not change fields other than ...` error is
// followed, as the API server's, by a diff of the spec: here one line per changed field,
// `- path: old` / `+ path: new` (the API server prints Go's cmp.Diff of its structs).
field::ErrorList ValidatePodUpdate(const nlohmann::json& old_pod, const nlohmann::json& new_pod);

// The pod with what an update may change removed (labels, annotations, images,
// activeDeadlineSeconds, tolerations) and what the server bumps (generation, resourceVersion),
// defaults applied: two pods with the same immutable part
// are one pod whose mutable fields changed.
nlohmann::json ImmutablePart(const nlohmann::json& pod);

}  // namespace hp::k8s
