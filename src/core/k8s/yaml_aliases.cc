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

bool AliasRules::Excessive(uint64_t decoded) const {
  return aliased_ > 100 && decoded > 1000 &&
         static_cast<double>(aliased_) / static_cast<double>(decoded) > AllowedAliasRatio(decoded);
}

bool AliasRules::CatchUpSlowly() {
  // aliased_ has not changed since checked_ (Resolve catches up first): each node in between
  // was checked with it.
  for (uint64_t decoded = Decoded(); checked_ < decoded;) {
    if (Excessive(++checked_)) return false;
  }
  return true;
}

void AliasRules::Define(uint32_t node, std::string_view anchor, bool collection) {
  by_name_[std::string(anchor)] = anchors_.size();
  if (collection) open_.push_back({tree_.depth(), Decoded(), anchors_.size()});
  anchors_.push_back({node, 1, collection});
}

void AliasRules::Closed() {
  Open c = open_.back();
  open_.pop_back();
  anchors_[c.anchor].size = 1 + Decoded() - c.decoded;
  anchors_[c.anchor].open = false;
}

AliasRules::Alias AliasRules::Resolve(std::string_view name, uint32_t* node) {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return Alias::kUnknown;
  const Anchor& a = anchors_[it->second];
  if (a.open) return Alias::kContainsItself;
  if (!CatchUp()) return Alias::kExcessive;  // at a node before it
  *node = a.node;
  aliased_ += a.size;
  expanded_ += 1 + a.size;
  checked_ = Decoded();  // a decoder checks once for the alias and what it stands for
  return Excessive(checked_) ? Alias::kExcessive : Alias::kFound;
}

}  // namespace hp::k8s::yaml::internal
