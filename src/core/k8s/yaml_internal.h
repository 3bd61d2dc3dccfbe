// hp/k8s (internal to yaml*.cc, libyaml/, windows/): appending nodes to a yaml::Tree, shared by the
// libyaml event builder and the fast path; and the fast path itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/k8s/yaml.h"

namespace hp::k8s::yaml::internal {

// Builds a Tree in document order: a node is attached to the innermost open collection (or is
// a document's root); a collection's children are moved into one contiguous range when it
// closes.
class TreeWriter {
 public:
  // `text_size`: the input's, to reserve about what it will need.
  TreeWriter(Tree& tree, int first_line, size_t text_size) : t_(tree), first_line_(first_line) {
    t_.nodes_.reserve(text_size / 6);  // untouched pages cost nothing
    t_.kids_.reserve(text_size / 6);
    t_.strings_.reserve(text_size / 2);
  }

  uint32_t Scalar(uint32_t line, uint32_t column, std::string_view text, bool plain,
                  std::string_view tag = {}) {
    uint32_t i = Add(Tree::kScalar, line, column, tag);
    Tree::Data& d = t_.nodes_[i];
    d.plain = plain;
    d.start = Store(text);
    d.length = static_cast<uint32_t>(text.size());
    return i;
  }
  uint32_t Open(bool map, uint32_t line, uint32_t column, std::string_view tag = {}) {
    uint32_t i = Add(map ? Tree::kMap : Tree::kSequence, line, column, tag);
    open_.push_back({i, pending_.size()});
    return i;
  }
  void Close() {
    if (open_.empty()) return;
    auto [node, start] = open_.back();
    open_.pop_back();
    Tree::Data& d = t_.nodes_[node];
    d.start = static_cast<uint32_t>(t_.kids_.size());
    d.length = static_cast<uint32_t>(pending_.size() - start);
    t_.kids_.insert(t_.kids_.end(), pending_.begin() + static_cast<ptrdiff_t>(start),
                    pending_.end());
    pending_.resize(start);
  }
  // An alias: the anchored node again.
  void Attach(uint32_t node) {
    if (open_.empty()) {
      t_.roots_.push_back(node);
    } else {
      pending_.push_back(node);
    }
  }
  size_t depth() const { return open_.size(); }

 private:
  uint32_t Store(std::string_view s) {
    auto at = static_cast<uint32_t>(t_.strings_.size());
    t_.strings_.append(s);
    return at;
  }
  uint32_t Add(Tree::Kind kind, uint32_t line, uint32_t column, std::string_view tag) {
    Tree::Data d;
    d.kind = kind;
    d.line = line + static_cast<uint32_t>(first_line_);
    d.column = column;
    auto i = static_cast<uint32_t>(t_.nodes_.size());
    if (!tag.empty()) {
      d.tagged = true;
      t_.tags_.emplace_back(i, tag);
    }
    t_.nodes_.push_back(d);
    Attach(i);
    return i;
  }

  struct Open_ {
    uint32_t node;
    size_t kids_start;  // its children so far: pending_[kids_start...]
  };
  Tree& t_;
  int first_line_;
  std::vector<Open_> open_;
  std::vector<uint32_t> pending_;  // children of the open collections, innermost last
};

// Reads the YAML that manifests are usually written in (block mappings and sequences, flow
// collections, plain, quoted and block scalars, comments, `---`) into `out` as libyaml would,
// several times faster; CRLF and CR are line breaks, UTF-8 and tabs are read as in libyaml.
// Returns false, leaving `out` to be cleared, at anything else: anchors, tags, complex keys,
// document ends, directives, errors. The caller then
// parses with CompleteParse, which has the whole grammar and the error messages.
bool FastParse(std::string_view text, Tree& out, int first_line);
// The whole grammar and go-yaml's rules, where FastParse declines. Linux (libyaml/parse.cc):
// LibyamlParse. Windows (windows/yaml_complete.cc): no libyaml there yet, so input outside the
// fast path's grammar is an error that says so, never a different tree (docs/windows.md, YAML).
bool CompleteParse(std::string_view text, Tree& out, ParseError& error, int first_line);
// libyaml's events through a TreeWriter (Linux only).
bool LibyamlParse(std::string_view text, Tree& out, ParseError& error, int first_line);

// "" when the trees are the same (documents, kinds, styles, tags, text, marks, children), else
// where they first differ: how the fast path is checked against libyaml.
std::string TreeDifference(const Tree& a, const Tree& b);

}  // namespace hp::k8s::yaml::internal
