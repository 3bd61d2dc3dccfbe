// Differential fuzzing of yaml::JsonToYaml against libyaml's emitter (tests/fuzz/yaml_emit).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "core/k8s/yaml.h"
#include "unit/k8s/libyaml_emit_oracle.h"

namespace {

void Compare(const nlohmann::json& j) {
  std::string ours = hp::k8s::yaml::JsonToYaml(j);
  std::string libyaml = hp::k8s::yaml::oracle::LibyamlJsonToYaml(j);
  if (ours == libyaml) return;
  std::fprintf(stderr,
               "JsonToYaml differs from libyaml for %s\n--- libyaml ---\n%s--- ours ---\n%s",
               j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace).c_str(),
               libyaml.c_str(), ours.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    Compare(j);
    return 0;
  }
  Compare(text);
  Compare({{"k", text}});
  Compare({{text, 1}});
  Compare(nlohmann::json::array({text}));
  Compare({{"a", {{"b", nlohmann::json::array({nlohmann::json::array({text})})}}}});
  Compare({{std::string(129, 'k'), text}});
  return 0;
}
