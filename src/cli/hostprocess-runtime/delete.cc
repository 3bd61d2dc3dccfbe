// hostprocess-runtime `delete`: what the container holds is removed (`--force` kills it first).
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration delete_command(70, "delete", [](CLI::App& app, Globals& g, CommandList& add) {
  auto force = std::make_shared<bool>(false);
  AddIdCommand(
      app, g, add, "delete", "delete any resources held by the container",
      [force](oci::Runtime& rt, const std::string& id) { return Done(rt.Delete(id, *force)); })
      ->add_flag("-f,--force", *force,
                 "forcibly deletes the container if it is still running (uses SIGKILL)");
});

}  // namespace
}  // namespace hp::runtime_cli
