// hp/k8s: label selectors as kubectl's `-l` takes them (k8s.io/apimachinery/pkg/labels Parse):
// comma-separated requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`,
// `!k`, `k>N`, `k<N`; `!=`, `notin` and `!k` match objects without the label. And the field
// selectors of pods (`--field-selector`): metadata.name, metadata.namespace, spec.nodeName,
// status.phase with `=`, `==` or `!=`.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::k8s {

struct LabelRequirement {
  enum Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
  std::string key;
  Op op = kEquals;
  std::vector<std::string> values;
};

// An object's metadata.labels with string values (what -l selectors match), from its JSON.
std::map<std::string, std::string> LabelsOf(const nlohmann::json& obj);

class LabelMatcher {
 public:
  // An empty string selects everything.
  static Result<LabelMatcher> Parse(const std::string& text);
  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return reqs_.empty(); }

 private:
  std::vector<LabelRequirement> reqs_;
};

class FieldMatcher {
 public:
  // `supported`: the field names the resource knows (others: "field label not supported: x").
  static Result<FieldMatcher> Parse(const std::string& text,
                                    const std::vector<std::string>& supported);
  bool Matches(const std::map<std::string, std::string>& fields) const;

 private:
  struct Term {
    std::string field, value;
    bool equal = true;
  };
  std::vector<Term> terms_;
};

}  // namespace hp::k8s
