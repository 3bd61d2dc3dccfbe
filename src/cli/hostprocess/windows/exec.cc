// `exec`'s start on Windows (exec_node.h): the command runs in the container's Job Object with
// its account, environment and working directory (windows_node::Exec), through pipes or a pseudo
// console. The verb is the Linux build's (exec.cc).
#include <windows.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/hostprocess/exec_node.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/pseudo_console.h"
#include "core/base/strings.h"
#include "core/sys/windows/wine.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;

}  // namespace

bool StdinIsTerminal() { return wn::StdinIsConsole(); }

tl::expected<int, ExecError> ExecInContainer(const GlobalOptions& global, const NodePod& p,
                                             const std::string& name,
                                             const std::vector<std::string>& command,
                                             ExecStreams streams) {
  auto rec = wn::ReadPodRecord(global.root, p.key);
  if (!rec) return ExecFailed(ExecError::Why::kFailed, rec.error());
  auto decoded = wn::DecodeRecordPod(global.root, p.key, *rec);
  if (!decoded) return ExecFailed(ExecError::Why::kFailed, decoded.error());
  const k8s::Pod& pod = *decoded;
  const k8s::Container* spec = nullptr;
  for (const k8s::Container& c : pod.spec.containers)
    if (c.name == name) spec = &c;
  const agent::ContainerStatus* st = nullptr;
  for (const agent::ContainerStatus& c : p.status.containers)
    if (c.name == name) st = &c;
  constexpr std::string_view kScheme = "hostprocess://";
  if (!spec || !st || st->state.kind != "running" || !StartsWith(st->container_id, kScheme)) {
    return ExecFailed(ExecError::Why::kNoContainer,
                      Error("container \"" + name + "\" is not running", ErrorCode::kNotFound));
  }
  auto objects = wn::DecodeObjects(rec->objects, wn::PodDir(global.root, p.key) + "\\pod.json");
  if (!objects) return ExecFailed(ExecError::Why::kFailed, objects.error());
  wn::ContainerOptions options{global.root, rec->volume_root};
  options.config_maps = objects->config_maps;
  options.secrets = objects->secrets;
  options.id = st->container_id.substr(kScheme.size());
  // Measured under Wine 8: CreatePseudoConsole succeeds, but a process started in it with null
  // standard handles (the way Windows hands it the console's) has none there, so its output
  // would be lost; refused by name before anything starts (docs/windows.md).
  if (std::optional<std::string> wine = sys::WineVersion(); streams.tty && wine) {
    return ExecFailed(ExecError::Why::kFailed,
                      Error("exec -t needs a pseudo console, and Wine " + *wine +
                                " does not connect a command to one (its output would be lost); "
                                "run exec without -t",
                            ErrorCode::kUnsupported));
  }
  HANDLE devnull = nullptr;
  if (!streams.stdin_) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    devnull = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                          OPEN_EXISTING, 0, nullptr);
    SetStdHandle(STD_INPUT_HANDLE, devnull);
  }
  auto code = streams.tty ? wn::RunInPseudoConsole([&](void* hpc) {
    options.pseudo_console = hpc;
    return wn::Exec(pod, *spec, options, command);
  })
                          : wn::Exec(pod, *spec, options, command);
  if (devnull && devnull != INVALID_HANDLE_VALUE) CloseHandle(devnull);
  if (!code) return ExecNotStarted(code.error());
  return static_cast<int>(*code);
}

}  // namespace hp::cli
