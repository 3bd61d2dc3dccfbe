// hostprocess-runtime `pause` and `resume`: the container's processes frozen and thawed (the
// freezer).
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration pause_command(100, [](CLI::App& app, Globals& g, CommandList& add) {
  auto* p = app.add_subcommand("pause", "pause suspends all processes inside the container");
  auto pid = std::make_shared<std::string>();
  p->add_option("id", *pid, "container id")->required();
  add(p, [&g, pid] { return Done(MakeRuntime(g).Pause(*pid)); });
  auto* r = app.add_subcommand("resume", "resumes all processes that have been previously paused");
  auto rid = std::make_shared<std::string>();
  r->add_option("id", *rid, "container id")->required();
  add(r, [&g, rid] { return Done(MakeRuntime(g).Resume(*rid)); });
});

}  // namespace
}  // namespace hp::runtime_cli
