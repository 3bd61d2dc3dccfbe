// `hostprocess diff -f FILE` (kubectl diff) and what `apply --dry-run` prints: each object of
// a manifest as this node has it now (LIVE, as `get -o yaml` shows it) and as it would be
// after the apply (MERGED: the input with the API server's defaults, the live object's
// server-set metadata and status, the generation bumped when the spec changes). diff writes
// them to /tmp/LIVE-*/ and /tmp/MERGED-*/ (one file per object, named group.version.Kind.ns.name
// as kubectl names them) and runs `diff -u -N` on the two directories, as kubectl does
// (KUBECTL_EXTERNAL_DIFF chooses another program): exit 0 when nothing would change, 1 when
// something would, >1 on an error.
#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/dry_run.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/views.h"
#include "core/agent/naming.h"
#include "core/agent/store.h"
#include "core/base/time.h"
#include "core/k8s/defaults_json.h"
#include "core/sys/file.h"

namespace hp::cli {

namespace {

std::string KindDir(const k8s::Object& o) {
  return agent::ResourceKind(std::string(k8s::KindName(o.kind)));
}

std::string NamespaceOf(const k8s::Object& o, const std::string& default_ns) {
  if (o.kind == k8s::Kind::kNamespace) return "";
  return o.metadata().namespace_.empty() ? default_ns : o.metadata().namespace_;
}

}  // namespace

Result<std::vector<DryRunObject>> DryRun(agent::Agent& a, const std::vector<k8s::Object>& objects,
                                         const std::string& default_ns) {
  std::vector<DryRunObject> out;
  std::vector<agent::DaemonSetView> daemonsets;
  bool listed = false;
  for (const k8s::Object& o : objects) {
    DryRunObject d;
    d.kind_dir = KindDir(o);
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
    // LIVE.
    if (d.kind_dir == "pods") {
      auto p = a.GetPod(d.ns, d.name);
      if (!p) return Err(p.error());
      if (*p && (*p)->record.owner_kind != "DaemonSet") d.live = PodObject(**p, a.node());
    } else if (d.kind_dir == "daemonsets") {
      if (!listed) {
        auto list = a.ListDaemonSets();
        if (!list) return Err(list.error());
        daemonsets = std::move(*list);
        listed = true;
      }
      for (const auto& v : daemonsets)
        if (v.ns == d.ns && v.name == d.name) d.live = DaemonSetObject(v);
    } else {
      std::string key = d.ns.empty() ? d.name : agent::ObjectKey(d.ns, d.name);
      auto stored = a.store().GetDesired(d.kind_dir, key);
      if (stored && *stored)
        d.live = (*stored)->contains("object") ? (**stored)["object"] : **stored;
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
      if (lm.contains("generation")) {
        bool spec_changed =
            d.live.value("spec", nlohmann::json()) != merged.value("spec", nlohmann::json());
        meta["generation"] = lm["generation"].get<int64_t>() + (spec_changed ? 1 : 0);
      }
      if (d.kind_dir == "pods" && d.live["spec"].contains("nodeName"))
        merged["spec"]["nodeName"] = d.live["spec"]["nodeName"];
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

namespace {

struct DiffFlags {
  std::vector<std::string> files;
  NamespaceFlags ns;
};

int RunDiff(const GlobalOptions& global, const DiffFlags& f) {
  auto decoded = DecodeManifests(f.files, {.keep_raw = true});
  if (!decoded) return Fail(decoded.error()) + 1;  // kubectl diff: >1 is an error
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error()) + 1;
  auto objects = DryRun(**agent, decoded->objects, f.ns.ns);
  if (!objects) return Fail(objects.error()) + 1;
  auto live_dir = sys::MakeTempDir("LIVE-");
  auto merged_dir = sys::MakeTempDir("MERGED-");
  if (!live_dir || !merged_dir) return Fail(!live_dir ? live_dir.error() : merged_dir.error()) + 1;
  for (const DryRunObject& o : *objects) {
    if (!o.live.is_null()) (void)sys::WriteFile(*live_dir + "/" + o.file_name, ToYaml(o.live));
    (void)sys::WriteFile(*merged_dir + "/" + o.file_name, ToYaml(o.merged));
  }
  const char* external = std::getenv("KUBECTL_EXTERNAL_DIFF");
  std::string program = external && *external ? external : "diff -u -N";
  std::string cmd = program + " '" + *live_dir + "' '" + *merged_dir + "'";
  fflush(stdout);
  int status = std::system(cmd.c_str());
  (void)sys::RemoveAll(*live_dir);
  (void)sys::RemoveAll(*merged_dir);
  if (status == -1 || !WIFEXITED(status)) return 2;
  return WEXITSTATUS(status);
}

CommandRegistration diff_verb(
    39, {"diff"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<DiffFlags>();
      CLI::App* cmd = app.add_subcommand(
          "diff",
          "What `apply -f` would change on this node (kubectl diff): the objects as they are and\n"
          "as they would be, as a unified diff (exit 1 when something would change)");
      cmd->add_option("-f,--filename", flags->files, "Manifest file, directory or - for stdin")
          ->required();
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->callback([flags, &global, &exit_code] { exit_code = RunDiff(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
