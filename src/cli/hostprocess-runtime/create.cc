// hostprocess-runtime `create` and `run` (create, then start): the container's process is made and
// waits in its job until `start`; `run` starts it at once.
#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration create_command(10, "create", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("create", "create a container");
  auto o = std::make_shared<oci::CreateOptions>();
  c->add_option("-b,--bundle", o->bundle, "path to the root of the bundle directory");
  c->add_option("--pid-file", o->pid_file, "file to write the process id to");
  c->add_option("--console-socket", o->console_socket,
                "unix socket receiving the pty master (SCM_RIGHTS)");
  c->add_option("--preserve-fds", o->preserve_fds, "pass N additional file descriptors");
  c->add_flag("--no-pivot")
      ->description("accepted: there is no pivot_root for HostProcess containers");
  c->add_flag("--no-new-keyring")->description("accepted: the session keyring is the host's");
  c->add_option("id", o->id, "container id")->required();
  add(c, [&g, o] { return Done(MakeRuntime(g).Create(*o)); });
});

CommandRegistration run_command(20, "run", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("run", "create and start a container (detached)");
  auto o = std::make_shared<oci::CreateOptions>();
  c->add_option("-b,--bundle", o->bundle, "path to the root of the bundle directory");
  c->add_option("--pid-file", o->pid_file, "file to write the process id to");
  c->add_option("--console-socket", o->console_socket, "unix socket receiving the pty master");
  c->add_flag("-d,--detach")->description("accepted: the container always runs detached");
  c->add_option("id", o->id, "container id")->required();
  add(c, [&g, o] {
    oci::Runtime rt = MakeRuntime(g);
    auto st = rt.Create(*o);
    if (!st) return Fail(st.error());
    return Done(rt.Start(o->id));
  });
});

}  // namespace
}  // namespace hp::runtime_cli
