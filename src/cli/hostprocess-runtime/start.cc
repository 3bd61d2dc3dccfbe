// hostprocess-runtime `start`: the created container's process runs its program.
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration start_command(30, [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("start", "executes the user defined process in a created container");
  auto id = std::make_shared<std::string>();
  c->add_option("id", *id, "container id")->required();
  add(c, [&g, id] { return Done(MakeRuntime(g).Start(*id)); });
});

}  // namespace
}  // namespace hp::runtime_cli
