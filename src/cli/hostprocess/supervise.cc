// `hostprocess __supervise KEY` (hidden): the per-pod supervisor that `apply` starts detached
// (hp/agent supervisor.h). Not for people: it expects the state `apply` prepared.
#include <memory>
#include <string>

#include "cli/hostprocess/command.h"
#include "core/agent/supervisor.h"

namespace hp::cli {
namespace {

CommandRegistration supervise_verb(
    90, {"__supervise"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto key = std::make_shared<std::string>();
      auto go_fd = std::make_shared<int>(-1);
      CLI::App* cmd = app.add_subcommand("__supervise", "Run one pod's supervisor (internal)");
      cmd->group("");
      cmd->add_option("key", *key, "<namespace>_<pod>")->required();
      cmd->add_option("--go-fd", *go_fd, "Read the agent's go from this fd first")
          ->check(CLI::Range(3, 1023));
      cmd->callback([key, go_fd, &global, &exit_code] {
        exit_code = agent::RunSupervisor({global.root, *key, *go_fd});
      });
    });

}  // namespace
}  // namespace hp::cli
