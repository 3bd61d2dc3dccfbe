// kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath), the subset operators use:
// text outside braces is printed as it is; inside, `{.a.b}`, `{.items[0]}`, `{.items[*].x}`,
// `{.items[1:3]}`, `{..name}` (recursive), `{.items[?(@.k=="v")]}` (==, !=, <, >, <=, >=;
// `[?(@.k)]` for presence), `{range .items[*]}...{end}`, `{"\n"}` and `{@}`. As kubectl's
// `-o jsonpath` (allow-missing-template-keys=true): a missing key prints nothing; several
// results of one expression are separated by a space; strings print raw, other values as JSON.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::cli {

class JsonPath {
 public:
  // Parses `template_text`; errors are kubectl's parse errors ("unclosed action", ...).
  static Result<JsonPath> Parse(const std::string& template_text);
  // The template applied to `data`.
  Result<std::string> Execute(const nlohmann::json& data) const;
  // The values one expression yields (custom columns, --sort-by): the template must be one
  // expression such as `{.metadata.name}`.
  std::vector<nlohmann::json> Values(const nlohmann::json& data) const;

  struct Node;

 private:
  std::shared_ptr<const std::vector<Node>> nodes_;  // shared: copies are cheap and complete
};

// custom-columns' relaxed form: `.a.b` and `a.b` become `{.a.b}`; `{...}` stays.
std::string RelaxedJsonPath(const std::string& expr);

// How one JSON value prints in a template: strings raw, the rest as JSON.
std::string JsonPathText(const nlohmann::json& v);

// How one JSON value prints in a custom column: Go's `%v` of the decoded value, as kubectl's
// custom-columns printer formats it. Strings raw, `<nil>`, `true`, `3`, `0.5`, `1e+06`,
// `[a b]`, `map[k:v l:w]` (keys sorted), nested alike.
std::string GoValueText(const nlohmann::json& v);

}  // namespace hp::cli
