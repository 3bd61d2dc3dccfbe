#include "cli/hostprocess/printers/object_output.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/printers/api_objects.h"
#include "cli/hostprocess/printers/jsonpath.h"
#include "cli/hostprocess/printers/table.h"
#include "core/base/strings.h"

namespace hp::cli {

bool IsObjectOutput(const std::string& output) {
  return output == "json" || output == "yaml" || output == "name" ||
         output.rfind("jsonpath=", 0) == 0 || output.rfind("custom-columns=", 0) == 0;
}

int PrintObjectOutput(const std::vector<nlohmann::json>& objects,
                      const std::vector<std::string>& names, const std::string& output,
                      bool one_by_name, bool no_headers) {
  if (output == "name") {
    std::string text;
    for (const std::string& n : names) text += n + "\n";
    Print(stdout, text);
    return 0;
  }
  if (output == "json" || output == "yaml") {
    Print(stdout, DocumentText(GetDocument(objects, one_by_name), output == "yaml"));
    return 0;
  }
  if (output.rfind("jsonpath=", 0) == 0) {
    auto path = JsonPath::Parse(output.substr(9));
    if (!path) {
      Print(stderr, fmt::format("error: error parsing jsonpath {}, {}\n", output.substr(9),
                                path.error().message()));
      return 1;
    }
    Print(stdout, *path->Execute(GetDocument(objects, one_by_name)));
    return 0;
  }
  // custom-columns=HEADER:PATH,...
  std::string spec = output.substr(output.find('=') + 1);
  std::vector<std::string> header;
  std::vector<JsonPath> paths;
  for (const std::string& col : Split(spec, ',')) {
    size_t colon = col.find(':');
    if (colon == std::string::npos) {
      Print(stderr, fmt::format("error: unexpected custom-columns spec: {}, expected "
                                "<header>:<json-path-expr>\n",
                                col));
      return 1;
    }
    auto path = JsonPath::Parse(RelaxedJsonPath(col.substr(colon + 1)));
    if (!path) {
      Print(stderr, fmt::format("error: {}\n", path.error().message()));
      return 1;
    }
    header.push_back(col.substr(0, colon));
    paths.push_back(std::move(*path));
  }
  Table t(header);
  for (const auto& o : objects) {
    std::vector<std::string> row;
    for (const auto& p : paths) {
      std::vector<std::string> vals;
      for (const auto& v : p.Values(o)) vals.push_back(GoValueText(v));
      row.push_back(vals.empty() ? "<none>" : Join(vals, ","));
    }
    t.AddRow(row);
  }
  Print(stdout, t.Render(no_headers));
  return 0;
}

Result<std::vector<size_t>> SortOrder(const std::vector<const nlohmann::json*>& objects,
                                      const std::string& sort_by) {
  auto path = JsonPath::Parse(RelaxedJsonPath(sort_by));
  if (!path) return Err(path.error());
  std::vector<nlohmann::json> keys;
  for (const nlohmann::json* o : objects) {
    auto v = path->Values(*o);
    keys.push_back(v.empty() ? nlohmann::json() : v.front());
  }
  std::vector<size_t> order(objects.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const nlohmann::json &x = keys[a], &y = keys[b];
    if (x.is_number() && y.is_number()) return x.get<double>() < y.get<double>();
    return JsonPathText(x) < JsonPathText(y);
  });
  return order;
}

}  // namespace hp::cli
