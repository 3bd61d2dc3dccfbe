#include "core/oci/hooks.h"

#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/launch/launch.h"

namespace hp::oci {

std::string HookState(const std::string& oci_version, const std::string& id,
                      const std::string& status, int pid, const std::string& bundle,
                      const std::map<std::string, std::string>& annotations) {
  nlohmann::json j = {{"ociVersion", oci_version.empty() ? "1.0.2" : oci_version},
                      {"id", id},
                      {"status", status},
                      {"bundle", bundle}};
  if (pid > 0) j["pid"] = pid;
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

Status RunHook(const Hook& hook, const std::string& state_json) {
  // Started like every process of hostprocess (hp/launch: error pipe, signal reset, fd
  // hygiene), with exactly its args and env, the state on stdin and its output captured.
  launch::LaunchSpec spec;
  spec.path = hook.path;
  spec.argv = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  spec.env = hook.env;
  launch::CaptureOptions options;
  options.input = state_json;
  if (hook.timeout) options.timeout = std::chrono::milliseconds(int64_t{*hook.timeout} * 1000);
  auto run = launch::RunCaptured(std::move(spec), options);
  if (!run) {
    if (::access(hook.path.c_str(), X_OK) != 0)
      return Err(ErrorCode::kNotFound, "hook {}: not an executable file", Quote(hook.path));
    return Err(std::move(run).error().Context(fmt::format("hook {}", Quote(hook.path))));
  }
  if (run->timed_out)
    return Err(ErrorCode::kFailedPrecondition, "hook {} timed out after {}s", Quote(hook.path),
               *hook.timeout);
  const launch::ExitStatus& status = run->status;
  if (status.exit_code == 0) return Ok();
  std::string how = status.signal ? fmt::format("signal {}", status.signal)
                                  : fmt::format("exit status {}", status.exit_code);
  std::string trimmed(TrimSpace(run->output));
  return Err(ErrorCode::kFailedPrecondition, "hook {} failed: {}{}{}", Quote(hook.path), how,
             trimmed.empty() ? "" : ", output: ", trimmed);
}

Status RunHooks(const std::vector<Hook>& hooks, const std::string& kind,
                const std::string& state_json) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    auto st = RunHook(hooks[i], state_json);
    if (!st) return Err(std::move(st).error().Context(fmt::format("{} hook #{}", kind, i)));
  }
  return Ok();
}

}  // namespace hp::oci
