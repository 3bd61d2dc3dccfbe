// `hostprocess logs POD [-c C] [-f] [--previous] [--since D] [--tail N] [--timestamps]`:
// kubectl logs for this node, read from the containers' CRI log files (rotations included).
// `logs ds/NAME` picks the DaemonSet's pod, as kubectl does; `-l SELECTOR` the matching pods,
// `--all-containers` every container, `--prefix` tags each line with `[pod/NAME/CONTAINER]`.
// The same verb on Linux and Windows: the pods come from the node's store (node_pods.h).
#include <fmt/format.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"
#include "core/k8s/selector.h"
#include "core/pod/crilog.h"
#include "core/pod/duration.h"

namespace hp::cli {
namespace {

struct LogsFlags {
  std::string pod;
  std::string container_arg;
  std::string container;
  NamespaceFlags ns;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::string since;
  std::string since_time;
  int64_t tail = -1;
  std::string selector;  // -l
  bool all_containers = false;
  bool prefix = false;
};

const agent::ContainerStatus* FindContainer(const agent::PodStatus& s, const std::string& name) {
  for (const auto* list : {&s.containers, &s.init_containers}) {
    for (const auto& c : *list)
      if (c.name == name) return &c;
  }
  return nullptr;
}

// One container's log (container "" = the pod's default one, with kubectl's notice when it
// has several); each line after `prefix` when not empty.
int ContainerLogs(NodePods& pods, const LogsFlags& f, const NodePod& view, std::string container,
                  bool prefix) {
  if (container.empty()) {
    if (view.status.containers.empty()) return NotFound("containers", "");
    container = view.status.containers[0].name;
    Print(stderr, DefaultedContainerNotice(view.status));
  }
  const agent::ContainerStatus* cs = FindContainer(view.status, container);
  if (!cs) {
    Print(stderr,
          fmt::format("error: container {} is not valid for pod {}\n", container, view.name));
    return 1;
  }
  std::string line_prefix = prefix ? fmt::format("[pod/{}/{}] ", view.name, container) : "";
  // Run N of a container logs to N.log and its status says restartCount N. The previous
  // run is N-1 while it runs (or ended for good), and N itself while it waits to restart.
  int restart = cs->restart_count;
  if (f.previous) {
    restart = cs->state.kind == "waiting" ? restart : restart - 1;
    if (!cs->last_state || restart < 0) {
      Print(stderr, fmt::format("Error from server (BadRequest): previous terminated container "
                                "\"{}\" in pod \"{}\" not found\n",
                                container, view.name));
      return 1;
    }
  }
  if (!f.previous && cs->state.kind == "waiting" && cs->last_state == std::nullopt &&
      cs->restart_count == 0 && cs->container_id.empty()) {
    // kubelet's validateContainerLogStatus: its words for the image pull failures.
    std::string why = cs->state.reason.empty() ? "ContainerCreating" : cs->state.reason;
    if (why == "ErrImagePull") why = "image can't be pulled";
    if (why == "ImagePullBackOff") why = "trying and failing to pull image";
    Print(stderr, fmt::format("Error from server (BadRequest): container \"{}\" in pod \"{}\" is "
                              "waiting to start: {}\n",
                              container, view.name, why));
    return 1;
  }
  std::string path = pods.LogPath(view, container, restart);

  pod::LogReadOptions opts;
  if (f.tail >= 0) opts.tail = f.tail;
  if (!f.since.empty()) {
    auto d = pod::ParseDuration(f.since);
    if (!d) {
      Print(stderr, fmt::format("error: --since: {}\n", d.error().ToString()));
      return 1;
    }
    opts.since_ns = pod::NowUnixNanos() - int64_t{d->count()} * 1000000;
  }
  if (!f.since_time.empty()) {
    auto t = pod::ParseCriTimestamp(f.since_time);
    if (!t) {
      Print(stderr, fmt::format("error: --since-time: {}\n", t.error().ToString()));
      return 1;
    }
    opts.since_ns = *t;
  }
  if (f.follow && !f.previous) {
    opts.follow = true;
    std::string id = cs->container_id;
    opts.stop = [&pods, &view, id, container]() {
      auto st = pods.StatusNow(view);
      if (!st) return true;  // the pod is gone
      const agent::ContainerStatus* now = FindContainer(*st, container);
      return !now || now->state.kind != "running" || now->container_id != id;
    };
  }
  bool timestamps = f.timestamps;
  Status s = pod::ReadCriLog(path, opts, [&](const pod::LogLine& line) -> Status {
    std::string text = line_prefix + pod::RenderLogLine(line, timestamps);
    if (fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
      return Err(ErrorCode::kUnavailable, "write to stdout failed");
    }
    fflush(stdout);
    return Ok();
  });
  if (!s) return Fail(s.error());
  return 0;
}

int RunLogs(const GlobalOptions& global, const LogsFlags& f) {
  if (f.pod.empty() == f.selector.empty()) {
    Print(stderr, f.pod.empty() ? "error: expected POD or TYPE/NAME is a required argument for the "
                                  "logs command\n"
                                : "error: only one of a selector or a pod name may be given\n");
    return 1;
  }
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error());
  std::vector<NodePod> pods;
  if (!f.selector.empty()) {
    auto labels = k8s::LabelMatcher::Parse(f.selector);
    if (!labels) return Fail(labels.error());
    auto all = (*node)->List();
    if (!all) return Fail(all.error());
    for (NodePod& p : *all) {
      if (p.ns == f.ns.ns && labels->Matches(p.labels)) pods.push_back(std::move(p));
    }
    if (pods.empty()) {
      Print(stderr, fmt::format("No resources found in {} namespace.\n", f.ns.ns));
      return 0;
    }
  } else {
    std::pair<std::string, std::string> not_found;
    auto found = FindPodOfArg(**node, f.ns.ns, f.pod, &not_found);
    if (!found) return Fail(found.error());
    if (!*found) return NotFound(not_found.first, not_found.second);
    pods.push_back(std::move(**found));
  }
  std::string container = !f.container.empty() ? f.container : f.container_arg;
  // What to print: each pod's named (or default) container, or every container.
  std::vector<std::pair<const NodePod*, std::string>> sources;
  for (const auto& p : pods) {
    if (f.all_containers) {
      for (const auto* list : {&p.status.init_containers, &p.status.containers})
        for (const auto& c : *list) sources.push_back({&p, c.name});
    } else {
      sources.push_back({&p, container});
    }
  }
  if (f.follow && sources.size() > 1) {
    Print(stderr, "error: -f follows one container; name it (-c) or select one pod\n");
    return 1;
  }
  int rc = 0;
  for (const auto& [p, c] : sources) {
    int r = ContainerLogs(**node, f, *p, c, f.prefix);
    if (r != 0) rc = r;
  }
  return rc;
}

CommandRegistration logs_verb(
    33, {"logs"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<LogsFlags>();
      CLI::App* cmd = app.add_subcommand(
          "logs", "Print a container's logs (kubectl logs): logs POD [-c CONTAINER] [-f]");
      cmd->add_option("pod", flags->pod, "The pod (NAME, pod/NAME or ds/NAME)");
      cmd->add_option("container", flags->container_arg, "The container (or use -c)");
      cmd->add_option("-c,--container", flags->container, "The container (default: the first)");
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_flag("-f,--follow", flags->follow,
                    "Keep printing new lines until the container ends");
      cmd->add_flag("-p,--previous", flags->previous, "The previous run of the container");
      cmd->add_flag("--timestamps", flags->timestamps, "Prefix each line with its RFC 3339 time");
      cmd->add_option("--since", flags->since, "Only lines newer than this duration (5s, 2m, 3h)");
      cmd->add_option("--since-time", flags->since_time,
                      "Only lines at or after this RFC 3339 time");
      cmd->add_option("--tail", flags->tail, "The last N lines (-1: all)")->capture_default_str();
      cmd->add_option("-l,--selector", flags->selector,
                      "The pods with these labels (k=v, 'k in (a,b)', ...) instead of a name");
      cmd->add_flag("--all-containers", flags->all_containers, "Every container of the pod(s)");
      cmd->add_flag("--prefix", flags->prefix, "Begin each line with [pod/NAME/CONTAINER]");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunLogs(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
