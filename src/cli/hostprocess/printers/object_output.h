// hp/cli printers: `get -o json|yaml|name|jsonpath=TEMPLATE|custom-columns=SPEC` of listed API
// objects, as kubectl prints them; both builds' `get` call it with the objects they list.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::cli {

// Whether `output` is one of the formats above (the rest are tables: "" and "wide").
bool IsObjectOutput(const std::string& output);

// Prints `objects` in `output` (IsObjectOutput) on stdout: `names` are their `-o name` lines
// ("pod/x"), `one_by_name` prints a single object asked for by name alone instead of a List,
// `no_headers` drops custom-columns' header. A bad template is kubectl's error on stderr, 1.
int PrintObjectOutput(const std::vector<nlohmann::json>& objects,
                      const std::vector<std::string>& names, const std::string& output,
                      bool one_by_name, bool no_headers);

// --sort-by: the order of `objects` by the value of the JSONPath `sort_by` in each (numbers as
// numbers, the rest as their text; stable), or the path's error.
Result<std::vector<size_t>> SortOrder(const std::vector<const nlohmann::json*>& objects,
                                      const std::string& sort_by);

}  // namespace hp::cli
