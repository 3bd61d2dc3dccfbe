// hp-json-to-yaml-oracle: JSON on stdin, printed as YAML by libyaml's emitter (the test oracle of
// yaml_emit_test.cc). The Wine tier compares the Windows build's `get -o yaml` with this
// program's YAML of the same build's `get -o json` (tests/wine/pods/pods_test.sh).
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "unit/k8s/libyaml_emit_oracle.h"

int main() {
  std::string in{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "hp-json-to-yaml-oracle: stdin is not JSON\n";
    return 2;
  }
  std::cout << hp::k8s::yaml::oracle::LibyamlJsonToYaml(j);
  return 0;
}
