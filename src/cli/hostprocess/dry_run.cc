// What `apply` would do, for diff and apply --dry-run, on both nodes (dry_run.h).
#include "cli/hostprocess/dry_run.h"

#include <fmt/format.h>

#include <optional>

#include "cli/hostprocess/cli_output.h"
#include "core/agent/naming.h"
#include "core/base/time.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/yaml.h"

namespace hp::cli {

namespace {

std::string NamespaceOf(const k8s::Object& o, const std::string& default_ns) {
  if (o.kind == k8s::Kind::kNamespace) return "";
  return o.metadata().namespace_.empty() ? default_ns : o.metadata().namespace_;
}

}  // namespace

std::string SingularOf(const std::string& kind_dir) {
  if (kind_dir == "daemonsets") return "daemonset.apps";
  return kind_dir.empty() ? kind_dir : kind_dir.substr(0, kind_dir.size() - 1);
}

Result<std::vector<DryRunObject>> DryRun(NodePods& node, const std::vector<k8s::Object>& objects,
                                         const std::string& default_ns) {
  std::vector<DryRunObject> out;
  // The node's DaemonSets, listed once for all of the input's (a listing reads every pod).
  std::optional<std::vector<NodeDaemonSet>> daemonsets;
  for (const k8s::Object& o : objects) {
    DryRunObject d;
    d.kind_dir = agent::ResourceKind(std::string(k8s::KindName(o.kind)));
    d.ns = NamespaceOf(o, default_ns);
    d.name = o.metadata().name;
    nlohmann::json input = nlohmann::json::parse(o.raw_json, nullptr, false);
    if (input.is_discarded() || !input.is_object()) {
      return Err(ErrorCode::kInvalidArgument, "{} \"{}\": not a JSON object", d.kind_dir, d.name);
    }
    // kubectl's file name: [group.]version.Kind.namespace.name.
    std::string api_version = input.value("apiVersion", "v1");
    if (auto slash = api_version.find('/'); slash != std::string::npos) api_version[slash] = '.';
    d.file_name = api_version + "." + input.value("kind", "") + "." + d.ns + "." + d.name;
    if (d.kind_dir == "daemonsets") {
      if (!daemonsets) {
        ASSIGN_OR_RETURN(daemonsets, DaemonSetsCounted(node));
      }
      for (const NodeDaemonSet& ds : *daemonsets)
        if (ds.ns == d.ns && ds.name == d.name) d.live = DaemonSetApiObject(ds);
    } else {
      ASSIGN_OR_RETURN(d.live, node.LiveObject(d.kind_dir, d.ns, d.name));
    }
    // MERGED: the input as the API server would store it.
    nlohmann::json merged = input;
    if (d.kind_dir == "pods") k8s::DefaultPodJson(merged);
    if (d.kind_dir == "daemonsets") k8s::DefaultDaemonSetJson(merged);
    auto& meta = merged["metadata"];
    if (!d.ns.empty()) meta["namespace"] = d.ns;
    if (!d.live.is_null()) {
      const auto& lm = d.live["metadata"];
      for (const char* k : {"uid", "creationTimestamp", "resourceVersion", "ownerReferences"})
        if (lm.contains(k)) meta[k] = lm[k];
      // The scheduler's field is no change of the spec.
      if (d.kind_dir == "pods" && d.live["spec"].contains("nodeName"))
        merged["spec"]["nodeName"] = d.live["spec"]["nodeName"];
      if (lm.contains("generation")) {
        bool spec_changed =
            d.live.value("spec", nlohmann::json()) != merged.value("spec", nlohmann::json());
        meta["generation"] = lm["generation"].get<int64_t>() + (spec_changed ? 1 : 0);
      }
      if (d.live.contains("status")) merged["status"] = d.live["status"];
      d.change = merged == d.live ? "unchanged" : "configured";
    } else {
      if (d.kind_dir == "pods" || d.kind_dir == "daemonsets") {
        meta["uid"] = agent::NewUid();
        meta["creationTimestamp"] = Rfc3339(NowUnixSeconds());
        meta["generation"] = 1;
      }
      d.change = "created";
    }
    d.merged = std::move(merged);
    out.push_back(std::move(d));
  }
  return out;
}

bool DryRunFlagsValid(const std::string& dry_run, const std::string& output) {
  if (dry_run != "none" && dry_run != "client" && dry_run != "server") {
    Print(stderr, fmt::format("error: Invalid dry-run value ({}). Must be \"none\", \"server\", "
                              "or \"client\".\n",
                              dry_run));
    return false;
  }
  if (!output.empty() && output != "yaml" && output != "json" && output != "name") {
    Print(stderr, fmt::format("error: unable to match a printer suitable for the output format "
                              "\"{}\", allowed formats are: json,name,yaml\n",
                              output));
    return false;
  }
  return true;
}

int PrintDryRun(NodePods& node, const std::vector<k8s::Object>& objects, const std::string& dry_run,
                const std::string& output) {
  auto planned = DryRun(node, objects, "default");
  if (!planned) return Fail(planned.error());
  std::string out;
  bool first = true;
  for (size_t i = 0; i < planned->size(); i++) {
    const DryRunObject& d = (*planned)[i];
    std::string ref = SingularOf(d.kind_dir) + "/" + d.name;
    if (output.empty()) {
      out += fmt::format("{} {} ({})\n", ref, d.change,
                         dry_run == "server" ? "server dry run" : "dry run");
      continue;
    }
    if (output == "name") {
      out += ref + "\n";
      continue;
    }
    nlohmann::json sent = nlohmann::json::parse(objects[i].raw_json);
    if (!d.ns.empty()) sent["metadata"]["namespace"] = d.ns;
    auto& annotations = sent["metadata"]["annotations"];
    if (!annotations.is_object()) annotations = nlohmann::json::object();
    annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
    std::string last_applied = sent.dump() + "\n";
    nlohmann::json obj = dry_run == "server" ? d.merged : sent;
    obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        last_applied;
    if (output == "json") {
      out += obj.dump(4) + "\n";
    } else {
      out += (first ? "" : "---\n") + k8s::yaml::JsonToYaml(obj);
    }
    first = false;
  }
  Print(stdout, out);
  return 0;
}

}  // namespace hp::cli
