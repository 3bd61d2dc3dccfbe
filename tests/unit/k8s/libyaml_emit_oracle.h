// The test oracle for yaml::JsonToYaml: libyaml's emitter with go-yaml v2's scalar styles
// (Linux only: Debian has no libyaml for MinGW).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace hp::k8s::yaml::oracle {

std::string LibyamlJsonToYaml(const nlohmann::json& j);

}  // namespace hp::k8s::yaml::oracle
