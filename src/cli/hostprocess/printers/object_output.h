// hp/cli printers: `get -o json|yaml|name|jsonpath=TEMPLATE|custom-columns=SPEC` of listed API
// objects, as kubectl prints them; both builds' `get` call it with the objects they list.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hp::cli {

// Whether `output` is one of the formats above (the rest are tables: "" and "wide").
bool IsObjectOutput(const std::string& output);

// Prints `objects` in `output` (IsObjectOutput) on stdout: `names` are their `-o name` lines
// ("pod/x"), `one_by_name` prints a single object asked for by name alone instead of a List,
// `no_headers` drops custom-columns' header. A bad template is kubectl's error on stderr, 1.
int PrintObjectOutput(const std::vector<nlohmann::json>& objects,
                      const std::vector<std::string>& names, const std::string& output,
                      bool one_by_name, bool no_headers);

}  // namespace hp::cli
