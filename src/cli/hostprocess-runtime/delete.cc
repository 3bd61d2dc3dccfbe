// hostprocess-runtime `delete`: what the container holds is removed (`--force` kills it first).
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration delete_command(70, [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("delete", "delete any resources held by the container");
  auto id = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  c->add_flag("-f,--force", *force,
              "forcibly deletes the container if it is still running (uses SIGKILL)");
  c->add_option("id", *id, "container id")->required();
  add(c, [&g, id, force] { return Done(MakeRuntime(g).Delete(*id, *force)); });
});

}  // namespace
}  // namespace hp::runtime_cli
