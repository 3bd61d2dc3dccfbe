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
  if (f.files.empty()) {
    // Without a file (at boot, after a crash): the node brought back to what is applied.
    if (f.dry_run != "none") return wn::Fail("error: must specify one of -f and -k");
    auto node = OpenNodePods(g);
    if (!node) return wn::Fail("error: " + node.error().ToString());
    return RestoreNode(**node);
  }
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(f.admission, &opts)) return 2;
  auto decoded = DecodeWorkloads(f.files);
  if (!decoded) return wn::Fail("error: " + decoded.error().ToString(), 2);
  if (!WarnAndAdmit(*decoded, opts)) return 1;
  if (f.dry_run != "none") {
    // What would be created or configured, as on Linux (dry_run.h): nothing stored or started.
    auto node = OpenNodePods(g);
    if (!node) return wn::Fail("error: " + node.error().ToString());
    return PrintDryRun(**node, decoded->objects, f.dry_run, f.output);
  }
  auto lock = wn::StoreLock::Take(g.root);
  if (!lock) return wn::Fail("error: " + lock.error().ToString());
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
    return wn::Fail("error: you must specify at least one command for the container");
  std::string key = agent::ObjectKey(f.ns, f.pod);
  auto rec = wn::ReadPodRecord(g.root, key);
  if (!rec) return wn::Fail("Error from server (NotFound): pods \"" + f.pod + "\" not found");
  auto decoded = wn::DecodeRecordPod(g.root, key, *rec);
  if (!decoded) return wn::Fail("error: " + decoded.error().ToString());
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
    return wn::Fail("error: unable to upgrade connection: container not found (\"" + name + "\")");
  auto objects = wn::DecodeObjects(rec->objects, wn::PodDir(g.root, key) + "\\pod.json");
  if (!objects) return wn::Fail("error: " + objects.error().ToString());
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
    return wn::Fail("error: exec -t needs a pseudo console, and Wine " + *wine +
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

// ---- registration -------------------------------------------------------------------------

CommandRegistration apply_reg(30, {"apply"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<ApplyFlags>();
  auto* cmd = app.add_subcommand(
      "apply",
      "Store the ConfigMaps and Secrets and run the Pods and DaemonSets of a manifest (Windows\n"
      "preview). Without -f: bring the node back to the applied state (after a reboot or a\n"
      "crash).");
  cmd->add_option("-f,--filename", f->files, "Manifest file, directory or - for stdin");
  AddAdmissionFlags(cmd, f->admission);
  cmd->add_option("--volume-root", f->volume_root, "Where container volumes are made")
      ->capture_default_str();
  cmd->add_option("--dry-run", f->dry_run,
                  "none, client or server: print what would be applied, change nothing")
      ->capture_default_str();
  cmd->add_option("-o,--output", f->output, "yaml, json or name (the applied objects)");
  cmd->callback([&g, &rc, f] { rc = Apply(g, *f); });
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

}  // namespace
}  // namespace hp::cli
