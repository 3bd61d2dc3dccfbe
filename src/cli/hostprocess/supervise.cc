// `hostprocess __supervise KEY` (hidden): the per-pod supervisor that `apply` starts detached
// (hp/agent supervisor.h). `hostprocess __finish-run RECORD LOCK` (hidden): what the keeper of a
// killed `run` execs to remove what the run left (hp/agent foreground.h). Not for people: they
// expect the state `apply` and `run` prepared.
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "core/agent/foreground.h"
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

CommandRegistration finish_run_verb(
    90, {"__finish-run"}, [](CLI::App& app, GlobalOptions&, int& exit_code) {
      auto paths = std::make_shared<std::vector<std::string>>();
      CLI::App* cmd =
          app.add_subcommand("__finish-run", "Remove what a killed `run` left (internal)");
      cmd->group("");
      cmd->add_option("record lock", *paths, "The run's record and lock files")
          ->required()
          ->expected(2);
      cmd->callback([paths, &exit_code] {
        agent::FinishKilledRun((*paths)[0], (*paths)[1]);
        exit_code = 0;
      });
    });

}  // namespace
}  // namespace hp::cli
