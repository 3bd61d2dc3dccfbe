// What `get` filters and shows, for both nodes' builds (get.cc):
// -l and --field-selector as the API server takes them, with its refusal of a field it does not
// support as kubectl prints it, and --show-labels' column.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/k8s/selector.h"

namespace hp::cli {

// -l, --field-selector, --show-labels, --no-headers and --sort-by, with the same help in both
// builds.
inline void AddGetFilterFlags(CLI::App* cmd, std::string& selector, std::string& field_selector,
                              bool& show_labels, bool& no_headers, std::string& sort_by) {
  cmd->add_flag("--no-headers", no_headers, "Do not print the header row");
  cmd->add_option("-l,--selector", selector,
                  "Label selector: k=v, k!=v, 'k in (a,b)', 'k notin (a)', k, !k (comma: and)");
  cmd->add_option("--field-selector", field_selector,
                  "Field selector: metadata.name, metadata.namespace; for pods also "
                  "spec.nodeName and status.phase; with =, == or !=");
  cmd->add_flag("--show-labels", show_labels, "Show the labels as the last column");
  cmd->add_option("--sort-by", sort_by,
                  "Sort by a JSONPath expression, e.g. .metadata.name or '{.status.startTime}'");
}

struct GetSelectors {
  k8s::LabelMatcher labels;
  k8s::FieldMatcher fields;
};

// Parses -l `selector` and --field-selector `field_selector` into `out`. Every kind supports
// metadata.name and metadata.namespace; pods (`pods_only`: the listing is of pods alone) also
// spec.nodeName and status.phase. On an error, `error_line` is what kubectl prints: "error: ..."
// for a bad label selector, the API server's BadRequest for a field selector.
inline bool ParseGetSelectors(const std::string& selector, const std::string& field_selector,
                              bool pods_only, GetSelectors* out, std::string* error_line) {
  auto labels = k8s::LabelMatcher::Parse(selector);
  if (!labels) {
    *error_line = "error: " + labels.error().ToString() + "\n";
    return false;
  }
  std::vector<std::string> supported{"metadata.name", "metadata.namespace"};
  if (pods_only) supported.insert(supported.end(), {"spec.nodeName", "status.phase"});
  auto fields = k8s::FieldMatcher::Parse(field_selector, supported);
  if (!fields) {
    *error_line = fmt::format(
        "Error from server (BadRequest): Unable to find \"{}\" that match label selector \"{}\", "
        "field selector \"{}\": {}\n",
        pods_only ? "/v1, Resource=pods" : "apps/v1, Resource=daemonsets", selector, field_selector,
        fields.error().message());
    return false;
  }
  out->labels = std::move(*labels);
  out->fields = std::move(*fields);
  return true;
}

// The fields every object is matched on (a DaemonSet's), and a pod's.
inline std::map<std::string, std::string> ObjectFields(const std::string& name,
                                                       const std::string& ns) {
  return {{"metadata.name", name}, {"metadata.namespace", ns}};
}
inline std::map<std::string, std::string> PodFields(const std::string& name, const std::string& ns,
                                                    const std::string& node,
                                                    const std::string& phase) {
  std::map<std::string, std::string> fields = ObjectFields(name, ns);
  fields.emplace("spec.nodeName", node);
  fields.emplace("status.phase", phase);
  return fields;
}

// kubectl's LABELS column (--show-labels): k=v,k2=v2 sorted, or <none>.
inline std::string LabelsColumn(const nlohmann::json& obj) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : k8s::LabelsOf(obj)) parts.push_back(k + "=" + v);
  return parts.empty() ? "<none>" : Join(parts, ",");
}

}  // namespace hp::cli
