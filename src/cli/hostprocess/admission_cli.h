// The admission flags shared by the verbs that accept manifests (validate, run, apply):
// --pod-security LEVEL[:VERSION] and --allow-privileged, and the check itself.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/k8s/admission.h"
#include "core/k8s/decode.h"

namespace hp::cli {

struct AdmissionFlags {
  std::string pod_security = "privileged";
  bool allow_privileged = true;
};

void AddAdmissionFlags(CLI::App* cmd, AdmissionFlags& flags);

// The options the flags name; prints `error: --pod-security: ...` and returns false when the
// level is not one.
bool MakeAdmissionOptions(const AdmissionFlags& flags, k8s::AdmissionOptions* out);

// Admits every object as the API server would; prints kubectl's text of each rejected one to
// stderr and returns false when any was rejected.
bool AdmitOrReport(const std::vector<k8s::Object>& objects, const k8s::AdmissionOptions& opts);
// What `run -f` and `apply -f` print of decoded manifests before they act: each decode warning
// (`Warning: ...`), then AdmitOrReport's verdicts; false when any object was rejected.
bool WarnAndAdmit(const k8s::Decoded& decoded, const k8s::AdmissionOptions& opts);

}  // namespace hp::cli
