// hostprocess-runtime `list` (`ls`): the containers under --root, as a table, JSON or ids.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration list_command(50, "list ls", [](CLI::App& app, Globals& g, CommandList& add) {
  auto* c = app.add_subcommand("list", "lists containers started by runc with the given root");
  c->alias("ls");
  auto format = std::make_shared<std::string>("table");
  auto quiet = std::make_shared<bool>(false);
  c->add_option("-f,--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  c->add_flag("-q,--quiet", *quiet, "display only container IDs");
  add(c, [&g, format, quiet] {
    auto list = MakeRuntime(g).List();
    if (!list) return Fail(list.error());
    if (*quiet) {
      for (const auto& s : *list) std::cout << s.id << "\n";
    } else if (*format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& s : *list) arr.push_back(nlohmann::json::parse(oci::EncodeStatus(s)));
      std::cout << arr.dump() << "\n";
    } else {
      std::cout << fmt::format("{:<12} {:<10} {:<10} {:<60} {:<32} {}\n", "ID", "PID", "STATUS",
                               "BUNDLE", "CREATED", "OWNER");
      for (const auto& s : *list)
        std::cout << fmt::format("{:<12} {:<10} {:<10} {:<60} {:<32} {}\n", s.id, s.pid, s.status,
                                 s.bundle, s.created, s.owner.empty() ? "root" : s.owner);
    }
    return 0;
  });
});

}  // namespace
}  // namespace hp::runtime_cli
