// `hostprocess images [-o json]`: the images in the store, as `crictl images` lists them.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/hostprocess/image_cli.h"

namespace hp::cli {
namespace {

int RunImages(const GlobalOptions& g, const std::string& output) {
  auto store = image_cli::OpenStore(g);
  if (!store) return image_cli::Fail(store.error());
  auto list = store->List();
  if (!list) return image_cli::Fail(list.error());
  if (output == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : *list) arr.push_back(nlohmann::json::parse(image::ImageRecordToJson(r)));
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  if (!output.empty()) {
    std::cerr << "error: unknown output format \"" << output << "\" (want json)\n";
    return 1;
  }
  std::cout << image_cli::ImagesTable(*list);
  return 0;
}

CommandRegistration images_verb(60, {"images"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand("images", "List the images in the store");
  auto output = std::make_shared<std::string>();
  cmd->add_option("-o,--output", *output, "Output format: json");
  cmd->callback([&g, &rc, output] { rc = RunImages(g, *output); });
});

}  // namespace
}  // namespace hp::cli
