// hp/k8s: what the API server answers for each decoded object: validation (422 Invalid), then
// the PodSecurity admission plugin (403 Forbidden), rendered as kubectl prints it and as the
// metav1.Status the server returns. Used by `hostprocess validate` and by verbs that accept
// manifests before running them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/k8s/field.h"
#include "core/k8s/podsecurity.h"
#include "core/k8s/types.h"
#include "core/k8s/validation.h"

namespace hp::k8s {

struct AdmissionOptions {
  ValidationOptions validation;
  // Used for namespaces without a Namespace object (with an enforce label) in the input.
  podsecurity::LevelVersion default_level;  // privileged
};

struct Verdict {
  // kTooLarge: the object is larger than the API server accepts (413) or etcd stores (500):
  // limits.h.
  enum class Outcome { kAllowed, kInvalid, kForbidden, kTooLarge };
  const Object* object = nullptr;
  Outcome outcome = Outcome::kAllowed;
  bool allowed() const { return outcome == Outcome::kAllowed; }
  std::string namespace_;   // effective namespace ("default" when unset; "" if cluster-scoped)
  field::ErrorList errors;  // kInvalid
  podsecurity::LevelVersion level;       // the level the object was checked against
  podsecurity::Evaluation pod_security;  // kForbidden
  int code = 0;                          // kTooLarge: the HTTP status, 413 or 500
  std::string message;                   // kTooLarge: the server's message
};

// Validates every object and evaluates Pod Security for Pods and DaemonSet templates, in the
// API server's order: an object whose JSON is larger than the request body limit is refused
// before anything else (413), one larger than etcd's limit after validation and admission, when
// it would be stored (500). Namespace
// objects in `objects` set the level of their namespace (label pod-security.kubernetes.io/enforce,
// enforce-version). Validation errors win over Pod Security, as in the API server. A DaemonSet
// whose pods would violate the level is kForbidden (the API server would create it with a
// warning, but every pod it makes would be rejected).
std::vector<Verdict> Admit(const std::vector<Object>& objects, const AdmissionOptions& opts);

// kubectl's text for one verdict, without trailing newline:
//   allowed:   "pod/x created (server dry run)"
//   invalid:   "The Pod \"x\" is invalid: spec.hostNetwork: Invalid value: false: ..."
//   forbidden: "Error from server (Forbidden): pods \"x\" is forbidden: violates PodSecurity ..."
//   too large: "Error from server (RequestEntityTooLarge): error when creating \"f.yaml\":
//              Request entity too large: limit is 3145728" (etcd's: "Error from server: ...")
//   DaemonSet: "Warning: would violate PodSecurity \"baseline:latest\": ...\n" +
//              "Error: daemonset.apps/x: its pods would be rejected by PodSecurity
//              \"baseline:latest\""
std::string KubectlText(const Verdict& v);
// One element of `validate -o json`: {"kind","name","namespace","source","allowed","status"}.
std::string VerdictJson(const Verdict& v);

}  // namespace hp::k8s
