// tests: API objects as a manifest gives them, for the tests of what is made from them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hp::testing {

// DaemonSet `name` of kube-system, its pods labelled and selected by app=`name`, with
// `pod_spec` as its template's spec.
inline nlohmann::json DaemonSetJson(const std::string& name, nlohmann::json pod_spec) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "DaemonSet"},
          {"metadata", {{"name", name}, {"namespace", "kube-system"}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", std::move(pod_spec)}}}}}};
}

}  // namespace hp::testing
