// hp/k8s (internal to yaml*.cc, libyaml/, windows/): appending nodes to a yaml::Tree, shared by the
// libyaml event builder and the fast path; and the fast path itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
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
  size_t nodes() const { return t_.nodes_.size(); }

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

// go-yaml's rules on anchors and aliases (yaml.v2 decode.go), for both readers: a decoder visits
// a document's nodes in order, an alias standing for every node of its anchored one. Refused:
// an alias of a name not defined before it, an alias inside its own anchored collection (a
// cycle), and a document where the alias-expanded nodes are too large a share of the visited
// ones (go-yaml's allowedAliasRatio, so a 1 KiB nest of aliases cannot decode to 200k nodes).
// The visited nodes are counted from `tree`'s, and the ratio is checked for each of them in
// arrears (CatchUp), so that a reader need not call anything for a node without an anchor.
class AliasRules {
 public:
  enum class Alias { kFound, kUnknown, kContainsItself, kExcessive };

  explicit AliasRules(const TreeWriter& tree) : tree_(tree) {}
  void StartDocument() {
    anchors_.clear();
    by_name_.clear();
    open_.clear();
    first_node_ = tree_.nodes();
    checked_ = 1;
    expanded_ = aliased_ = 0;
  }
  // After the tree's newest node, a scalar or an opened collection at `node`, with the anchor
  // `anchor` ("" for none; a node without one need not come here). False as CatchUp.
  bool Node(uint32_t node, std::string_view anchor, bool collection) {
    if (!anchor.empty()) Define(node, anchor, collection);
    return CatchUp();
  }
  // go-yaml checks the share of alias-expanded nodes after each node it visits: the check for
  // each node of the tree since the last call. False when one of them has too many.
  bool CatchUp() {
    if (aliased_ <= 100) {  // the usual case: no check can fail
      checked_ = Decoded();
      return true;
    }
    return CatchUpSlowly();
  }
  // After the tree closed a collection.
  void Close() {
    if (!open_.empty() && open_.back().depth > tree_.depth()) Closed();
  }
  // An alias of `name`: the anchored node in `*node` when kFound.
  Alias Resolve(std::string_view name, uint32_t* node);

 private:
  struct Anchor {
    uint32_t node;
    uint64_t size;  // the nodes a decoder visits through an alias of it: itself and all in it
    bool open;      // a collection not closed yet
  };
  struct Open {        // an anchored collection not closed yet
    size_t depth;      // the tree's depth with it open
    uint64_t decoded;  // Decoded() once it was counted: what is counted after is in it
    size_t anchor;     // in anchors_
  };
  // The nodes a decoder has visited in this document: the document, the tree's nodes, and
  // what aliases expanded to.
  uint64_t Decoded() const { return 1 + (tree_.nodes() - first_node_) + expanded_; }
  bool Excessive(uint64_t decoded) const;
  bool CatchUpSlowly();
  void Define(uint32_t node, std::string_view anchor, bool collection);
  void Closed();

  const TreeWriter& tree_;
  std::vector<Open> open_;
  std::vector<Anchor> anchors_;                      // in definition order
  std::unordered_map<std::string, size_t> by_name_;  // the latest definition of each name
  size_t first_node_ = 0;
  uint64_t checked_ = 1;   // Decoded() when the rule was last checked
  uint64_t expanded_ = 0;  // the nodes aliases stood for, and the aliases
  uint64_t aliased_ = 0;   // the nodes aliases stood for
};

// Reads the YAML that manifests are written in (block mappings and sequences, flow collections,
// plain, quoted and block scalars, anchors, aliases and tags, comments, `---`) into `out` as
// libyaml would, with go-yaml's alias rules, several times faster; CRLF and CR are line breaks,
// UTF-8 and tabs are read as in libyaml. Returns false, leaving `out` to be cleared, at anything
// else: complex keys, document ends, directives, verbatim tags and tag handles, errors. The
// caller then parses with CompleteParse, which has the whole grammar and the error messages.
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
