// `hostprocess get pods|ds [NAME...]`: kubectl get for this node, with kubectl's columns
// (pods: NAME READY STATUS RESTARTS AGE; -o wide adds IP and NODE), -n/-A, and -o json|yaml|name.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/views.h"
#include "core/agent/format.h"
#include "core/base/strings.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

struct GetFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
  std::string output;
  bool no_headers = false;
  std::string selector;        // -l
  std::string field_selector;  // --field-selector
  bool show_labels = false;
  k8s::LabelMatcher labels;
  k8s::FieldMatcher fields;
};

std::map<std::string, std::string> LabelsOf(const nlohmann::json& obj) {
  std::map<std::string, std::string> out;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return out;
  auto l = meta->find("labels");
  if (l == meta->end() || !l->is_object()) return out;
  for (const auto& [k, v] : l->items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// kubectl's LABELS column (--show-labels): k=v,k2=v2 sorted, or <none>.
std::string LabelsColumn(const nlohmann::json& obj) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : LabelsOf(obj)) parts.push_back(k + "=" + v);
  return parts.empty() ? "<none>" : Join(parts, ",");
}

bool Wanted(const GetFlags& f, const std::string& ns, const std::string& name) {
  if (!f.ns.all && ns != f.ns.ns) return false;
  if (f.names.empty()) return true;
  for (const auto& n : f.names)
    if (n == name) return true;
  return false;
}

std::string NodeSelector(const nlohmann::json& ds) {
  auto sel = ds["spec"]["template"]["spec"].value("nodeSelector", nlohmann::json::object());
  if (sel.empty()) return "<none>";
  std::vector<std::string> parts;
  for (const auto& [k, v] : sel.items()) parts.push_back(k + "=" + v.get<std::string>());
  return Join(parts, ",");
}

// Prints `objects` in a structured format, or returns false when `output` is not one.
bool PrintStructured(const GetFlags& f, const std::vector<nlohmann::json>& objects,
                     const std::string& kind_prefix) {
  if (f.output == "name") {
    std::string out;
    for (const auto& o : objects) out += kind_prefix + "/" + o["metadata"].value("name", "") + "\n";
    Print(stdout, out);
    return true;
  }
  if (f.output != "json" && f.output != "yaml") return false;
  nlohmann::json doc;
  if (objects.size() == 1 && !f.names.empty()) {
    doc = objects[0];
  } else {
    doc = {{"apiVersion", "v1"},
           {"items", objects},
           {"kind", "List"},
           {"metadata", {{"resourceVersion", ""}}}};
  }
  Print(stdout, f.output == "json" ? doc.dump(4) + "\n" : ToYaml(doc));
  return true;
}

int NoneFound(const GetFlags& f) {
  Print(stderr, f.ns.all ? "No resources found\n"
                         : fmt::format("No resources found in {} namespace.\n", f.ns.ns));
  return 0;
}

int GetPods(agent::Agent& a, const GetFlags& f) {
  auto pods = a.ListPods();
  if (!pods) return Fail(pods.error());
  std::vector<const agent::PodView*> shown;
  for (const auto& p : *pods) {
    if (!Wanted(f, p.ns, p.name) || !f.labels.Matches(LabelsOf(p.record.pod))) continue;
    std::string node =
        p.status.unscheduled ? p.record.pod["spec"].value("nodeName", "") : a.node().name;
    if (!f.fields.Matches({{"metadata.name", p.name},
                           {"metadata.namespace", p.ns},
                           {"spec.nodeName", node},
                           {"status.phase", p.lost ? "Unknown" : p.status.phase}}))
      continue;
    shown.push_back(&p);
  }
  for (const auto& n : f.names) {
    bool found = false;
    for (const auto* p : shown) found |= p->name == n;
    if (!found) return NotFound("pods", n);
  }
  if (shown.empty() && f.output != "json" && f.output != "yaml") return NoneFound(f);
  if (f.output == "json" || f.output == "yaml" || f.output == "name") {
    // The API objects only for these outputs (each decodes its pod: qosClass, defaults).
    std::vector<nlohmann::json> objects;
    for (const auto* p : shown) objects.push_back(PodObject(*p, a.node()));
    PrintStructured(f, objects, "pod");
    return 0;
  }
  bool wide = f.output == "wide";
  std::vector<std::string> header;
  if (f.ns.all) header.push_back("NAMESPACE");
  for (const char* h : {"NAME", "READY", "STATUS", "RESTARTS", "AGE"}) header.push_back(h);
  if (wide) {
    for (const char* h : {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}) header.push_back(h);
  }
  if (f.show_labels) header.push_back("LABELS");
  agent::Table table(header);
  int64_t now = agent::NowUnixSeconds();
  for (const auto* p : shown) {
    std::vector<std::string> row;
    if (f.ns.all) row.push_back(p->ns);
    row.push_back(p->name);
    row.push_back(agent::ReadyColumn(p->status));
    row.push_back(PodStatusColumn(*p));
    row.push_back(agent::RestartsColumn(p->status, now));
    row.push_back(agent::HumanDuration(now - p->record.created));
    if (wide) {
      bool here = !p->status.unscheduled;
      row.push_back(p->status.host_ip.empty() || !here ? "<none>" : p->status.host_ip);
      std::string bound = p->record.pod["spec"].value("nodeName", "");
      row.push_back(here ? a.node().name : bound.empty() ? "<none>" : bound);
      row.push_back("<none>");
      row.push_back("<none>");
    }
    if (f.show_labels) row.push_back(LabelsColumn(p->record.pod));
    table.AddRow(row);
  }
  Print(stdout, table.Render(f.no_headers));
  return 0;
}

int GetDaemonSets(agent::Agent& a, const GetFlags& f) {
  auto list = a.ListDaemonSets();
  if (!list) return Fail(list.error());
  std::vector<const agent::DaemonSetView*> shown;
  for (const auto& d : *list) {
    if (!Wanted(f, d.ns, d.name) || !f.labels.Matches(LabelsOf(d.object))) continue;
    if (!f.fields.Matches({{"metadata.name", d.name}, {"metadata.namespace", d.ns}})) continue;
    shown.push_back(&d);
  }
  for (const auto& n : f.names) {
    bool found = false;
    for (const auto* d : shown) found |= d->name == n;
    if (!found) return NotFound("daemonsets.apps", n);
  }
  if (shown.empty() && f.output != "json" && f.output != "yaml") return NoneFound(f);
  std::vector<nlohmann::json> objects;
  for (const auto* d : shown) objects.push_back(DaemonSetObject(*d));
  if (PrintStructured(f, objects, "daemonset.apps")) return 0;
  bool wide = f.output == "wide";
  std::vector<std::string> header;
  if (f.ns.all) header.push_back("NAMESPACE");
  for (const char* h :
       {"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"}) {
    header.push_back(h);
  }
  if (wide) {
    for (const char* h : {"CONTAINERS", "IMAGES", "SELECTOR"}) header.push_back(h);
  }
  if (f.show_labels) header.push_back("LABELS");
  agent::Table table(header);
  int64_t now = agent::NowUnixSeconds();
  for (const auto* d : shown) {
    std::vector<std::string> row;
    if (f.ns.all) row.push_back(d->ns);
    row.push_back(d->name);
    for (int n : {d->desired, d->current, d->ready, d->up_to_date, d->available}) {
      row.push_back(std::to_string(n));
    }
    row.push_back(NodeSelector(d->object));
    row.push_back(agent::HumanDuration(now - d->created));
    if (wide) {
      std::vector<std::string> names, images, sel;
      for (const auto& c :
           d->object["spec"]["template"]["spec"].value("containers", nlohmann::json::array())) {
        names.push_back(c.value("name", ""));
        images.push_back(c.value("image", ""));
      }
      auto labels = d->object["spec"]
                        .value("selector", nlohmann::json::object())
                        .value("matchLabels", nlohmann::json::object());
      for (const auto& [k, v] : labels.items()) sel.push_back(k + "=" + v.get<std::string>());
      row.push_back(Join(names, ","));
      row.push_back(Join(images, ","));
      row.push_back(sel.empty() ? "<none>" : Join(sel, ","));
    }
    if (f.show_labels) row.push_back(LabelsColumn(d->object));
    table.AddRow(row);
  }
  Print(stdout, table.Render(f.no_headers));
  return 0;
}

int RunGet(const GlobalOptions& global, GetFlags f) {
  std::string kind = PodOrDaemonSetKind(f.resource, f.names);
  if (kind.empty()) return 1;
  if (!f.output.empty() && f.output != "wide" && f.output != "json" && f.output != "yaml" &&
      f.output != "name") {
    Print(stderr, fmt::format("error: unable to match a printer suitable for the output format "
                              "\"{}\", allowed formats are: json,name,wide,yaml\n",
                              f.output));
    return 1;
  }
  auto labels = k8s::LabelMatcher::Parse(f.selector);
  if (!labels) return Fail(labels.error());
  f.labels = std::move(*labels);
  std::vector<std::string> supported{"metadata.name", "metadata.namespace"};
  if (kind == "pods") supported.insert(supported.end(), {"spec.nodeName", "status.phase"});
  auto fields = k8s::FieldMatcher::Parse(f.field_selector, supported);
  if (!fields) {
    // The API server's answer, as kubectl prints it.
    Print(stderr,
          fmt::format("Error from server (BadRequest): Unable to find \"{}\" that match "
                      "label selector \"{}\", field selector \"{}\": {}\n",
                      kind == "pods" ? "/v1, Resource=pods" : "apps/v1, Resource=daemonsets",
                      f.selector, f.field_selector, fields.error().message()));
    return 1;
  }
  f.fields = std::move(*fields);
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  return kind == "pods" ? GetPods(**agent, f) : GetDaemonSets(**agent, f);
}

CommandRegistration get_verb(31, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<GetFlags>();
  CLI::App* cmd = app.add_subcommand(
      "get", "List pods or DaemonSets on this node (kubectl get): get pods, get ds, get pod NAME");
  cmd->add_option("resource", flags->resource, "pods (po) or daemonsets (ds), or TYPE/NAME")
      ->required();
  cmd->add_option("names", flags->names, "Names to show (default: all)");
  AddNamespaceFlags(cmd, flags->ns, true);
  cmd->add_option("-o,--output", flags->output, "wide, json, yaml or name");
  cmd->add_flag("--no-headers", flags->no_headers, "Do not print the header row");
  cmd->add_option("-l,--selector", flags->selector,
                  "Label selector: k=v, k!=v, 'k in (a,b)', 'k notin (a)', k, !k (comma: and)");
  cmd->add_option("--field-selector", flags->field_selector,
                  "Field selector: metadata.name, metadata.namespace, spec.nodeName, status.phase "
                  "with =, == or !=");
  cmd->add_flag("--show-labels", flags->show_labels, "Show the labels as the last column");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunGet(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
