// `hostprocess events [--for TYPE/NAME] [--types Warning]` (kubectl events) and the listing
// `get events` shares with it. One verb for both nodes' builds: the events are read through
// node_pods.h.
#include "cli/hostprocess/events.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/base/strings.h"
#include "core/base/time.h"

namespace hp::cli {

namespace {

// The pods' events, added to `out` (the pods are consumed).
void AddPodEvents(std::vector<NodePod>& pods, std::vector<NodeEvent>& out) {
  for (NodePod& p : pods)
    for (agent::Event& e : p.status.events) out.push_back({p.ns, "pod/" + p.name, std::move(e)});
}

void SortByLastSeen(std::vector<NodeEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const NodeEvent& a, const NodeEvent& b) {
    return a.event.last < b.event.last;
  });
}

}  // namespace

Result<std::vector<NodeEvent>> ListNodeEvents(NodePods& node) {
  // The pods' events are in their status: their specs are not read (ListHeads).
  ASSIGN_OR_RETURN(std::vector<NodePod> pods, node.ListHeads());
  ASSIGN_OR_RETURN(std::vector<NodeDaemonSet> daemonsets, node.DaemonSets());
  std::vector<NodeEvent> out;
  AddPodEvents(pods, out);
  for (NodeDaemonSet& d : daemonsets)
    for (agent::Event& e : d.events) out.push_back({d.ns, "daemonset/" + d.name, std::move(e)});
  SortByLastSeen(out);
  return out;
}

Result<std::vector<NodeEvent>> PodEvents(NodePods& node, const std::string& ns,
                                         const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<NodePod> pods, GetNamedPods(node, ns, {name}));
  std::vector<NodeEvent> out;
  AddPodEvents(pods, out);
  SortByLastSeen(out);
  return out;
}

Table EventsTable(const std::vector<NodeEvent>& events, bool with_namespace, int64_t now) {
  std::vector<std::string> header;
  if (with_namespace) header.push_back("NAMESPACE");
  for (const char* h : {"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}) header.push_back(h);
  Table t(header);
  for (const NodeEvent& e : events) {
    std::vector<std::string> row;
    if (with_namespace) row.push_back(e.ns);
    row.insert(row.end(), {LastSeenColumn(e.event, now), e.event.type, e.event.reason, e.object,
                           std::string(TrimSpace(e.event.message))});
    t.AddRow(row);
  }
  return t;
}

namespace {

struct EventsFlags {
  NamespaceFlags ns;
  std::string for_object;  // --for TYPE/NAME
  std::vector<std::string> types;
  bool no_headers = false;
};

int RunEvents(const GlobalOptions& global, const EventsFlags& f) {
  std::string for_object;
  if (!f.for_object.empty()) {
    std::string resource = f.for_object;
    std::vector<std::string> names;
    std::string kind = PodOrDaemonSetKind(resource, names);
    if (kind.empty()) return 1;
    if (names.empty()) {
      Print(stderr, "error: --for must be in resource/name form\n");
      return 1;
    }
    for_object = (kind == "pods" ? "pod/" : "daemonset/") + names[0];
  }
  for (const auto& t : f.types) {
    if (t != "Normal" && t != "Warning") {
      Print(stderr, fmt::format("error: valid --types are Normal or Warning, got {}\n", t));
      return 1;
    }
  }
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error());
  auto events = !f.ns.all && for_object.rfind("pod/", 0) == 0
                    ? PodEvents(**node, f.ns.ns, for_object.substr(4))
                    : ListNodeEvents(**node);
  if (!events) return Fail(events.error());
  std::vector<NodeEvent> shown;
  for (NodeEvent& e : *events) {
    if (!f.ns.all && e.ns != f.ns.ns) continue;
    if (!for_object.empty() && e.object != for_object) continue;
    if (!f.types.empty() &&
        std::find(f.types.begin(), f.types.end(), e.event.type) == f.types.end())
      continue;
    shown.push_back(std::move(e));
  }
  if (shown.empty()) {
    Print(stderr, f.ns.all ? "No events found.\n"
                           : fmt::format("No events found in {} namespace.\n", f.ns.ns));
    return 0;
  }
  Print(stdout, EventsTable(shown, f.ns.all, NowUnixSeconds()).Render(f.no_headers));
  return 0;
}

CommandRegistration events_verb(
    34, {"events"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<EventsFlags>();
      CLI::App* cmd = app.add_subcommand(
          "events",
          "List the events of this node's pods and DaemonSets (kubectl events), oldest first");
      AddNamespaceFlags(cmd, flags->ns, true);
      cmd->add_option("--for", flags->for_object,
                      "Only the events of this object: pod/NAME, ds/NAME");
      cmd->add_option("--types", flags->types, "Only these types: Normal, Warning")->delimiter(',');
      cmd->add_flag("--no-headers", flags->no_headers, "Do not print the header row");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunEvents(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
