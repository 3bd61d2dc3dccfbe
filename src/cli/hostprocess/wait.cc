// `hostprocess wait --for=condition=Ready pod/NAME [--timeout 30s]` and `--for=delete`:
// kubectl wait for this node's pods (and DaemonSets, for delete). Prints kubectl's
// `pod/x condition met` for each object when its condition holds; on timeout kubectl's
// `error: timed out waiting for the condition on pods/x`, exit 1. The same verb on Linux and
// Windows (node_pods.h).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/pod_status.h"
#include "core/base/strings.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

struct WaitFlags {
  std::vector<std::string> args;
  NamespaceFlags ns;
  std::string for_;
  std::string timeout = "30s";
  std::string selector;  // -l
  bool all = false;      // --all
};

struct WaitTarget {
  std::string kind, name;
};

int RunWait(const GlobalOptions& global, const WaitFlags& f) {
  // --for: delete, condition=TYPE or condition=TYPE=VALUE.
  bool for_delete = f.for_ == "delete";
  std::string cond_type, cond_value = "true";
  if (!for_delete) {
    if (f.for_.rfind("condition=", 0) != 0) {
      Print(stderr, f.for_.empty()
                        ? "error: --for must be set\n"
                        : fmt::format("error: unrecognized condition: \"{}\"\n", f.for_));
      return 1;
    }
    cond_type = f.for_.substr(10);
    if (auto eq = cond_type.find('='); eq != std::string::npos) {
      cond_value = cond_type.substr(eq + 1);
      cond_type = cond_type.substr(0, eq);
    }
  }
  std::vector<WaitTarget> targets;
  std::string type;
  std::unique_ptr<NodePods> opened;
  if (f.all || !f.selector.empty()) {
    // TYPE with -l or --all: the objects of the type in the namespace that match, now.
    if (f.args.size() != 1 || f.args[0].find('/') != std::string::npos) {
      Print(stderr, "error: name cannot be provided when a selector or --all is specified\n");
      return 1;
    }
    std::vector<std::string> none;
    std::string resource = f.args[0];
    std::string kind = PodOrDaemonSetKind(resource, none);
    if (kind.empty()) return 1;
    auto labels = k8s::LabelMatcher::Parse(f.selector);
    if (!labels) return Fail(labels.error());
    auto node = OpenNodePods(global);
    if (!node) return Fail(node.error());
    opened = std::move(*node);
    if (kind == "pods") {
      auto pods = opened->List();
      if (!pods) return Fail(pods.error());
      for (const NodePod& p : *pods)
        if (p.ns == f.ns.ns && labels->Matches(p.labels)) targets.push_back({kind, p.name});
    } else {
      auto list = opened->DaemonSets();
      if (!list) return Fail(list.error());
      for (const NodeDaemonSet& d : *list)
        if (d.ns == f.ns.ns && labels->Matches(k8s::LabelsOf(d.object)))
          targets.push_back({kind, d.name});
    }
    if (targets.empty()) {
      Print(stderr, "error: no matching resources found\n");
      return 1;
    }
  }
  for (const std::string& a : opened ? std::vector<std::string>() : f.args) {
    std::string resource = a;
    std::vector<std::string> names;
    if (a.find('/') == std::string::npos && type.empty()) {
      type = a;
      continue;
    }
    if (a.find('/') == std::string::npos) {
      resource = type;
      names.push_back(a);
    }
    std::string kind = PodOrDaemonSetKind(resource, names);
    if (kind.empty()) return 1;
    targets.push_back({kind, names[0]});
  }
  if (targets.empty()) {
    Print(stderr, "error: resource name may not be empty\n");
    return 1;
  }
  auto timeout = ParseTimeoutFlag(f.timeout);
  if (!timeout) return 1;
  if (!opened) {
    auto node = OpenNodePods(global);
    if (!node) return Fail(node.error());
    opened = std::move(*node);
  }
  std::unique_ptr<NodePods>* node = &opened;
  auto deadline = std::chrono::steady_clock::now() + *timeout;
  for (const WaitTarget& t : targets) {
    std::string singular = t.kind == "pods" ? "pod" : "daemonset.apps";
    std::string plural = t.kind == "pods" ? "pods" : "daemonsets.apps";
    bool first = true;
    // Woken by each write of the pod's state; every 100 ms at the latest (a supervisor that dies
    // writes nothing). Made only when a first look does not find the condition, and followed by
    // a second look, which sees what changed before the watch was there: an object already in
    // its state costs no watch (whose end can cost milliseconds, dir_watch.h).
    std::unique_ptr<PodWatch> watch;
    while (true) {
      bool exists = false, met = false;
      if (t.kind == "pods") {
        auto p = (*node)->Get(f.ns.ns, t.name);
        // A pod whose directory is there without its record is being made or removed (the
        // watch wakes this loop in the middle of either): not there, this time.
        if (!p && p.error().code() != ErrorCode::kNotFound) return Fail(p.error());
        exists = p && p->has_value();
        if (exists && !for_delete) {
          nlohmann::json status = agent::ApiPodStatus((*p)->status);
          for (const auto& c : status.value("conditions", nlohmann::json::array())) {
            met |= EqualsIgnoreCase(c.value("type", ""), cond_type) &&
                   EqualsIgnoreCase(c.value("status", ""), cond_value);
          }
        }
      } else {
        auto has = (*node)->HasDaemonSet(f.ns.ns, t.name);
        if (!has) return Fail(has.error());
        exists = *has;
      }
      if (for_delete && !exists) met = true;
      if (!for_delete && !exists && first) return NotFound(plural, t.name);
      if (met) {
        Print(stdout, fmt::format("{}/{} condition met\n", singular, t.name));
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        Print(stderr,
              fmt::format("error: timed out waiting for the condition on {}/{}\n", plural, t.name));
        return 1;
      }
      first = false;
      if (!watch) {
        watch = t.kind == "pods" ? (*node)->WatchPod(f.ns.ns, t.name)
                                 : std::make_unique<SleepingPodWatch>();
        if (t.kind == "pods") continue;  // the second look
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      watch->Wait(std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
    }
  }
  return 0;
}

CommandRegistration wait_verb(
    38, {"wait"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<WaitFlags>();
      CLI::App* cmd = app.add_subcommand(
          "wait",
          "Wait for a condition of this node's pods (kubectl wait): --for=condition=Ready,\n"
          "--for=condition=Ready=false, --for=delete");
      cmd->add_option("args", flags->args, "TYPE/NAME..., or TYPE NAME...")->required();
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_option("--for", flags->for_, "delete, condition=TYPE or condition=TYPE=VALUE");
      cmd->add_option("--timeout", flags->timeout, "How long to wait for each object (e.g. 60s)")
          ->capture_default_str();
      cmd->add_option("-l,--selector", flags->selector,
                      "Wait for the objects of the type with these labels (k=v, ...)");
      cmd->add_flag("--all", flags->all, "Wait for every object of the type in the namespace");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunWait(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
