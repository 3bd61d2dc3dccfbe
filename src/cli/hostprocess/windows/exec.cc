// `exec` on Windows (preview, docs/windows.md): a command in a running container's Job Object,
// with its account, environment and working directory, through pipes or a pseudo console. The
// other pod verbs are the Linux build's (apply.cc, get.cc, delete.cc, ... over
// windows/node_pods.cc).
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

using windows_node::ViewStatus;
using windows_node::Write;
namespace wn = windows_node;

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
