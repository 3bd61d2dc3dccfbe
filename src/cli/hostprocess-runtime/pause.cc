// hostprocess-runtime `pause` and `resume`: the container's processes frozen and thawed (the
// freezer).
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration pause_command(
    100, "pause resume", [](CLI::App& app, Globals& g, CommandList& add) {
      AddIdCommand(app, g, add, "pause", "pause suspends all processes inside the container",
                   [](oci::Runtime& rt, const std::string& id) { return Done(rt.Pause(id)); });
      AddIdCommand(app, g, add, "resume", "resumes all processes that have been previously paused",
                   [](oci::Runtime& rt, const std::string& id) { return Done(rt.Resume(id)); });
    });

}  // namespace
}  // namespace hp::runtime_cli
