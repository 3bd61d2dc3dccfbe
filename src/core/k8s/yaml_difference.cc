// How the fast path is checked against libyaml (yaml_internal.h TreeDifference): two trees
// compared node by node, in document order.
#include <string>

#include "core/k8s/yaml_internal.h"

namespace hp::k8s::yaml::internal {
namespace {

void CompareNodes(Node a, Node b, const std::string& path, std::string& diff) {
  if (!diff.empty()) return;
  auto mark = [](Node n) {
    return std::to_string(n.GetMark().line + 1) + ":" + std::to_string(n.GetMark().column + 1);
  };
  auto kind = [](Node n) { return n.IsMap() ? "map" : n.IsSequence() ? "seq" : "scalar"; };
  std::string what;
  if (std::string_view(kind(a)) != kind(b)) {
    what = std::string(kind(a)) + " vs " + kind(b);
  } else if (a.IsPlain() != b.IsPlain() || a.Tag() != b.Tag()) {
    what = "style or tag";
  } else if (a.Scalar() != b.Scalar()) {
    what = "text \"" + std::string(a.Scalar()) + "\" vs \"" + std::string(b.Scalar()) + "\"";
  } else if (mark(a) != mark(b)) {
    what = "mark " + mark(a) + " vs " + mark(b);
  } else if (a.size() != b.size()) {
    what = "size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  }
  if (!what.empty()) {
    diff = path + ": " + what;
    return;
  }
  for (size_t i = 0; i < a.size(); i++) {
    if (a.IsMap()) {
      CompareNodes(a.Key(i), b.Key(i), path + "/key" + std::to_string(i), diff);
      CompareNodes(a.Value(i), b.Value(i), path + "/" + std::string(a.Key(i).Scalar()), diff);
    } else {
      CompareNodes(a.Item(i), b.Item(i), path + "[" + std::to_string(i) + "]", diff);
    }
  }
}

}  // namespace

std::string TreeDifference(const Tree& a, const Tree& b) {
  if (a.documents() != b.documents())
    return "documents: " + std::to_string(a.documents()) + " vs " + std::to_string(b.documents());
  std::string diff;
  for (size_t i = 0; i < a.documents() && diff.empty(); i++)
    CompareNodes(a.Document(i), b.Document(i), "doc" + std::to_string(i), diff);
  return diff;
}

}  // namespace hp::k8s::yaml::internal
