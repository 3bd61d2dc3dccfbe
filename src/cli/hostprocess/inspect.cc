// `hostprocess inspect IMAGE`: the stored record of an image (config, layers) as JSON.
#include <iostream>
#include <memory>

#include "cli/hostprocess/image_cli.h"

namespace hp::cli {
namespace {

int RunInspect(const GlobalOptions& g, const std::string& ref) {
  auto store = image_cli::OpenStore(g);
  if (!store) return image_cli::Fail(store.error());
  auto r = store->Resolve(ref);
  if (!r) return image_cli::Fail(r.error());
  std::cout << image::ImageRecordToJson(*r, 2) << "\n";
  return 0;
}

CommandRegistration inspect_verb(62, {"inspect"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand("inspect", "Show an image's config and layers as JSON");
  auto ref = std::make_shared<std::string>();
  cmd->add_option("IMAGE", *ref, "Image name or id")->required();
  cmd->callback([&g, &rc, ref] { rc = RunInspect(g, *ref); });
});

}  // namespace
}  // namespace hp::cli
