#include "core/k8s/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <cstdint>
#include <sstream>
#include <utility>

namespace hp::k8s::internal {
namespace {

// go-yaml's allowedAliasRatio (yaml.v2 decode.go): the share of a document's decoded nodes that
// may come from alias expansion, 99% for small documents down to 10% from 4M nodes.
double AllowedAliasRatio(uint64_t decoded) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decoded <= kLow) return 0.99;
  if (decoded >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decoded) - kLow) / (kHigh - kLow));
}

// Counts nodes as the decoder will visit them (an alias as its anchor's whole subtree) and
// throws at the first node that breaks a rule; builds nothing.
class Checker : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    // A document must consume a token; one that starts where the last one did never will.
    if (mark.pos == last_start_)
      throw YAML::ParserException(mark, "did not find expected node content");
    last_start_ = mark.pos;
    anchors_.clear();
    open_.clear();
    anchor_name_.clear();
    decoded_ = 1;  // the document node
    aliased_ = 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor < anchors_.size() && anchors_[anchor].open)
      throw YAML::ParserException(mark,
                                  "anchor '" + anchors_[anchor].name + "' value contains itself");
    uint64_t expansion = anchor < anchors_.size() ? anchors_[anchor].size : 0;
    aliased_ += expansion;
    Count(mark, 1 + expansion);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }

 private:
  struct Anchor {
    uint64_t size = 0;
    bool open = false;
    std::string name;
  };
  struct Collection {
    YAML::anchor_t anchor;
    uint64_t size;  // itself and everything in it, aliases expanded
  };

  void Count(const YAML::Mark& mark, uint64_t nodes) {
    decoded_ += nodes;
    if (!open_.empty()) open_.back().size += nodes;
    if (aliased_ > 100 && decoded_ > 1000 &&
        static_cast<double>(aliased_) / static_cast<double>(decoded_) > AllowedAliasRatio(decoded_))
      throw YAML::ParserException(mark, "document contains excessive aliasing");
  }
  // yaml-cpp reports the name (OnAnchor) just before the node that carries the anchor id.
  Anchor& Define(YAML::anchor_t anchor) {
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    anchors_[anchor].name = std::move(anchor_name_);
    anchor_name_.clear();
    return anchors_[anchor];
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) Define(anchor).size = 1;
    Count(mark, 1);
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    if (anchor != YAML::NullAnchor) Define(anchor).open = true;
    open_.push_back({anchor, 1});
  }
  void Close() {
    if (open_.empty()) return;
    Collection c = open_.back();
    open_.pop_back();
    if (!open_.empty()) open_.back().size += c.size - 1;  // its own node is already counted
    if (c.anchor != YAML::NullAnchor) {
      anchors_[c.anchor].size = c.size;
      anchors_[c.anchor].open = false;
    }
  }

  int last_start_ = -1;
  std::vector<Anchor> anchors_;  // by yaml-cpp's anchor id (1, 2, ... within a document)
  std::vector<Collection> open_;
  std::string anchor_name_;
  uint64_t decoded_ = 0;
  uint64_t aliased_ = 0;
};

}  // namespace

std::vector<YAML::Node> LoadAllDocuments(const std::string& text) {
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    Checker checker;
    while (parser.HandleNextDocument(checker)) {
    }
  }
  return YAML::LoadAll(text);
}

}  // namespace hp::k8s::internal
