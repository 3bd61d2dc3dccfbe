#include "core/k8s/selector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/k8s/names.h"

namespace hp::k8s {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
  return s.substr(i);
}

// Splits at commas outside parentheses.
std::vector<std::string> SplitTop(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '(') depth++;
    if (c == ')') depth--;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool ParseInt(const std::string& s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

tl::unexpected<Error> Bad(const std::string& text, const std::string& why) {
  return Err(ErrorCode::kInvalidArgument, "unable to parse requirement: \"{}\": {}", text, why);
}

Result<LabelRequirement> ParseRequirement(const std::string& raw) {
  std::string t = Trim(raw);
  if (t.empty()) return Bad(raw, "empty requirement");
  LabelRequirement r;
  auto set_op = [&](size_t at, size_t len, LabelRequirement::Op op) -> Result<LabelRequirement> {
    r.key = Trim(t.substr(0, at));
    r.op = op;
    std::string rest = Trim(t.substr(at + len));
    if (op == LabelRequirement::kIn || op == LabelRequirement::kNotIn) {
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
        return Bad(raw, "expected a set of values in parentheses");
      for (const std::string& v : SplitTop(rest.substr(1, rest.size() - 2))) {
        std::string val = Trim(v);
        if (!val.empty()) r.values.push_back(val);
      }
    } else {
      r.values.push_back(rest);
    }
    return r;
  };
  Result<LabelRequirement> out(Bad(raw, ""));
  if (t[0] == '!') {
    r.key = Trim(t.substr(1));
    r.op = LabelRequirement::kDoesNotExist;
    out = r;
  } else if (size_t p = t.find("!="); p != std::string::npos) {
    out = set_op(p, 2, LabelRequirement::kNotEquals);
  } else if (size_t p2 = t.find("=="); p2 != std::string::npos) {
    out = set_op(p2, 2, LabelRequirement::kEquals);
  } else if (size_t p3 = t.find('='); p3 != std::string::npos) {
    out = set_op(p3, 1, LabelRequirement::kEquals);
  } else if (size_t p4 = t.find(" notin "); p4 != std::string::npos) {
    out = set_op(p4, 7, LabelRequirement::kNotIn);
  } else if (size_t p5 = t.find(" in "); p5 != std::string::npos) {
    out = set_op(p5, 4, LabelRequirement::kIn);
  } else if (size_t p6 = t.find('>'); p6 != std::string::npos) {
    out = set_op(p6, 1, LabelRequirement::kGt);
  } else if (size_t p7 = t.find('<'); p7 != std::string::npos) {
    out = set_op(p7, 1, LabelRequirement::kLt);
  } else {
    r.key = t;
    r.op = LabelRequirement::kExists;
    out = r;
  }
  if (!out) return out;
  if (out->key.empty() || !names::IsQualifiedName(out->key).empty())
    return Bad(raw, fmt::format("invalid label key \"{}\"", out->key));
  for (const std::string& v : out->values) {
    if (out->op == LabelRequirement::kGt || out->op == LabelRequirement::kLt) {
      int64_t n = 0;
      if (!ParseInt(v, &n))
        return Bad(raw, "for 'Gt', 'Lt' operators, the value must be an integer");
    } else if (!names::IsValidLabelValue(v).empty()) {
      return Bad(raw, fmt::format("invalid label value: \"{}\"", v));
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> LabelsOf(const nlohmann::json& obj) {
  std::map<std::string, std::string> out;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return out;
  auto l = meta->find("labels");
  if (l == meta->end() || !l->is_object()) return out;
  for (const auto& [k, v] : l->items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

Result<LabelMatcher> LabelMatcher::Parse(const std::string& text) {
  LabelMatcher s;
  if (Trim(text).empty()) return s;
  for (const std::string& part : SplitTop(text)) {
    ASSIGN_OR_RETURN(LabelRequirement r, ParseRequirement(part));
    s.reqs_.push_back(std::move(r));
  }
  return s;
}

bool LabelMatcher::Matches(const std::map<std::string, std::string>& labels) const {
  for (const LabelRequirement& r : reqs_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    auto in = [&] {
      return has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    };
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::kEquals:
      case LabelRequirement::kIn:
        ok = in();
        break;
      case LabelRequirement::kNotEquals:
      case LabelRequirement::kNotIn:
        ok = !in();
        break;
      case LabelRequirement::kExists:
        ok = has;
        break;
      case LabelRequirement::kDoesNotExist:
        ok = !has;
        break;
      case LabelRequirement::kGt:
      case LabelRequirement::kLt: {
        int64_t have = 0, want = 0;
        ok = has && ParseInt(it->second, &have) && ParseInt(r.values[0], &want) &&
             (r.op == LabelRequirement::kGt ? have > want : have < want);
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

Result<FieldMatcher> FieldMatcher::Parse(const std::string& text,
                                         const std::vector<std::string>& supported) {
  FieldMatcher s;
  if (Trim(text).empty()) return s;
  for (const std::string& raw : SplitTop(text)) {
    std::string t = Trim(raw);
    Term term;
    size_t p = t.find("!=");
    size_t len = 2;
    if (p != std::string::npos) {
      term.equal = false;
    } else if ((p = t.find("==")) == std::string::npos) {
      p = t.find('=');
      len = 1;
    }
    if (p == std::string::npos)
      return Err(ErrorCode::kInvalidArgument, "invalid selector: '{}'; can't understand '{}'", text,
                 t);
    term.field = Trim(t.substr(0, p));
    term.value = Trim(t.substr(p + len));
    if (std::find(supported.begin(), supported.end(), term.field) == supported.end())
      return Err(ErrorCode::kInvalidArgument, "field label not supported: {}", term.field);
    s.terms_.push_back(std::move(term));
  }
  return s;
}

bool FieldMatcher::Matches(const std::map<std::string, std::string>& fields) const {
  for (const Term& t : terms_) {
    auto it = fields.find(t.field);
    std::string have = it == fields.end() ? "" : it->second;
    if ((have == t.value) != t.equal) return false;
  }
  return true;
}

}  // namespace hp::k8s
