#include <cstdlib>
#include <iostream>

#include "cli/hostprocess/command.h"
#include "hp_build_info.h"

namespace hp::cli {

std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  Registry().emplace_back(order, std::move(setup));
}

}  // namespace hp::cli

int main(int argc, char** argv) {
  using namespace hp::cli;
  CLI::App app{
      "hostprocess: Kubernetes HostProcess pods on this node.\n"
      "Validate manifests, run pods and DaemonSets as host processes in a job (cgroup) with a\n"
      "container volume, manage images. kubectl's verbs and flags where they exist."};
  app.name("hostprocess");
  app.require_subcommand(1);
  // The version and the commit it was built from ("unknown" outside a git checkout).
  app.set_version_flag("--version", "hostprocess version " HP_VERSION "\ncommit: " HP_GIT_COMMIT);
  GlobalOptions global;
  const char* env_root = std::getenv("HOSTPROCESS_ROOT");
  global.root = env_root && *env_root ? env_root : "/var/lib/hostprocess";
  app.add_option("--root", global.root, "State directory (env HOSTPROCESS_ROOT)")
      ->capture_default_str();
  int exit_code = 0;
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : registry) setup(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // kubectl-style: usage errors exit 2
  }
  return exit_code;
}
