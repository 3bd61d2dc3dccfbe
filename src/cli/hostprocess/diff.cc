// `hostprocess diff -f FILE` (kubectl diff), on both nodes: each object of a manifest as this
// node has it now (LIVE, as `get -o yaml` shows it) and as it would be after the apply (MERGED:
// the input with the API server's defaults, the live object's server-set metadata and status,
// the generation bumped when the spec changes; dry_run.h). diff writes them to LIVE-*/ and
// MERGED-*/ in the temporary directory (one file per object, named
// group.version.Kind.ns.name as kubectl names them) and runs `diff -u -N` on the two
// directories, as kubectl does (KUBECTL_EXTERNAL_DIFF chooses another program): exit 0 when
// nothing would change, 1 when something would, >1 on an error.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/dry_run.h"
#include "cli/hostprocess/external_diff.h"
#include "cli/hostprocess/manifests.h"
#include "core/k8s/yaml.h"
#include "core/sys/file.h"

namespace hp::cli {
namespace {

struct DiffFlags {
  std::vector<std::string> files;
  NamespaceFlags ns;
};

int RunDiff(const GlobalOptions& global, const DiffFlags& f) {
  auto decoded = DecodeManifests(f.files, {.keep_raw = true});
  if (!decoded) return Fail(decoded.error()) + 1;  // kubectl diff: >1 is an error
  if (auto s = SetNamespaceOfObjects(decoded->objects, f.ns.ns, f.ns.given); !s)
    return Fail(s.error()) + 1;
  auto node = OpenNodePods(global);
  if (!node) return Fail(node.error()) + 1;
  auto objects = DryRun(**node, decoded->objects, f.ns.ns);
  if (!objects) return Fail(objects.error()) + 1;
  auto live_dir = sys::MakeTempDir("LIVE-");
  if (!live_dir) return Fail(live_dir.error()) + 1;
  auto merged_dir = sys::MakeTempDir("MERGED-");
  if (!merged_dir) {
    (void)sys::RemoveAll(*live_dir);
    return Fail(merged_dir.error()) + 1;
  }
  Status written = Ok();
  for (const DryRunObject& o : *objects) {
    if (written && !o.live.is_null())
      written = sys::WriteFile(*live_dir + "/" + o.file_name, k8s::yaml::JsonToYaml(o.live));
    if (written)
      written = sys::WriteFile(*merged_dir + "/" + o.file_name, k8s::yaml::JsonToYaml(o.merged));
  }
  int rc = 2;
  if (written) {
    const char* external = std::getenv("KUBECTL_EXTERNAL_DIFF");
    fflush(stdout);
    rc = RunExternalDiff(external && *external ? external : "diff -u -N", *live_dir, *merged_dir);
  } else {
    rc = Fail(written.error()) + 1;
  }
  (void)sys::RemoveAll(*live_dir);
  (void)sys::RemoveAll(*merged_dir);
  return rc;
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
