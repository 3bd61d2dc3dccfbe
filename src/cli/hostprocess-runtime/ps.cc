// hostprocess-runtime `ps`: the container's processes, as `ps` shows them or as JSON pids.
#include <stdio.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

// runc's `ps` table: `ps <args>` (default -ef) filtered to the container's pids.
int PsTable(const std::vector<pid_t>& pids, const std::vector<std::string>& ps_args) {
  std::string cmd = "ps";
  for (const std::string& a : ps_args.empty() ? std::vector<std::string>{"-ef"} : ps_args)
    cmd += " '" + a + "'";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return Fail(Error::Sys(errno, "run \"ps\""));
  std::set<pid_t> want(pids.begin(), pids.end());
  char buf[8192];
  int pid_col = -1;
  bool header = true;
  while (::fgets(buf, sizeof buf, f)) {
    std::string line(buf);
    std::istringstream words(line);
    std::vector<std::string> cols;
    for (std::string w; words >> w;) cols.push_back(w);
    if (header) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i] == "PID") pid_col = static_cast<int>(i);
      std::cout << line;
      header = false;
      if (pid_col < 0) {
        ::pclose(f);
        return Fail(Error("couldn't find PID field in ps output"));
      }
      continue;
    }
    if (static_cast<int>(cols.size()) > pid_col &&
        want.count(static_cast<pid_t>(std::atoi(cols[pid_col].c_str()))))
      std::cout << line;
  }
  ::pclose(f);
  return 0;
}

CommandRegistration ps_command(90, "ps", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("ps", "ps displays the processes running inside a container");
  auto format = std::make_shared<std::string>("table");
  c->add_option("-f,--format", *format, "select one of: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  c->prefix_command();
  add(c, [&g, format, c] {
    std::vector<std::string> rest = c->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) return Fail(Error("container id cannot be empty"));
    std::string id = rest.front();
    rest.erase(rest.begin());
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    auto pids = MakeRuntime(g).Pids(id);
    if (!pids) return Fail(pids.error());
    if (*format == "json") {
      std::cout << nlohmann::json(*pids).dump() << std::endl;
      return 0;
    }
    return PsTable(*pids, rest);
  });
});

}  // namespace
}  // namespace hp::runtime_cli
