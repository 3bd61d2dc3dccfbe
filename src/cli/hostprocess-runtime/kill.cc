// hostprocess-runtime `kill`: a signal to the container's first process, or to all of its
// processes.
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration kill_command(60, "kill", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand(
      "kill", "kill sends the specified signal (default: SIGTERM) to the container's init process");
  auto id = std::make_shared<std::string>();
  auto sig = std::make_shared<std::string>("SIGTERM");
  auto all = std::make_shared<bool>(false);
  c->add_flag("-a,--all", *all, "send the specified signal to all processes inside the container");
  c->add_option("id", *id, "container id")->required();
  c->add_option("signal", *sig, "signal name or number");
  add(c, [&g, id, sig, all] {
    auto n = oci::ParseSignal(*sig);
    if (!n) return Fail(n.error());
    return Done(MakeRuntime(g).Kill(*id, *n, *all));
  });
});

}  // namespace
}  // namespace hp::runtime_cli
