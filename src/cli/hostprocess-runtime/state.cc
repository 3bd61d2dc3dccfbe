// hostprocess-runtime `state`: the container's state as runc prints it (JSON).
#include <iostream>

#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration state_command(40, [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("state", "output the state of a container");
  auto id = std::make_shared<std::string>();
  c->add_option("id", *id, "container id")->required();
  add(c, [&g, id] {
    auto s = MakeRuntime(g).State(*id);
    if (!s) return Fail(s.error());
    std::cout << oci::EncodeStatus(*s) << std::endl;
    return 0;
  });
});

}  // namespace
}  // namespace hp::runtime_cli
