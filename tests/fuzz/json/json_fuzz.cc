// libFuzzer target: whenever ParseJson (core/base/json.h) takes an input, nlohmann must take it
// too and build the identical value (types, key order, the sign of a zero). Inputs ParseJson
// declines only have to come back (no crash, no sanitizer report). JsonPull::Skip, which reads
// without building, must take exactly the inputs ParseJson takes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<nlohmann::json> ours = hp::ParseJson(text);
  hp::JsonPull skipper(text);
  if ((skipper.Skip() && skipper.AtEnd()) != ours.has_value()) {
    std::fprintf(stderr, "JsonPull::Skip and ParseJson disagree\n");
    std::abort();
  }
  if (!ours) return 0;
  nlohmann::json theirs;
  try {
    theirs = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "ParseJson took what nlohmann refuses: %s\n", e.what());
    std::abort();
  }
  if (!hp::IdenticalJson(*ours, theirs)) {
    std::fprintf(stderr, "ParseJson's value differs from nlohmann's:\n%s\n%s\n",
                 ours->dump().c_str(), theirs.dump().c_str());
    std::abort();
  }
  return 0;
}
