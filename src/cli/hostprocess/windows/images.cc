// `hostprocess images`, `inspect` and `rmi` on Windows (preview, docs/windows.md): the same
// verbs, flags and output as on Linux, over the directory images `import` keeps
// (core/image/windows/dir_images.h).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/image_cli.h"
#include "cli/hostprocess/windows/container.h"
#include "core/image/record.h"
#include "core/image/windows/dir_images.h"

namespace hp::cli {
namespace {

void Out(const std::string& s) { windows_node::Write(stdout, s); }

int RunWindowsImages(const GlobalOptions& g, const std::string& output) {
  if (!output.empty() && output != "json") {
    return image_cli::Fail(Error(fmt::format("unknown output format \"{}\" (want json)", output)));
  }
  auto list = image::ListDirectoryImages(g.root);
  if (!list) return image_cli::Fail(list.error());
  if (output == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : *list) arr.push_back(image::RecordToJson(r));
    Out(arr.dump(2) + "\n");
    return 0;
  }
  Out(image_cli::ImagesTable(*list));
  return 0;
}

int RunWindowsInspect(const GlobalOptions& g, const std::string& ref) {
  auto r = image::FindDirectoryImage(g.root, ref);
  if (!r) return image_cli::Fail(r.error());
  Out(image::ImageRecordToJson(*r, 2) + "\n");
  return 0;
}

int RunWindowsRmi(const GlobalOptions& g, const std::vector<std::string>& refs) {
  auto lock = image::LockImageStore(g.root);  // not while an import replaces the image
  if (!lock) return image_cli::Fail(lock.error());
  int rc = 0;
  for (const std::string& ref : refs) {
    auto r = image::RemoveDirectoryImage(g.root, ref);
    if (!r) {
      rc = image_cli::Fail(r.error());
      continue;
    }
    // A directory image is its one name and its files: both go.
    Out("Untagged: " + r->name + "\nDeleted: " + r->id + "\n");
  }
  return rc;
}

CommandRegistration images_windows_verb(
    60, {"images", "rmi", "inspect"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
      auto* images = app.add_subcommand("images", "List the images in the store");
      auto output = std::make_shared<std::string>();
      images->add_option("-o,--output", *output, "Output format: json");
      images->callback([&g, &rc, output] { rc = RunWindowsImages(g, *output); });

      auto* rmi = app.add_subcommand("rmi", "Remove images (by name or id)");
      auto refs = std::make_shared<std::vector<std::string>>();
      rmi->add_option("IMAGE", *refs, "Image names or ids")->required();
      rmi->callback([&g, &rc, refs] { rc = RunWindowsRmi(g, *refs); });

      auto* inspect = app.add_subcommand("inspect", "Show an image's config as JSON");
      auto ref = std::make_shared<std::string>();
      inspect->add_option("IMAGE", *ref, "Image name or id")->required();
      inspect->callback([&g, &rc, ref] { rc = RunWindowsInspect(g, *ref); });
    });

}  // namespace
}  // namespace hp::cli
