// hp/image: an image record as JSON (the store's index.json and `inspect`), and the rules of
// `import` that every platform's store shares (the name, the --env/--cmd/... options). Pure:
// built for Linux (store.cc, import.cc) and Windows (windows/dir_images.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/image/import.h"
#include "core/image/store.h"

namespace hp::image {

nlohmann::json ConfigToJson(const ImageConfig& c);
nlohmann::json RecordToJson(const ImageRecord& r);
ImageRecord RecordFromJson(const nlohmann::json& j);

// The name an image is imported under, normalised like Docker; a digest is refused.
Result<std::string> NormalImportName(std::string_view name);
// Applies `import`'s --env (replacing a variable of the same name), --cmd, --entrypoint and
// --workdir to an image config.
void ApplyImportOptions(ImageConfig& c, const ImportOptions& o);

}  // namespace hp::image
