// hp/k8s (internal): YAML::LoadAll with the guards yaml-cpp 0.7 lacks and go-yaml (kubectl's
// parser) has. The first was found by tests/fuzz/decode, the others while examining it:
//   - A document that starts with `,` (`[a],`, `!t ,`) makes LoadAll loop forever, appending an
//     empty document each turn until memory runs out (jbeder/yaml-cpp#1040; fixed upstream
//     after 0.8.0). go-yaml: "did not find expected node content".
//   - Aliases are not copied by yaml-cpp, but the decoder walks them as values, so a 1 KiB
//     manifest of nested aliases (a List of 60 *pod, each of 60 *container, each of 60 *env)
//     decodes to 227k env vars. go-yaml refuses this: "document contains excessive aliasing"
//     (the same ratio rule), and "anchor ... value contains itself" for an alias inside its own
//     anchor, which would make a cyclic node.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace hp::k8s::internal {

// Every document of `text`; throws YAML::ParserException (with the mark) on a syntax error or a
// refused document, as YAML::LoadAll does on a syntax error. Parses twice: a first pass with an
// event handler that checks, then LoadAll.
std::vector<YAML::Node> LoadAllDocuments(const std::string& text);

}  // namespace hp::k8s::internal
