// hostprocess-runtime `start`: the created container's process runs its program.
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration start_command(30, "start", [](CLI::App& app, Globals& g, CommandList& add) {
  AddIdCommand(app, g, add, "start", "executes the user defined process in a created container",
               [](oci::Runtime& rt, const std::string& id) { return Done(rt.Start(id)); });
});

}  // namespace
}  // namespace hp::runtime_cli
