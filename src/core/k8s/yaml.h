// hp/k8s: YAML as kubectl reads and writes it.
//
// kubectl's YAML is go-yaml, a Go port of libyaml. We parse with libyaml itself, so syntax
// errors carry go-yaml's words ("did not find expected key") and the same YAML 1.1 grammar,
// and build a compact tree in one pass: every node in one array, children as index ranges,
// scalar text in one arena. The build applies the rules go-yaml's decoder adds on top of the
// parser, found necessary by tests/fuzz/decode (docs/validate.md):
//   - "document contains excessive aliasing": go-yaml's ratio of alias-expanded nodes to all
//     nodes a decoder visits, so a 1 KiB nest of aliases cannot decode to 200k env vars;
//   - "anchor 'x' value contains itself": an alias inside its own anchor (a cyclic node);
//   - "unknown anchor 'x' referenced";
//   - "exceeded max depth of 10000" (the decoder and the JSON view recurse).
// An alias is the anchored node itself (an index into the same array), as go-yaml decodes it.
//
// Writing (-o yaml) is our emitter (yaml_emit.cc): libyaml's layout with go-yaml v2's scalar
// styles, byte for byte, checked against libyaml's emitter on Linux (yaml_emit_test.cc), and
// built for both platforms. Windows has no libyaml build: there only the fast path reads
// (yaml_internal.h CompleteParse; docs/windows.md).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hp::k8s::yaml {

struct Mark {
  int line = -1;  // 0-based; -1 when unknown
  int column = -1;
};

struct ParseError {
  Mark mark;
  std::string message;  // go-yaml's text, without its "yaml: " prefix
};

// How an untagged plain scalar resolves (YAML 1.1 as go-yaml v2 does): null (``, `~`, `null`),
// bool (`true`, `yes`, `on`, `y`, ...), number (ints incl. 0x/0o/0b and legacy octal, floats,
// `.inf`, `.nan`) or string.
enum class Plain : uint8_t { kNull, kBool, kNumber, kString };
Plain Resolve(std::string_view text);
// For kBool words: their value.
bool BoolValue(std::string_view text);

class Tree;
namespace internal {
class TreeWriter;
}

// A handle to one node of a Tree (or an undefined node: a missing key). Cheap to copy; valid
// while its Tree lives.
class Node {
 public:
  Node() = default;

  bool IsDefined() const { return tree_ != nullptr; }
  explicit operator bool() const { return IsDefined(); }
  bool IsScalar() const;
  bool IsSequence() const;
  bool IsMap() const;
  // An untagged plain scalar: its type comes from Resolve(Scalar()).
  bool IsPlain() const;
  // Undefined, a plain scalar that resolves to null, or one tagged !!null.
  bool IsNull() const;
  // The explicit tag, expanded (`!!int` is "tag:yaml.org,2002:int"); "" when untagged.
  std::string_view Tag() const;
  // A scalar's text ("" for collections).
  std::string_view Scalar() const;
  Mark GetMark() const;

  // Items of a sequence, pairs of a mapping, 0 for a scalar.
  size_t size() const;
  Node Item(size_t i) const;
  Node Key(size_t i) const;
  Node Value(size_t i) const;
  // A mapping's value for the first scalar key equal to `key`; undefined if none.
  Node Get(std::string_view key) const;

 private:
  friend class Tree;
  Node(const Tree* tree, uint32_t index) : tree_(tree), index_(index) {}
  const Tree* tree_ = nullptr;
  uint32_t index_ = 0;
};

// The documents of one YAML stream.
class Tree {
 public:
  size_t documents() const { return roots_.size(); }
  Node Document(size_t i) const { return Node(this, roots_[i]); }

 private:
  friend class Node;
  friend class internal::TreeWriter;
  friend bool Parse(std::string_view text, Tree& out, struct ParseError& error, int first_line);
  enum Kind : uint8_t { kScalar, kSequence, kMap };
  struct Data {  // 20 bytes: a manifest has a node per 9 bytes of text
    uint32_t line = 0, column = 0;
    // A scalar's text (strings_[start, start + length)); a collection's children
    // (kids_[start, start + length); a mapping's are key, value, key, ...).
    uint32_t start = 0, length = 0;
    Kind kind = kScalar;
    bool plain = false;
    bool tagged = false;  // its tag is in tags_
  };
  std::vector<Data> nodes_;
  std::vector<uint32_t> kids_;
  std::string strings_;
  std::vector<std::pair<uint32_t, std::string>> tags_;  // (node, tag), by node
  std::vector<uint32_t> roots_;
};

// The line breaks in `text` as libyaml counts them for its marks: LF, CRLF and CR are one each
// (and NEL, LS and PS): the line of a mark just after `text`.
int LineBreaks(std::string_view text);

// Parses every document of `text` into `out`. `first_line` is added to every mark (the line of
// `text` within a larger input). On failure `out` is unspecified.
bool Parse(std::string_view text, Tree& out, ParseError& error, int first_line = 0);

// JSON as block YAML, as kubectl -o yaml prints it (go-yaml v2 via sigs.k8s.io/yaml): keys in
// the object's order, sequences in a mapping not indented, strings that would read back as
// another type double-quoted, multi-line strings as literal blocks, `{}` and `[]` when empty,
// lines folded at 80 columns, what YAML cannot print escaped; text that is not UTF-8 has its
// invalid bytes replaced with U+FFFD (as Go's encoding/json does).
std::string JsonToYaml(const nlohmann::json& j);

}  // namespace hp::k8s::yaml
