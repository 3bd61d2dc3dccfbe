// hostprocess-runtime `state`: the container's state as runc prints it (JSON).
#include <iostream>

#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration state_command(40, "state", [](CLI::App& app, Globals& g, CommandList& add) {
  AddIdCommand(app, g, add, "state", "output the state of a container",
               [](oci::Runtime& rt, const std::string& id) {
                 auto s = rt.State(id);
                 if (!s) return Fail(s.error());
                 std::cout << oci::EncodeStatus(*s) << std::endl;
                 return 0;
               });
});

}  // namespace
}  // namespace hp::runtime_cli
