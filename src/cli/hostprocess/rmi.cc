// `hostprocess rmi IMAGE...`: untag images and garbage-collect what nothing uses any more.
#include <iostream>
#include <memory>

#include "cli/hostprocess/image_cli.h"

namespace hp::cli {
namespace {

int RunRmi(const GlobalOptions& g, const std::vector<std::string>& refs) {
  auto store = image_cli::OpenStore(g);
  if (!store) return image_cli::Fail(store.error());
  int rc = 0;
  for (const auto& ref : refs) {
    auto r = store->Remove(ref);
    if (!r) {
      rc = image_cli::Fail(r.error());
      continue;
    }
    for (const auto& u : r->untagged) std::cout << "Untagged: " << u << "\n";
    for (const auto& d : r->deleted) std::cout << "Deleted: " << d << "\n";
  }
  return rc;
}

CommandRegistration rmi_verb(61, {"rmi"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand("rmi", "Remove images (by name or id) and unused layers");
  auto refs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("IMAGE", *refs, "Image names or ids")->required();
  cmd->callback([&g, &rc, refs] { rc = RunRmi(g, *refs); });
});

}  // namespace
}  // namespace hp::cli
