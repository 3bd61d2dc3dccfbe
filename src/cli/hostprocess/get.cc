// `hostprocess get pods|ds|events|configmaps|secrets|all|pods,ds [NAME...]`: kubectl get for
// this node, both nodes' (the pods and objects come from node_pods.h), with kubectl's columns
// (pods: NAME READY STATUS RESTARTS AGE; -o wide adds IP and NODE), -n/-A, -l/--field-selector,
// --sort-by, -w, and -o json|yaml|name|jsonpath=|custom-columns=.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/events.h"
#include "cli/hostprocess/get_filters.h"
#include "cli/hostprocess/node_pods.h"
#include "cli/hostprocess/printers/object_output.h"
#include "cli/hostprocess/printers/table.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"
#include "core/base/time.h"
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
  std::string sort_by;  // --sort-by JSONPath
  bool watch = false;   // -w
  bool watch_only = false;
  GetSelectors match;
};

bool Wanted(const GetFlags& f, const std::string& ns, const std::string& name) {
  if (!f.ns.all && ns != f.ns.ns) return false;
  if (f.names.empty()) return true;
  for (const auto& n : f.names)
    if (n == name) return true;
  return false;
}

int NoneFound(const GetFlags& f) {
  Print(stderr, f.ns.all ? "No resources found\n"
                         : fmt::format("No resources found in {} namespace.\n", f.ns.ns));
  return 0;
}

// One listed object: its table row (without the kind prefix), its API object when the output
// needs it, and what a watch compares (the row without AGE).
struct Entry {
  std::string ns, name;
  std::vector<std::string> row;
  nlohmann::json object;
  std::string watch_key;
};

// One resource type's listing.
struct Listing {
  std::string kind;    // "pods", "daemonsets", "events"
  std::string prefix;  // "pod", "daemonset.apps", "event"
  std::vector<std::string> header;
  std::vector<Entry> entries;
  size_t name_column = 0;  // where NAME is (after NAMESPACE)
};

// Whether the listing must build each object's API form: -o name prints names only.
bool NeedsObjects(const GetFlags& f) {
  return (IsObjectOutput(f.output) && f.output != "name") || !f.sort_by.empty();
}

std::string WatchKey(const std::vector<std::string>& row, size_t age_column) {
  std::string key;
  for (size_t i = 0; i < row.size(); i++)
    if (i != age_column) key += row[i] + '\t';
  return key;
}

// kubectl's STATUS column of a pod: printPod's reason, Unknown when its supervisor is gone.
std::string PodStatusColumn(const NodePod& p) {
  if (p.lost && !p.status.terminating) return "Unknown";
  return StatusColumn(p.status);
}

Result<Listing> ListPods(NodePods& node, const GetFlags& f) {
  bool wide = f.output == "wide";
  // The table and -o name show the pods' metadata and status only; a field selector may match
  // spec.nodeName, the wide columns and the API objects read the spec.
  bool heads = !wide && !NeedsObjects(f) && f.field_selector.empty();
  // Pods asked for by name are read alone: `get pod x` on a node with 200 pods read them all.
  ASSIGN_OR_RETURN(std::vector<NodePod> pods, !f.names.empty()
                                                  ? GetNamedPods(node, f.ns.ns, f.names)
                                              : heads ? node.ListRows()
                                                      : node.List());
  Listing l{.kind = "pods", .prefix = "pod"};
  if (f.ns.all) l.header.push_back("NAMESPACE");
  l.name_column = l.header.size();
  for (const char* h : {"NAME", "READY", "STATUS", "RESTARTS", "AGE"}) l.header.push_back(h);
  if (wide) {
    for (const std::string& h : PodWideHeader()) l.header.push_back(h);
  }
  if (f.show_labels) l.header.push_back("LABELS");
  int64_t now = NowUnixSeconds();
  // The node's name only when something shows or matches it (Windows asks the system for it).
  std::string node_name =
      wide || NeedsObjects(f) || !f.field_selector.empty() ? node.NodeName() : "";
  for (const NodePod& p : pods) {
    if (!Wanted(f, p.ns, p.name) || !f.match.labels.Matches(p.labels)) continue;
    std::string on = node_name;
    if (p.status.unscheduled) {
      auto spec = p.pod.find("spec");
      on = spec != p.pod.end() && spec->is_object() ? spec->value("nodeName", "") : "";
    }
    if (!f.match.fields.Matches(PodFields(p.name, p.ns, on, p.lost ? "Unknown" : p.status.phase)))
      continue;
    Entry e{.ns = p.ns, .name = p.name};
    if (f.ns.all) e.row.push_back(p.ns);
    e.row.push_back(p.name);
    e.row.push_back(ReadyColumn(p.status));
    e.row.push_back(PodStatusColumn(p));
    e.row.push_back(RestartsColumn(p.status, now));
    e.row.push_back(HumanDuration(now - p.created));
    if (wide) {
      for (std::string& cell : PodWideColumns(p.status, p.pod, node_name))
        e.row.push_back(std::move(cell));
    }
    if (f.show_labels) e.row.push_back(LabelsColumn(p.pod));
    // A watch prints a row when the pod changes: RESTARTS' "(25s ago)" changes every second
    // with nothing else (a crash-looping pod was printed again every second), so the key has its
    // count only.
    std::vector<std::string> key = e.row;
    std::string& restarts = key[l.name_column + 3];
    restarts = restarts.substr(0, restarts.find(' '));
    e.watch_key = WatchKey(key, l.name_column + 4);
    // The API objects only when the output needs them (each decodes its pod).
    if (NeedsObjects(f)) e.object = PodApiObject(p, node_name);
    l.entries.push_back(std::move(e));
  }
  return l;
}

Result<Listing> ListDaemonSets(NodePods& node, const GetFlags& f) {
  ASSIGN_OR_RETURN(std::vector<NodeDaemonSet> list, DaemonSetsCounted(node));
  Listing l{.kind = "daemonsets", .prefix = "daemonset.apps"};
  bool wide = f.output == "wide";
  if (f.ns.all) l.header.push_back("NAMESPACE");
  l.name_column = l.header.size();
  for (const char* h :
       {"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"}) {
    l.header.push_back(h);
  }
  if (wide) {
    for (const std::string& h : DaemonSetWideHeader()) l.header.push_back(h);
  }
  if (f.show_labels) l.header.push_back("LABELS");
  int64_t now = NowUnixSeconds();
  for (const NodeDaemonSet& d : list) {
    if (!Wanted(f, d.ns, d.name) || !f.match.labels.Matches(k8s::LabelsOf(d.object))) continue;
    if (!f.match.fields.Matches(ObjectFields(d.name, d.ns))) continue;
    Entry e{.ns = d.ns, .name = d.name};
    if (f.ns.all) e.row.push_back(d.ns);
    e.row.push_back(d.name);
    for (int n : {d.desired, d.current, d.ready, d.up_to_date, d.available})
      e.row.push_back(std::to_string(n));
    e.row.push_back(NodeSelectorColumn(d.object));
    e.row.push_back(HumanDuration(now - d.created));
    if (wide) {
      for (std::string& cell : DaemonSetWideColumns(d.object)) e.row.push_back(std::move(cell));
    }
    if (f.show_labels) e.row.push_back(LabelsColumn(d.object));
    e.watch_key = WatchKey(e.row, l.name_column + 7);
    if (NeedsObjects(f)) e.object = DaemonSetApiObject(d);
    l.entries.push_back(std::move(e));
  }
  return l;
}

// ConfigMaps (NAME DATA AGE) and Secrets (NAME TYPE DATA AGE) as kubectl lists them: DATA
// counts the keys (a ConfigMap's data and binaryData; a Secret's data with stringData merged,
// as the API server stores it).
Result<Listing> ListStored(NodePods& node, const std::string& kind, const GetFlags& f) {
  bool secret = kind == "secrets";
  ASSIGN_OR_RETURN(std::vector<NodeObject> list, node.Objects(kind, f.ns.all ? "" : f.ns.ns));
  Listing l{.kind = kind, .prefix = secret ? "secret" : "configmap"};
  if (f.ns.all) l.header.push_back("NAMESPACE");
  l.name_column = l.header.size();
  l.header.push_back("NAME");
  if (secret) l.header.push_back("TYPE");
  for (const char* h : {"DATA", "AGE"}) l.header.push_back(h);
  if (f.show_labels) l.header.push_back("LABELS");
  int64_t now = NowUnixSeconds();
  for (NodeObject& o : list) {
    if (!Wanted(f, o.ns, o.name) || !f.match.labels.Matches(k8s::LabelsOf(o.object))) continue;
    if (!f.match.fields.Matches(ObjectFields(o.name, o.ns))) continue;
    std::set<std::string> keys;
    for (const char* field : {"data", "binaryData", "stringData"})
      if (auto d = o.object.find(field); d != o.object.end() && d->is_object())
        for (const auto& [k, v] : d->items()) keys.insert(k);
    Entry e{.ns = o.ns, .name = o.name};
    if (f.ns.all) e.row.push_back(o.ns);
    e.row.push_back(o.name);
    if (secret) {
      std::string type = o.object.value("type", "");
      e.row.push_back(type.empty() ? "Opaque" : type);
    }
    e.row.push_back(std::to_string(keys.size()));
    e.row.push_back(HumanDuration(now - o.created));
    if (f.show_labels) e.row.push_back(LabelsColumn(o.object));
    e.watch_key = WatchKey(e.row, e.row.size() - (f.show_labels ? 2 : 1));
    if (NeedsObjects(f)) {
      e.object = std::move(o.object);
      e.object["metadata"]["namespace"] = o.ns;
      if (!e.object["metadata"].contains("creationTimestamp"))
        e.object["metadata"]["creationTimestamp"] = Rfc3339(o.created);
    }
    l.entries.push_back(std::move(e));
  }
  return l;
}

// The events as `get events` lists them (printEvent's columns).
Result<Listing> ListEvents(NodePods& node, const GetFlags& f) {
  ASSIGN_OR_RETURN(std::vector<NodeEvent> all, ListNodeEvents(node));
  std::vector<NodeEvent> events;
  for (NodeEvent& e : all)
    if (f.ns.all || e.ns == f.ns.ns) events.push_back(std::move(e));
  Listing l{.kind = "events", .prefix = "event"};
  int64_t now = NowUnixSeconds();
  Table t = EventsTable(events, f.ns.all, now);
  l.header = t.row(0);
  for (size_t i = 0; i < events.size(); i++) {
    const NodeEvent& ev = events[i];
    Entry e{.ns = ev.ns, .name = ev.object.substr(ev.object.find('/') + 1)};
    e.row = t.row(i + 1);
    e.watch_key = WatchKey(e.row, f.ns.all ? 1 : 0);
    std::string kind = ev.object.rfind("pod/", 0) == 0 ? "Pod" : "DaemonSet";
    e.object = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"count", ev.event.count},
                {"firstTimestamp", Rfc3339(ev.event.first)},
                {"lastTimestamp", Rfc3339(ev.event.last)},
                {"involvedObject",
                 {{"kind", kind},
                  {"name", e.name},
                  {"namespace", ev.ns},
                  {"apiVersion", kind == "Pod" ? "v1" : "apps/v1"}}},
                {"message", ev.event.message},
                {"reason", ev.event.reason},
                {"source", {{"component", EventSource(ev.event)}}},
                {"type", ev.event.type},
                {"metadata",
                 {{"name", e.name + "." + std::to_string(ev.event.first)}, {"namespace", ev.ns}}}};
    l.entries.push_back(std::move(e));
  }
  return l;
}

// The types of `get`'s first argument: "pods", "pods,ds", "all", "events", "po/NAME".
std::vector<std::string> KindsOf(GetFlags& f, std::string* bad) {
  if (f.resource.find('/') != std::string::npos) {
    std::string kind = PodOrDaemonSetKind(f.resource, f.names);
    if (kind.empty()) *bad = "-";
    return {kind};
  }
  std::vector<std::string> kinds;
  for (const std::string& r : Split(f.resource, ',')) {
    if (r == "all") {
      for (const char* k : {"pods", "daemonsets"}) kinds.push_back(k);
      continue;
    }
    if (r == "events" || r == "event" || r == "ev") {
      kinds.push_back("events");
      continue;
    }
    std::string kind = agent::ResourceKind(r);
    if (kind != "pods" && kind != "daemonsets" && kind != "configmaps" && kind != "secrets") {
      *bad = r;
      return {};
    }
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  return kinds;
}

Status SortEntries(std::vector<Entry>& entries, const std::string& sort_by) {
  std::vector<const nlohmann::json*> objects;
  for (const Entry& e : entries) objects.push_back(&e.object);
  ASSIGN_OR_RETURN(std::vector<size_t> order, SortOrder(objects, sort_by));
  std::vector<Entry> sorted;
  for (size_t i : order) sorted.push_back(std::move(entries[i]));
  entries = std::move(sorted);
  return {};
}

// -o json|yaml|name|jsonpath=|custom-columns= of every listed object.
int PrintObjects(const GetFlags& f, const std::vector<Listing>& listings) {
  std::vector<nlohmann::json> objects;
  std::vector<std::string> names;
  for (const auto& l : listings) {
    for (const auto& e : l.entries) {
      objects.push_back(e.object);
      names.push_back(l.prefix + "/" + e.name);
    }
  }
  return PrintObjectOutput(objects, names, f.output, !f.names.empty(), f.no_headers);
}

// The tables of `listings`, kubectl's way: with several types, names carry the type
// (`pod/x`) and the tables are separated by a blank line.
std::string RenderTables(const GetFlags& f, std::vector<Listing>& listings) {
  bool prefixed = listings.size() > 1;
  std::string out;
  for (auto& l : listings) {
    if (l.entries.empty()) continue;
    Table t(l.header);
    for (auto& e : l.entries) {
      std::vector<std::string> row = e.row;
      if (prefixed && l.kind != "events") row[l.name_column] = l.prefix + "/" + row[l.name_column];
      t.AddRow(row);
    }
    if (!out.empty()) out += "\n";
    out += t.Render(f.no_headers);
  }
  return out;
}

Result<Listing> ListKind(NodePods& node, const std::string& kind, const GetFlags& f) {
  if (kind == "pods") return ListPods(node, f);
  if (kind == "daemonsets") return ListDaemonSets(node, f);
  if (kind == "events") return ListEvents(node, f);
  return ListStored(node, kind, f);
}

// NotFound's resource: "pods", "daemonsets.apps", "configmaps", "secrets".
std::string PluralOf(const std::string& kind) {
  return kind == "daemonsets" ? "daemonsets.apps" : kind;
}

volatile std::sig_atomic_t g_stop = 0;

// -w: after the listing, one row (without header, as kubectl's watch prints each event) for
// each object whose row changed, appeared or went away, until interrupted.
int Watch(NodePods& node, const GetFlags& f, const std::vector<std::string>& kinds,
          std::vector<Listing> last) {
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  bool prefixed = kinds.size() > 1;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (size_t k = 0; k < kinds.size(); k++) {
      Result<Listing> now = ListKind(node, kinds[k], f);
      if (!now) return Fail(now.error());
      std::string out;
      auto row_of = [&](const Listing& l, const Entry& e) {
        std::vector<std::string> row = e.row;
        if (prefixed && l.kind != "events") row[l.name_column] = l.prefix + "/" + e.name;
        Table t(l.header);
        t.AddRow(row);
        return t.Render(true);
      };
      auto find = [](const Listing& l, const Entry& e) -> const Entry* {
        for (const auto& o : l.entries)
          if (o.ns == e.ns && o.name == e.name && (l.kind != "events" || o.row == e.row)) return &o;
        return nullptr;
      };
      for (const auto& e : now->entries) {
        const Entry* before = find(last[k], e);
        if (!before || before->watch_key != e.watch_key) out += row_of(*now, e);
      }
      if (kinds[k] != "events") {
        for (const auto& e : last[k].entries) {
          if (find(*now, e)) continue;
          // Deleted: its last row, as the API's final object (with its deletionTimestamp)
          // prints: a pod is Terminating.
          Entry gone = e;
          if (kinds[k] == "pods") gone.row[last[k].name_column + 2] = "Terminating";
          out += row_of(last[k], gone);
        }
      }
      Print(stdout, out);
      last[k] = std::move(*now);
    }
  }
  return 0;
}

int RunGet(const GlobalOptions& global, GetFlags f) {
  // kubectl's resource builder refuses names with a selector (visitBySelector) and across all
  // namespaces (visitByName).
  bool tuple = f.resource.find('/') != std::string::npos;  // TYPE/NAME
  if ((!f.selector.empty() || !f.field_selector.empty()) && (tuple || !f.names.empty())) {
    Print(stderr, tuple ? "error: selectors and the all flag cannot be used when passing "
                          "resource/name arguments\n"
                        : "error: name cannot be provided when a selector is specified\n");
    return 1;
  }
  if (f.ns.all && (tuple || !f.names.empty())) {
    Print(stderr, "error: a resource cannot be retrieved by name across all namespaces\n");
    return 1;
  }
  std::string bad;
  std::vector<std::string> kinds = KindsOf(f, &bad);
  if (!bad.empty()) {
    if (bad != "-")
      Print(stderr, fmt::format("error: the server doesn't have a resource type \"{}\"\n", bad));
    return 1;
  }
  if (!f.output.empty() && f.output != "wide" && !IsObjectOutput(f.output)) {
    Print(stderr, fmt::format("error: unable to match a printer suitable for the output format "
                              "\"{}\", allowed formats are: custom-columns,json,jsonpath,name,"
                              "wide,yaml\n",
                              f.output));
    return 1;
  }
  bool pods_only = kinds.size() == 1 && kinds[0] == "pods";
  if (std::string error;
      !ParseGetSelectors(f.selector, f.field_selector, pods_only, &f.match, &error)) {
    Print(stderr, error);
    return 1;
  }
  auto opened = OpenNodePods(global);
  if (!opened) return Fail(opened.error());
  NodePods& node = **opened;
  std::vector<Listing> listings;
  for (const std::string& kind : kinds) {
    Result<Listing> l = ListKind(node, kind, f);
    if (!l) return Fail(l.error());
    if (!f.sort_by.empty()) {
      if (auto s = SortEntries(l->entries, f.sort_by); !s) return Fail(s.error());
    }
    listings.push_back(std::move(*l));
  }
  // Names that are not there: kubectl prints what it found, then a NotFound error for each
  // (after the table), and exits 1.
  std::vector<std::string> missing;
  if (kinds.size() == 1 && kinds[0] != "events") {
    for (const auto& n : f.names) {
      bool found = false;
      for (const auto& e : listings[0].entries) found |= e.name == n;
      if (!found) missing.push_back(n);
    }
  }
  auto report_missing = [&] {
    for (const std::string& n : missing) NotFound(PluralOf(kinds[0]), n);
    return 1;
  };
  size_t total = 0;
  for (const auto& l : listings) total += l.entries.size();
  if (!missing.empty() && total == 0) return report_missing();
  if (f.watch_only) {
    for (auto& l : listings) l.entries.clear();
  } else if (total == 0 && (!IsObjectOutput(f.output) || f.output == "name")) {
    NoneFound(f);
  } else if (IsObjectOutput(f.output)) {
    if (int rc = PrintObjects(f, listings); rc != 0) return rc;
  } else {
    Print(stdout, RenderTables(f, listings));
  }
  if (!missing.empty()) return report_missing();
  if (f.watch || f.watch_only) return Watch(node, f, kinds, std::move(listings));
  return 0;
}

CommandRegistration get_verb(31, {"get"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<GetFlags>();
  CLI::App* cmd = app.add_subcommand(
      "get",
      "List pods, DaemonSets, events, ConfigMaps or Secrets on this node (kubectl get): get\n"
      "pods, get ds, get pod NAME, get pods,ds, get all, get events, get cm, get secrets");
  cmd->add_option("resource", flags->resource,
                  "pods (po), daemonsets (ds), events (ev), configmaps (cm), secrets, all, a "
                  "comma list, or TYPE/NAME")
      ->required();
  cmd->add_option("names", flags->names, "Names to show (default: all)");
  AddNamespaceFlags(cmd, flags->ns, true);
  cmd->add_option("-o,--output", flags->output,
                  "wide, json, yaml, name, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,...");
  AddGetFilterFlags(cmd, flags->selector, flags->field_selector, flags->show_labels,
                    flags->no_headers, flags->sort_by);
  cmd->add_flag("-w,--watch", flags->watch,
                "After the listing, print a row for each change until interrupted");
  cmd->add_flag("--watch-only", flags->watch_only, "Print only the changes, not the listing");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunGet(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
