// hostprocess-runtime `update`: the container's resource limits changed in its job.
#include <unistd.h>

#include "cli/hostprocess-runtime/cli.h"
#include "core/sys/file.h"

namespace hp::runtime_cli {
namespace {

Result<std::string> ReadFileOrStdin(const std::string& path) {
  if (path == "-") return sys::ReadFd(STDIN_FILENO);
  return sys::ReadFile(path);
}

CommandRegistration update_command(110, "update", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("update", "update container resource constraints");
  struct UpdateArgs {
    std::string resources, memory, cpu_quota, cpu_period, cpu_shares, pids_limit;
    std::string id;
  };
  auto a = std::make_shared<UpdateArgs>();
  c->add_option("-r,--resources", a->resources,
                "path to a linux.resources JSON file, or - for stdin");
  c->add_option("--memory", a->memory, "memory limit (in bytes)");
  c->add_option("--cpu-quota", a->cpu_quota, "CPU CFS hardcap limit (in usecs)");
  c->add_option("--cpu-period", a->cpu_period, "CPU CFS period (in usecs)");
  c->add_option("--cpu-share", a->cpu_shares, "CPU shares (relative weight vs. other containers)");
  c->add_option("--pids-limit", a->pids_limit, "maximum number of pids allowed in the container");
  c->add_option("id", a->id, "container id")->required();
  add(c, [&g, a] {
    oci::Resources r;
    if (!a->resources.empty()) {
      auto text = ReadFileOrStdin(a->resources);
      if (!text) return Fail(text.error());
      auto parsed = oci::ParseResources(*text);
      if (!parsed) return Fail(parsed.error());
      r = std::move(*parsed);
    }
    try {
      if (!a->memory.empty()) {
        if (!r.memory) r.memory.emplace();
        r.memory->limit = std::stoll(a->memory);
      }
      if (!a->cpu_quota.empty() || !a->cpu_period.empty() || !a->cpu_shares.empty()) {
        if (!r.cpu) r.cpu.emplace();
        if (!a->cpu_quota.empty()) r.cpu->quota = std::stoll(a->cpu_quota);
        if (!a->cpu_period.empty()) r.cpu->period = std::stoull(a->cpu_period);
        if (!a->cpu_shares.empty()) r.cpu->shares = std::stoull(a->cpu_shares);
      }
      if (!a->pids_limit.empty()) r.pids_limit = std::stoll(a->pids_limit);
    } catch (const std::exception&) {
      return Fail(Error("invalid value for an update flag"));
    }
    return Done(MakeRuntime(g).Update(a->id, r));
  });
});

}  // namespace
}  // namespace hp::runtime_cli
