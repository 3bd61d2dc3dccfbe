// `hostprocess rollout status|restart ds/NAME`: kubectl rollout for this node's DaemonSets.
// status waits, printing kubectl's DaemonSetStatusViewer lines when they change, until every
// pod of the DaemonSet is updated and available (or --timeout); restart stamps the template
// with kubectl.kubernetes.io/restartedAt, which rolls the pod as a changed template does. One
// verb for both nodes' builds: the DaemonSets are read and updated through node_pods.h.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/base/time.h"

namespace hp::cli {
namespace {

struct RolloutFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
  std::string timeout = "0s";
  bool watch = true;
};

Result<std::string> DaemonSetName(RolloutFlags& f) {
  std::string kind = PodOrDaemonSetKind(f.resource, f.names);
  if (kind.empty()) return Err(Error("", ErrorCode::kInvalidArgument));
  if (kind != "daemonsets") {
    return Err(ErrorCode::kInvalidArgument, "no status viewer has been implemented for Pod");
  }
  if (f.names.size() != 1) {
    return Err(ErrorCode::kInvalidArgument,
               "required resource not specified: rollout needs exactly one ds/NAME");
  }
  return f.names[0];
}

const NodeDaemonSet* Find(const std::vector<NodeDaemonSet>& list, const std::string& ns,
                          const std::string& name) {
  for (const auto& d : list)
    if (d.ns == ns && d.name == name) return &d;
  return nullptr;
}

// kubectl's DaemonSetStatusViewer: the line to print and whether the rollout is done.
std::pair<std::string, bool> StatusLine(const NodeDaemonSet& d) {
  // The API server's default strategy: RollingUpdate.
  const nlohmann::json spec = d.object.value("spec", nlohmann::json::object());
  std::string strategy =
      spec.value("updateStrategy", nlohmann::json::object()).value("type", "RollingUpdate");
  if (strategy != "RollingUpdate")
    return {"error: rollout status is only available for RollingUpdate strategy type\n", true};
  if (d.up_to_date < d.desired) {
    return {fmt::format("Waiting for daemon set \"{}\" rollout to finish: {} out of {} new pods "
                        "have been updated...\n",
                        d.name, d.up_to_date, d.desired),
            false};
  }
  if (d.available < d.desired) {
    return {fmt::format("Waiting for daemon set \"{}\" rollout to finish: {} of {} updated pods "
                        "are available...\n",
                        d.name, d.available, d.desired),
            false};
  }
  return {fmt::format("daemon set \"{}\" successfully rolled out\n", d.name), true};
}

int RunStatus(const GlobalOptions& global, RolloutFlags f) {
  auto name = DaemonSetName(f);
  if (!name) {
    if (!name.error().message().empty()) Print(stderr, "error: " + name.error().message() + "\n");
    return 1;
  }
  auto timeout = ParseTimeoutFlag(f.timeout);
  if (!timeout) return 1;
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error());
  auto deadline = std::chrono::steady_clock::now() + *timeout;
  std::string last;
  while (true) {
    auto list = DaemonSetsCounted(**node);
    if (!list) return Fail(list.error());
    const NodeDaemonSet* d = Find(*list, f.ns.ns, *name);
    if (!d) return NotFound("daemonsets.apps", *name);
    auto [line, done] = StatusLine(*d);
    if (line.rfind("error: ", 0) == 0) {
      Print(stderr, line);
      return 1;
    }
    if (line != last) Print(stdout, line);
    last = line;
    if (done || !f.watch) return 0;
    if (timeout->count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      Print(stderr, "error: timed out waiting for the condition\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int RunRestart(const GlobalOptions& global, RolloutFlags f) {
  auto name = DaemonSetName(f);
  if (!name) {
    if (!name.error().message().empty()) Print(stderr, "error: " + name.error().message() + "\n");
    return 1;
  }
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error());
  auto list = (*node)->DaemonSets();
  if (!list) return Fail(list.error());
  const NodeDaemonSet* d = Find(*list, f.ns.ns, *name);
  if (!d) return NotFound("daemonsets.apps", *name);
  nlohmann::json ds = d->object;
  auto& meta = ds["spec"]["template"]["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  meta["annotations"]["kubectl.kubernetes.io/restartedAt"] = Rfc3339(NowUnixSeconds());
  if (Status s = (*node)->UpdateDaemonSet(f.ns.ns, *name, ds); !s) return Fail(s.error());
  Print(stdout, fmt::format("daemonset.apps/{} restarted\n", *name));
  return 0;
}

CommandRegistration rollout_verb(
    37, {"rollout"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      CLI::App* rollout = app.add_subcommand(
          "rollout", "Manage the rollout of a DaemonSet on this node (kubectl rollout)");
      rollout->require_subcommand(1);
      for (const char* verb : {"status", "restart"}) {
        auto flags = std::make_shared<RolloutFlags>();
        bool status = std::string(verb) == "status";
        CLI::App* cmd = rollout->add_subcommand(
            verb, status
                      ? "Wait until a DaemonSet's pods are updated and available"
                      : "Restart a DaemonSet's pod (a new revision: the template's restartedAt)");
        cmd->add_option("resource", flags->resource, "ds/NAME, or ds NAME")->required();
        cmd->add_option("names", flags->names, "NAME");
        AddNamespaceFlags(cmd, flags->ns, false);
        if (status) {
          cmd->add_option("--timeout", flags->timeout,
                          "How long to wait (e.g. 30s, 5m); 0 waits for ever")
              ->capture_default_str();
          cmd->add_option("-w,--watch", flags->watch, "Watch until done (false: report once)")
              ->capture_default_str();
        }
        cmd->footer(status ? "\nExamples:\n  # Wait for a DaemonSet's rollout\n"
                             "  hostprocess rollout status ds/my-ds -n kube-system --timeout 60s\n"
                           : "\nExamples:\n  # Restart a DaemonSet's pod\n"
                             "  hostprocess rollout restart ds/my-ds -n kube-system\n");
        cmd->callback([flags, &global, &exit_code, status] {
          exit_code = status ? RunStatus(global, *flags) : RunRestart(global, *flags);
        });
      }
    });

}  // namespace
}  // namespace hp::cli
