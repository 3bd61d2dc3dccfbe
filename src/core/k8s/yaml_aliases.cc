// go-yaml's rules on anchors and aliases (yaml_internal.h AliasRules).
#include "core/k8s/yaml_internal.h"

namespace hp::k8s::yaml::internal {
namespace {

// go-yaml's allowedAliasRatio (yaml.v2 decode.go): the share of a document's decoded nodes that
// may come from alias expansion, 99% for small documents down to 10% from 4M nodes.
double AllowedAliasRatio(uint64_t decoded) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decoded <= kLow) return 0.99;
  if (decoded >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decoded) - kLow) / (kHigh - kLow));
}

}  // namespace

bool AliasRules::Node(uint32_t node, std::string_view anchor, bool collection) {
  if (!Count(1)) return false;
  int64_t index = -1;
  if (!anchor.empty()) {
    index = static_cast<int64_t>(anchors_.size());
    anchors_.push_back({node, collection ? 0u : 1u, collection});
    by_name_[std::string(anchor)] = static_cast<size_t>(index);
  }
  if (collection) open_.push_back({1, index});
  return true;
}

void AliasRules::Close() {
  if (open_.empty()) return;
  Open c = open_.back();
  open_.pop_back();
  if (!open_.empty()) open_.back().size += c.size - 1;  // its own node is already counted
  if (c.anchor >= 0) {
    anchors_[static_cast<size_t>(c.anchor)].size = c.size;
    anchors_[static_cast<size_t>(c.anchor)].open = false;
  }
}

AliasRules::Alias AliasRules::Resolve(std::string_view name, uint32_t* node) {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return Alias::kUnknown;
  const Anchor& a = anchors_[it->second];
  if (a.open) return Alias::kContainsItself;
  *node = a.node;
  aliased_ += a.size;
  return Count(1 + a.size) ? Alias::kFound : Alias::kExcessive;
}

bool AliasRules::Count(uint64_t nodes) {
  decoded_ += nodes;
  if (!open_.empty()) open_.back().size += nodes;
  return !(aliased_ > 100 && decoded_ > 1000 &&
           static_cast<double>(aliased_) / static_cast<double>(decoded_) >
               AllowedAliasRatio(decoded_));
}

}  // namespace hp::k8s::yaml::internal
