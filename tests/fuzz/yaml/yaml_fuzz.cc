// libFuzzer target: whenever the YAML fast path accepts an input, libyaml must accept it too and
// build the same tree (documents, kinds, styles, tags, text, marks). Inputs the fast path leaves
// to libyaml only have to come back (no crash, no sanitizer report).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/k8s/yaml_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace yaml = hp::k8s::yaml;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yaml::Tree fast, reference;
  yaml::ParseError error;
  bool accepted = yaml::internal::FastParse(text, fast, 0);
  bool parsed = yaml::internal::LibyamlParse(text, reference, error, 0);
  if (!accepted) return 0;
  if (!parsed) {
    std::fprintf(stderr, "the fast path accepted what libyaml refuses: %d:%d: %s\n",
                 error.mark.line + 1, error.mark.column + 1, error.message.c_str());
    std::abort();
  }
  std::string difference = yaml::internal::TreeDifference(fast, reference);
  if (!difference.empty()) {
    std::fprintf(stderr, "the fast path's tree differs from libyaml's: %s\n", difference.c_str());
    std::abort();
  }
  return 0;
}
