// hostprocess-runtime: an OCI runtime with runc's command line; every container it runs is a
// HostProcess container (host namespaces, the bundle's rootfs as the sandbox, a job).
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/hostprocess-runtime/cli.h"
#include "cli/hostprocess-runtime/log.h"
#include "hp_build_info.h"

namespace hp::runtime_cli {
namespace {

struct Registration {
  int order;
  std::string_view names;
  CommandSetup setup;
};

std::vector<Registration>& Registry() {
  static std::vector<Registration> registry;
  return registry;
}

bool Names(std::string_view names, std::string_view name) {
  while (!names.empty()) {
    size_t sp = names.find(' ');
    if (names.substr(0, sp) == name) return true;
    if (sp == std::string_view::npos) break;
    names.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, std::string_view names, CommandSetup setup) {
  Registry().push_back({order, names, setup});
}

std::vector<Command> AddCommands(CLI::App& app, Globals& globals, std::string_view wanted) {
  std::stable_sort(Registry().begin(), Registry().end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  bool known = std::any_of(Registry().begin(), Registry().end(),
                           [&](const Registration& r) { return Names(r.names, wanted); });
  CommandList list;
  for (const Registration& r : Registry())
    if (!known || Names(r.names, wanted)) r.setup(app, globals, list);
  return list.commands();
}

std::string_view SubcommandOf(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help" || a == "-v" || a == "--version") return "";  // all of them
    if (a == "--root" || a == "--log" || a == "--log-format" || a == "--criu" ||
        a == "--rootless") {
      ++i;  // its value
    } else if (a.empty() || a[0] != '-') {
      return a;
    }
  }
  return "";
}

oci::Runtime MakeRuntime(const Globals& g) {
  oci::RuntimeOptions o;
  o.root = g.root;
  o.systemd_cgroup = g.systemd_cgroup;
  o.log = [](const std::string& level, const std::string& msg) { LogLine(level, msg); };
  return oci::Runtime(std::move(o));
}

CLI::App* AddIdCommand(CLI::App& app, const Globals& g, CommandList& add, const std::string& name,
                       const std::string& description, IdCommand run) {
  auto* c = app.add_subcommand(name, description);
  auto id = std::make_shared<std::string>();
  c->add_option("id", *id, "container id")->required();
  add(c, [&g, id, run = std::move(run)] {
    oci::Runtime runtime = MakeRuntime(g);
    return run(runtime, *id);
  });
  return c;
}

int Done(const Status& status) { return status ? 0 : Fail(status.error()); }

int Fail(const Error& error) {
  std::string msg = error.ToString();
  LogLine("error", msg);
  if (!msg.empty() && msg.back() == '\n') msg.pop_back();
  std::cerr << msg << std::endl;
  return 1;
}

}  // namespace hp::runtime_cli

int main(int argc, char** argv) {
  using namespace hp::runtime_cli;
  CLI::App app{
      "hostprocess-runtime: an OCI runtime with runc's command line that runs every container "
      "as a Kubernetes HostProcess container (host namespaces, the bundle's rootfs as the "
      "container volume, a cgroup job)."};
  app.name("hostprocess-runtime");
  app.require_subcommand(1);
  app.set_version_flag("-v,--version", "hostprocess-runtime version " HP_VERSION
                                       "\ncommit: " HP_GIT_COMMIT "\nspec: 1.0.2-dev\n");
  Globals g;
  app.add_option("--root", g.root, "root directory for storage of container state")
      ->capture_default_str();
  app.add_option("--log", g.log, "set the log file to write runtime logs to (default stderr)");
  app.add_option("--log-format", g.log_format, "set the log format ('text' (default), or 'json')")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--systemd-cgroup", g.systemd_cgroup,
               "cgroupsPath is \"slice:prefix:name\" (the cgroup is still made with cgroupfs)");
  app.add_flag("--debug", g.debug, "enable debug logging");
  bool ignored = false;
  std::string ignored_str;
  app.add_option("--criu", ignored_str, "ignored (no checkpoint/restore)")->group("");
  app.add_option("--rootless", ignored_str, "ignored")->group("");
  (void)ignored;
  std::vector<Command> commands = AddCommands(app, g, SubcommandOf(argc, argv));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    InitLog({g.log, g.log_format, g.debug});
    LogLine("error", e.what());
    app.exit(e);
    return 1;
  }
  InitLog({g.log, g.log_format, g.debug});
  for (const Command& c : commands)
    if (c.app->parsed()) return c.run();
  return 1;
}
