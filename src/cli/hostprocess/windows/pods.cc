// `apply -f`, `get pods|daemonsets`, `exec`, `delete` on Windows (preview, docs/windows.md);
// `logs` is the Linux build's verb (logs.cc over windows/node_pods.cc).
// A Pod gets its own supervisor process (windows/supervise.cc); a DaemonSet is stored, and the
// DaemonSet controller for this node (windows/pod_state.h Reconcile) gives it its pod
// when the template fits the node. Output is kubectl's: the tables through kubectl's printers
// (printers/table.h) from the same agent::PodStatus the Linux supervisor records, and
// `get -o json|yaml|name` through the Linux build's API objects (printers/api_objects.h).
#include <windows.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/dry_run.h"
#include "cli/hostprocess/get_filters.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/printers/api_objects.h"
#include "cli/hostprocess/printers/describe.h"
#include "cli/hostprocess/printers/object_output.h"
#include "cli/hostprocess/printers/table.h"
#include "cli/hostprocess/windows/api_views.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/pseudo_console.h"
#include "cli/hostprocess/windows/resources.h"
#include "core/agent/naming.h"
#include "core/agent/node.h"
#include "core/agent/schedule.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/qos.h"
#include "core/sys/file.h"
#include "core/sys/windows/wine.h"

namespace hp::cli {
namespace {

using nlohmann::json;
using windows_node::Fail;
using windows_node::NoneFound;
using windows_node::PodKeys;
using windows_node::Resource;
using windows_node::ResourceOf;
using windows_node::ViewStatus;
using windows_node::Write;
namespace wn = windows_node;

std::string NamespaceOf(const k8s::ObjectMeta& m) {
  return m.namespace_.empty() ? "default" : m.namespace_;
}

// The objects of manifest files, directories or stdin (`-`), decoded with their JSON; kinds
// other than Pod, DaemonSet, ConfigMap and Secret are refused by name before anything is done.
Result<k8s::Decoded> DecodeWorkloads(const std::vector<std::string>& files) {
  k8s::DecodeOptions options;
  options.keep_raw = true;
  ASSIGN_OR_RETURN(k8s::Decoded decoded, DecodeManifests(files, options));
  for (const k8s::Object& o : decoded.objects)
    if (!o.pod() && !o.daemon_set() && !wn::StoredKindOf(o.kind))
      return Err(ErrorCode::kUnsupported,
                 "\"{}\": {} \"{}\": the Windows preview build applies Pods, DaemonSets, "
                 "ConfigMaps and Secrets only",
                 o.source().file, k8s::KindName(o.kind), o.metadata().name);
  return decoded;
}

// ---- apply --------------------------------------------------------------------------------

struct ApplyFlags {
  std::vector<std::string> files;
  AdmissionFlags admission;
  std::string volume_root = "C:\\hpc";
  std::string dry_run = "none";  // none | client | server
  std::string output;            // with --dry-run: yaml | json | name
};

int Apply(const GlobalOptions& g, const ApplyFlags& f) {
  if (!DryRunFlagsValid(f.dry_run, f.output)) return 1;
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(f.admission, &opts)) return 2;
  auto decoded = DecodeWorkloads(f.files);
  if (!decoded) return Fail("error: " + decoded.error().ToString(), 2);
  if (!WarnAndAdmit(*decoded, opts)) return 1;
  if (f.dry_run != "none") {
    // What would be created or configured, as on Linux (dry_run.h): nothing stored or started.
    auto node = OpenNodePods(g);
    if (!node) return Fail("error: " + node.error().ToString());
    return PrintDryRun(**node, decoded->objects, f.dry_run, f.output);
  }
  auto lock = wn::StoreLock::Take(g.root);
  if (!lock) return Fail("error: " + lock.error().ToString());
  int rc = 0;
  // ConfigMaps and Secrets are stored first (in the file's order): a pod created below takes
  // the objects of its namespace, those of the same file included, as on Linux.
  std::map<const k8s::Object*, std::string> lines;
  for (const k8s::Object& o : decoded->objects) {
    const wn::ObjectKind* kind = wn::StoredKindOf(o.kind);
    if (!kind) continue;
    auto line = wn::ApplyObject(g.root, *kind, NamespaceOf(o.metadata()), o.metadata().name,
                                json::parse(o.raw_json));
    if (!line) {
      Write(stderr, "error: " + line.error().ToString() + "\n");
      rc = 1;
      continue;
    }
    lines[&o] = *line;
  }
  std::vector<std::string> out;
  for (const k8s::Object& o : decoded->objects) {
    const k8s::ObjectMeta& m = o.metadata();
    std::string key = agent::ObjectKey(NamespaceOf(m), m.name);
    if (wn::StoredKindOf(o.kind)) {
      if (auto line = lines.find(&o); line != lines.end()) out.push_back(line->second);
      continue;
    }
    json raw = json::parse(o.raw_json);
    if (o.daemon_set()) {
      std::string path = wn::DaemonSetsDir(g.root) + "\\" + key + ".json";
      auto stored = wn::ReadJson(path);
      if (stored && stored->value("object", json()) == raw) {
        out.push_back("daemonset.apps/" + m.name + " unchanged");
        continue;
      }
      std::error_code ec;
      std::filesystem::create_directories(
          std::filesystem::path(sys::Widen(wn::DaemonSetsDir(g.root))), ec);
      json record = {
          {"object", raw},
          {"volumeRoot", f.volume_root},
          {"created", stored ? stored->value("created", NowUnixSeconds()) : NowUnixSeconds()}};
      if (Status s = wn::WriteJson(path, record); !s) {
        Write(stderr, "error: " + s.error().ToString() + "\n");
        rc = 1;
        continue;
      }
      out.push_back("daemonset.apps/" + m.name + (stored ? " configured" : " created"));
      continue;
    }
    if (auto rec = wn::ReadPodRecord(g.root, key)) {
      // The same pod as applied, the uid CreatePod gave it aside.
      auto without_uid = [](json pod) {
        if (auto meta = pod.find("metadata"); meta != pod.end() && meta->is_object())
          meta->erase("uid");
        return pod;
      };
      if (without_uid(rec->pod) == without_uid(raw)) {
        out.push_back("pod/" + m.name + " unchanged");
      } else {
        Write(stderr, "error: pod \"" + m.name +
                          "\" exists with another spec: the Windows "
                          "preview build does not update a pod; delete it and apply again\n");
        rc = 1;
      }
      continue;
    }
    wn::PodRecord r;
    r.pod = raw;
    r.objects = wn::NamespaceObjects(g.root, NamespaceOf(m));
    r.volume_root = f.volume_root;
    r.created = NowUnixSeconds();
    if (Status s = wn::CreatePod(g.root, key, r); !s) {
      Write(stderr, "error: " + s.error().ToString() + "\n");
      rc = 1;
      continue;
    }
    out.push_back("pod/" + m.name + " created");
  }
  Write(stdout, out.empty() ? "" : Join(out, "\n") + "\n");
  if (Status s = wn::Reconcile(g.root); !s) {
    Write(stderr, "error: " + s.error().message() + "\n");
    rc = 1;
  }
  return rc;
}

// ---- get ----------------------------------------------------------------------------------

// `get`'s arguments: the namespace (or -A), the names asked for (all when empty), -o, -l,
// --field-selector, --show-labels, --no-headers.
struct GetFlags {
  std::string ns = "default";
  bool all = false;
  std::string resource;
  std::vector<std::string> names;
  std::string output;
  std::string selector, field_selector;
  bool show_labels = false;
  bool no_headers = false;
  std::string sort_by;  // --sort-by JSONPath
  GetSelectors match;
  bool wide() const { return output == "wide"; }
  bool objects() const { return IsObjectOutput(output); }
  // Whether the API objects are made: to print them, or to sort by them.
  bool needs_objects() const { return objects() || !sort_by.empty(); }
  // The namespace listed, "" for every one (PodKeys, NoneFound).
  std::string listed_ns() const { return all ? "" : ns; }
};

bool Named(const GetFlags& f, const std::string& name) {
  return f.names.empty() || std::find(f.names.begin(), f.names.end(), name) != f.names.end();
}

// The header of a listing: NAMESPACE first with -A, LABELS last with --show-labels.
std::vector<std::string> Header(const GetFlags& f, std::vector<std::string> columns) {
  if (f.all) columns.insert(columns.begin(), "NAMESPACE");
  if (f.show_labels) columns.push_back("LABELS");
  return columns;
}

// One type's listing: the table's header and rows, or the API objects for -o json|yaml|name|
// jsonpath=|custom-columns= (the Linux build's, api_objects.h), by name.
struct Listing {
  const char* plural;  // NotFound's: "pods", "daemonsets.apps"
  const char* prefix;  // -o name's and a multi-type table's: "pod", "daemonset.apps"
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, json>> objects;
};

// After the listings, as the Linux build: with one type, a name asked for and not found is
// NotFound; nothing at all is "No resources found" for tables or names, an empty List for the
// other formats; with several types, the names in the tables carry their type (`pod/x`) and the
// tables are separated by a blank line.
int PrintListings(const GetFlags& f, std::vector<Listing>& listings) {
  if (listings.size() == 1) {
    for (const std::string& n : f.names) {
      bool found = false;
      for (const auto& [name, object] : listings[0].objects) found |= name == n;
      if (!found)
        return Fail(std::string("Error from server (NotFound): ") + listings[0].plural + " \"" + n +
                    "\" not found");
    }
  }
  if (!f.sort_by.empty()) {
    for (Listing& l : listings) {
      std::vector<const json*> objects;
      for (const auto& [name, object] : l.objects) objects.push_back(&object);
      auto order = SortOrder(objects, f.sort_by);
      if (!order) return Fail("error: " + order.error().ToString());
      std::vector<std::pair<std::string, json>> sorted_objects;
      std::vector<std::vector<std::string>> sorted_rows;
      for (size_t i : *order) {
        sorted_objects.push_back(std::move(l.objects[i]));
        if (i < l.rows.size()) sorted_rows.push_back(std::move(l.rows[i]));
      }
      l.objects = std::move(sorted_objects);
      l.rows = std::move(sorted_rows);
    }
  }
  size_t total = 0;
  for (const Listing& l : listings) total += l.objects.size();
  if (total == 0 && (!f.objects() || f.output == "name")) return NoneFound(f.listed_ns());
  if (f.objects()) {
    std::vector<json> objects;
    std::vector<std::string> names;
    for (Listing& l : listings) {
      for (auto& [name, object] : l.objects) {
        objects.push_back(std::move(object));
        names.push_back(std::string(l.prefix) + "/" + name);
      }
    }
    return PrintObjectOutput(objects, names, f.output, !f.names.empty(), f.no_headers);
  }
  std::string out;
  size_t name_column = f.all ? 1 : 0;
  for (Listing& l : listings) {
    if (l.rows.empty()) continue;
    Table t(l.header);
    for (std::vector<std::string>& row : l.rows) {
      if (listings.size() > 1) row[name_column] = std::string(l.prefix) + "/" + row[name_column];
      t.AddRow(std::move(row));
    }
    if (!out.empty()) out += "\n";
    out += t.Render(f.no_headers);
  }
  Write(stdout, out);
  return 0;
}

Listing ListPodsOf(const GlobalOptions& g, const GetFlags& f) {
  std::vector<std::string> columns = {"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
  if (f.wide())
    for (const std::string& h : PodWideHeader()) columns.push_back(h);
  Listing l{"pods", "pod", Header(f, std::move(columns)), {}, {}};
  int64_t now = NowUnixSeconds();
  std::string node =
      f.wide() || f.needs_objects() || !f.field_selector.empty() ? agent::LocalNode({}).name : "";
  for (const std::string& key : PodKeys(g.root, f.listed_ns())) {
    size_t sep = key.find('_');  // <ns>_<name>: a namespace has no '_'
    std::string ns = key.substr(0, sep), name = key.substr(sep + 1);
    if (!Named(f, name)) continue;
    auto rec = wn::ReadPodRecord(g.root, key);
    if (!rec || !f.match.labels.Matches(k8s::LabelsOf(rec->pod))) continue;
    // The status read once: as recorded for the API object (the pod Unknown when the supervisor
    // died, as describe sees it), as ViewStatus shows it for the table and the field selector.
    agent::PodStatus status = wn::ReadStatus(g.root, key).value_or(wn::InitialStatus(rec->pod));
    bool alive = status.finished || wn::SupervisorAlive(g.root, key);
    agent::PodStatus s = ViewStatus(status, alive);
    if (!f.match.fields.Matches(PodFields(name, ns, node, s.phase))) continue;
    json object;
    if (f.needs_objects()) object = wn::PodApiObject(ns, *rec, status, alive, node);
    if (!f.objects()) {
      std::vector<std::string> row;
      if (f.all) row.push_back(ns);
      for (std::string cell : {name, ReadyColumn(s), StatusColumn(s), RestartsColumn(s, now),
                               HumanDuration(now - rec->created)})
        row.push_back(std::move(cell));
      if (f.wide())
        for (std::string& cell : PodWideColumns(s, rec->pod, node)) row.push_back(std::move(cell));
      if (f.show_labels) row.push_back(LabelsColumn(rec->pod));
      l.rows.push_back(std::move(row));
    }
    l.objects.emplace_back(name, std::move(object));
  }
  return l;
}

Listing ListDaemonSetsOf(const GlobalOptions& g, const GetFlags& f) {
  std::vector<std::string> columns = {"NAME",       "DESIRED",   "CURRENT",       "READY",
                                      "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"};
  if (f.wide())
    for (const std::string& h : DaemonSetWideHeader()) columns.push_back(h);
  Listing l{"daemonsets.apps", "daemonset.apps", Header(f, std::move(columns)), {}, {}};
  int64_t now = NowUnixSeconds();
  std::vector<std::string> damaged;
  for (const wn::DaemonSetView& ds : wn::ListDaemonSets(g.root, &damaged)) {
    if ((!f.all && ds.ns != f.ns) || !Named(f, ds.name)) continue;
    if (!f.match.labels.Matches(k8s::LabelsOf(ds.object)) ||
        !f.match.fields.Matches(ObjectFields(ds.name, ds.ns)))
      continue;
    DaemonSetCounts counts = wn::CountsOf(g.root, ds);
    json object;
    if (f.needs_objects()) object = wn::DaemonSetApiObject(ds, counts);
    if (!f.objects()) {
      std::vector<std::string> row;
      if (f.all) row.push_back(ds.ns);
      for (std::string cell : {ds.name, std::to_string(counts.desired),
                               std::to_string(counts.current), std::to_string(counts.ready),
                               std::to_string(counts.up_to_date), std::to_string(counts.available),
                               NodeSelectorColumn(ds.object), HumanDuration(now - ds.created)})
        row.push_back(std::move(cell));
      if (f.wide())
        for (std::string& cell : DaemonSetWideColumns(ds.object)) row.push_back(std::move(cell));
      if (f.show_labels) row.push_back(LabelsColumn(ds.object));
      l.rows.push_back(std::move(row));
    }
    l.objects.emplace_back(ds.name, std::move(object));
  }
  for (const std::string& d : damaged) Write(stderr, "Warning: " + d + "\n");
  return l;
}

// kubectl's tables: configmaps NAME DATA AGE, secrets NAME TYPE DATA AGE (DATA counts the
// keys: a ConfigMap's data and binaryData; a Secret's data with stringData merged, as the API
// server stores it).
int GetObjects(const GlobalOptions& g, const wn::ObjectKind& kind, const std::string& ns,
               bool no_headers) {
  bool secret = kind.kind == k8s::Kind::kSecret;
  Table table(secret ? std::vector<std::string>{"NAME", "TYPE", "DATA", "AGE"}
                     : std::vector<std::string>{"NAME", "DATA", "AGE"});
  int64_t now = NowUnixSeconds();
  std::vector<std::string> damaged;
  for (const wn::StoredObject& o : wn::ListObjects(g.root, kind, ns, &damaged)) {
    std::set<std::string> keys;
    for (const char* field : {"data", "binaryData", "stringData"})
      if (auto d = o.object.find(field); d != o.object.end() && d->is_object())
        for (const auto& [k, v] : d->items()) keys.insert(k);
    std::vector<std::string> row = {o.name};
    if (secret) {
      std::string type = o.object.value("type", "");
      row.push_back(type.empty() ? "Opaque" : type);
    }
    row.push_back(std::to_string(keys.size()));
    row.push_back(HumanDuration(now - o.created));
    table.AddRow(std::move(row));
  }
  for (const std::string& d : damaged) Write(stderr, "Warning: " + d + "\n");
  if (table.rows() == 0) return NoneFound(ns);
  Write(stdout, table.Render(no_headers));
  return 0;
}

// ---- exec ---------------------------------------------------------------------------------

struct ExecFlags {
  std::string ns = "default", pod, container;
  bool stdin_ = false;
  bool tty = false;
  std::vector<std::string> command;
};

// kubectl exec: the command runs in the container's Job Object with its account, environment and
// working directory (windows_node::Exec), its output on ours; its exit code is ours.
int RunExec(const GlobalOptions& g, const ExecFlags& f) {
  if (f.command.empty())
    return Fail("error: you must specify at least one command for the container");
  std::string key = agent::ObjectKey(f.ns, f.pod);
  auto rec = wn::ReadPodRecord(g.root, key);
  if (!rec) return Fail("Error from server (NotFound): pods \"" + f.pod + "\" not found");
  auto decoded = wn::DecodeRecordPod(g.root, key, *rec);
  if (!decoded) return Fail("error: " + decoded.error().ToString());
  const k8s::Pod& pod = *decoded;
  agent::PodStatus s = ViewStatus(g.root, key, *rec);
  std::string name = f.container;
  if (name.empty() && !s.containers.empty()) {
    name = s.containers[0].name;
    if (s.containers.size() > 1) {
      std::vector<std::string> names;
      for (const auto& c : s.containers) names.push_back(c.name);
      for (const auto& c : s.init_containers) names.push_back(c.name + " (init)");
      Write(stderr, "Defaulted container \"" + name + "\" out of: " + Join(names, ", ") + "\n");
    }
  }
  const k8s::Container* spec = nullptr;
  for (const k8s::Container& c : pod.spec.containers)
    if (c.name == name) spec = &c;
  const agent::ContainerStatus* st = nullptr;
  for (const agent::ContainerStatus& c : s.containers)
    if (c.name == name) st = &c;
  constexpr std::string_view kScheme = "hostprocess://";
  if (!spec || !st || st->state.kind != "running" || !StartsWith(st->container_id, kScheme))
    return Fail("error: unable to upgrade connection: container not found (\"" + name + "\")");
  auto objects = wn::DecodeObjects(rec->objects, wn::PodDir(g.root, key) + "\\pod.json");
  if (!objects) return Fail("error: " + objects.error().ToString());
  wn::ContainerOptions options{g.root, rec->volume_root};
  options.config_maps = objects->config_maps;
  options.secrets = objects->secrets;
  options.id = st->container_id.substr(kScheme.size());
  // kubectl's rule (SetupTTY): a tty only with stdin, and only when stdin is a terminal.
  bool tty = f.tty && f.stdin_;
  if (tty && !wn::StdinIsConsole()) {
    Write(stderr, "Unable to use a TTY - input is not a terminal or the right kind of file\n");
    tty = false;
  }
  // Measured under Wine 8: CreatePseudoConsole succeeds, but a process started in it with null
  // standard handles (the way Windows hands it the console's) has none there, so its output
  // would be lost; refused by name before anything starts (docs/windows.md).
  if (std::optional<std::string> wine = sys::WineVersion(); tty && wine)
    return Fail("error: exec -t needs a pseudo console, and Wine " + *wine +
                " does not connect a command to one (its output would be lost); run exec "
                "without -t");
  HANDLE devnull = nullptr;
  if (!f.stdin_) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    devnull = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                          OPEN_EXISTING, 0, nullptr);
    SetStdHandle(STD_INPUT_HANDLE, devnull);
  }
  auto code = tty ? wn::RunInPseudoConsole([&](void* hpc) {
    options.pseudo_console = hpc;
    return wn::Exec(pod, *spec, options, f.command);
  })
                  : wn::Exec(pod, *spec, options, f.command);
  if (devnull && devnull != INVALID_HANDLE_VALUE) CloseHandle(devnull);
  if (!code) {
    // kubectl shows the runtime's words and exits 126/127 like a shell.
    Write(stderr, "error: " + code.error().ToString() + "\n");
    return code.error().code() == ErrorCode::kNotFound ? 127 : 126;
  }
  if (*code != 0) Write(stderr, fmt::format("command terminated with exit code {}\n", *code));
  return static_cast<int>(*code);
}

// ---- delete -------------------------------------------------------------------------------

// Deletes one object; its line (kubectl's words) or an error. The DaemonSet controller runs
// after every delete: a deleted DaemonSet's pod goes with it, a deleted DaemonSet pod comes back.
int DeleteOne(const GlobalOptions& g, Resource what, const std::string& ns,
              const std::string& name) {
  std::string key = agent::ObjectKey(ns, name);
  if (what == Resource::kPods) {
    if (!sys::Exists(wn::PodDir(g.root, key)))
      return Fail("Error from server (NotFound): pods \"" + name + "\" not found");
    if (Status removed = wn::RemovePod(g.root, key); !removed)
      return Fail("error: " + removed.error().message());
    Write(stdout, "pod \"" + name + "\" deleted\n");
    return 0;
  }
  std::string path = wn::DaemonSetsDir(g.root) + "\\" + key + ".json";
  if (!sys::Exists(path))
    return Fail("Error from server (NotFound): daemonsets.apps \"" + name + "\" not found");
  std::error_code ec;
  std::filesystem::remove(std::filesystem::path(sys::Widen(path)), ec);
  if (ec) return Fail("error: remove \"" + path + "\": " + ec.message());
  Write(stdout, "daemonset.apps \"" + name + "\" deleted\n");
  return 0;
}

struct DeleteFlags {
  std::vector<std::string> args;  // RESOURCE NAME...
  std::vector<std::string> files;
  std::string ns = "default";
};

// A stored ConfigMap or Secret deleted; pods keep what their records took (as on Linux).
int DeleteStored(const GlobalOptions& g, const wn::ObjectKind& kind, const std::string& ns,
                 const std::string& name) {
  auto line = wn::DeleteObject(g.root, kind, ns, name);
  if (!line)
    return Fail(line.error().code() == ErrorCode::kNotFound
                    ? "Error from server (NotFound): " + line.error().message()
                    : "error: " + line.error().ToString());
  Write(stdout, *line + "\n");
  return 0;
}

int Delete(const GlobalOptions& g, const DeleteFlags& f) {
  struct Target {
    Resource what;                 // pods or daemonsets, unless `stored` is set
    const wn::ObjectKind* stored;  // a ConfigMap or Secret
    std::string ns, name;
  };
  std::vector<Target> targets;
  if (!f.files.empty()) {
    if (!f.args.empty()) return Fail("error: names cannot be provided when a file is given", 2);
    auto decoded = DecodeWorkloads(f.files);
    if (!decoded) return Fail("error: " + decoded.error().ToString(), 2);
    for (const k8s::Object& o : decoded->objects)
      targets.push_back(
          {o.pod() ? Resource::kPods : Resource::kDaemonSets, wn::StoredKindOf(o.kind),
           o.metadata().namespace_.empty() ? f.ns : o.metadata().namespace_, o.metadata().name});
  } else {
    if (f.args.empty())
      return Fail("error: You must provide one or more resources by argument or filename.", 2);
    Resource what = ResourceOf(f.args[0]);
    const wn::ObjectKind* stored = wn::StoredKindNamed(f.args[0]);
    if (what == Resource::kOther && !stored)
      return Fail("error: the server doesn't have a resource type \"" + f.args[0] +
                      "\" (the Windows preview build has " + windows_node::kResources + ")",
                  1);
    if (f.args.size() < 2)
      return Fail("error: resource(s) were provided, but no name was specified", 2);
    for (size_t i = 1; i < f.args.size(); ++i) targets.push_back({what, stored, f.ns, f.args[i]});
  }
  auto lock = wn::StoreLock::Take(g.root);
  if (!lock) return Fail("error: " + lock.error().ToString());
  int rc = 0;
  for (const Target& t : targets)
    rc = std::max(rc, t.stored ? DeleteStored(g, *t.stored, t.ns, t.name)
                               : DeleteOne(g, t.what, t.ns, t.name));
  if (Status s = wn::Reconcile(g.root); !s)
    rc = std::max(rc, Fail("error: " + s.error().message()));
  return rc;
}

// ---- registration -------------------------------------------------------------------------

CommandRegistration apply_reg(30, {"apply"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<ApplyFlags>();
  auto* cmd = app.add_subcommand("apply",
                                 "Store the ConfigMaps and Secrets and run the Pods and "
                                 "DaemonSets of a manifest (Windows preview)");
  cmd->add_option("-f,--filename", f->files, "Manifest file, directory or - for stdin")->required();
  AddAdmissionFlags(cmd, f->admission);
  cmd->add_option("--volume-root", f->volume_root, "Where container volumes are made")
      ->capture_default_str();
  cmd->add_option("--dry-run", f->dry_run,
                  "none, client or server: print what would be applied, change nothing")
      ->capture_default_str();
  cmd->add_option("-o,--output", f->output, "yaml, json or name (the applied objects)");
  cmd->callback([&g, &rc, f] { rc = Apply(g, *f); });
});

CommandRegistration get_reg(31, {"get"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<GetFlags>();
  auto* cmd =
      app.add_subcommand("get", "List pods, daemonsets, configmaps or secrets (Windows preview)");
  cmd->add_option("RESOURCE", f->resource, "pods | daemonsets | configmaps | secrets")->required();
  cmd->add_option("NAME", f->names, "Names to show (default: all)");
  cmd->add_option("-n,--namespace", f->ns, "Namespace")->capture_default_str();
  cmd->add_flag("-A,--all-namespaces", f->all, "List the objects of every namespace");
  cmd->add_option("-o,--output", f->output,
                  "wide (the node's IP and name for pods), json, yaml, name, jsonpath=TEMPLATE or "
                  "custom-columns=HEADER:PATH,...");
  AddGetFilterFlags(cmd, f->selector, f->field_selector, f->show_labels, f->no_headers, f->sort_by);
  cmd->callback([&g, &rc, f] {
    if (!f->output.empty() && !f->wide() && !f->objects()) {
      rc = Fail("error: unable to match a printer suitable for the output format \"" + f->output +
                "\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml");
      return;
    }
    if (const wn::ObjectKind* kind = wn::StoredKindNamed(f->resource)) {
      if (f->objects() || !f->names.empty() || f->all || !f->selector.empty() ||
          !f->field_selector.empty() || f->show_labels || !f->sort_by.empty()) {
        rc = Fail("error: get " + f->resource +
                  " lists a namespace's as a table (the Windows preview build): no NAME, -A, -l, "
                  "--field-selector, --show-labels, --sort-by, or -o json, yaml or name");
        return;
      }
      rc = GetObjects(g, *kind, f->ns, f->no_headers);  // -o wide: kubectl's columns are the same
      return;
    }
    // The types: TYPE/NAME, or a comma list of pods and daemonsets (and their kubectl names),
    // `all` being both, as the Linux build takes them.
    std::vector<Resource> kinds;
    if (f->resource.find('/') != std::string::npos) {
      std::string kind = PodOrDaemonSetKind(f->resource, f->names);
      if (kind.empty()) {
        rc = 1;
        return;
      }
      kinds.push_back(kind == "pods" ? Resource::kPods : Resource::kDaemonSets);
    } else {
      for (const std::string& r : Split(f->resource, ',')) {
        std::vector<Resource> these =
            r == "all" ? std::vector<Resource>{Resource::kPods, Resource::kDaemonSets}
                       : std::vector<Resource>{ResourceOf(r)};
        for (Resource k : these) {
          if (k != Resource::kPods && k != Resource::kDaemonSets) {
            rc = Fail("error: the server doesn't have a resource type \"" + r +
                      "\" (the Windows preview build has " + windows_node::kResources + ")");
            return;
          }
          if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
        }
      }
    }
    std::string error;
    bool pods_only = kinds.size() == 1 && kinds[0] == Resource::kPods;
    if (!ParseGetSelectors(f->selector, f->field_selector, pods_only, &f->match, &error)) {
      Write(stderr, error);
      rc = 1;
      return;
    }
    std::vector<Listing> listings;
    for (Resource k : kinds)
      listings.push_back(k == Resource::kPods ? ListPodsOf(g, *f) : ListDaemonSetsOf(g, *f));
    rc = PrintListings(*f, listings);
  });
});

CommandRegistration exec_reg(34, {"exec"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<ExecFlags>();
  auto* cmd = app.add_subcommand(
      "exec",
      "Run a command in a running container (kubectl exec): exec [-i] [-t] POD [-c C] -- CMD.\n"
      "It joins the container's Job Object, account, environment and working directory.");
  cmd->add_option("POD", f->pod, "The pod")->required();
  cmd->add_option("-c,--container", f->container, "Container name (default: the first)");
  cmd->add_option("-n,--namespace", f->ns, "Namespace")->capture_default_str();
  cmd->add_flag("-i,--stdin", f->stdin_, "Pass stdin to the command");
  cmd->add_flag("-t,--tty", f->tty,
                "Run the command in a pseudo console (with -i, when stdin is a console)");
  cmd->add_option("COMMAND", f->command, "The command and its arguments, after --");
  cmd->callback([&g, &rc, f] { rc = RunExec(g, *f); });
});

CommandRegistration delete_reg(36, {"delete"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<DeleteFlags>();
  auto* cmd = app.add_subcommand(
      "delete",
      "Stop and remove pods or daemonsets, remove configmaps or secrets (Windows preview)");
  cmd->add_option("ARGS", f->args, "RESOURCE NAME...");
  cmd->add_option("-f,--filename", f->files,
                  "Manifest file, directory or - for stdin whose objects are deleted");
  cmd->add_option("-n,--namespace", f->ns, "Namespace")->capture_default_str();
  cmd->callback([&g, &rc, f] { rc = Delete(g, *f); });
});

}  // namespace
}  // namespace hp::cli
