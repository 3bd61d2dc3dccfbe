// libFuzzer target: the manifest decoder, then admission (validation + Pod Security) and the
// kubectl / JSON rendering of every verdict, as `hostprocess validate` runs them. Any input
// must come back as a Result (nothing thrown past the decode boundary): a crash, a
// sanitizer report, an escaped exception or a leak is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/k8s/admission.h"
#include "core/k8s/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = hp::k8s::DecodeString(text, "fuzz");
  if (!decoded) {
    if (decoded.error().ToString().empty()) std::abort();  // an error must say what failed
    return 0;
  }
  for (const auto& w : decoded->warnings) (void)w.ToString();
  // The CLI's default (privileged) and the strictest level, so the Pod Security checks run.
  for (auto level :
       {hp::k8s::podsecurity::Level::kPrivileged, hp::k8s::podsecurity::Level::kRestricted}) {
    hp::k8s::AdmissionOptions opts;
    opts.default_level.level = level;
    auto verdicts = hp::k8s::Admit(decoded->objects, opts);
    if (verdicts.size() != decoded->objects.size()) std::abort();
    for (const auto& v : verdicts) {
      if (v.object == nullptr) std::abort();
      (void)hp::k8s::KubectlText(v);
      (void)hp::k8s::VerdictJson(v);
    }
  }
  return 0;
}
