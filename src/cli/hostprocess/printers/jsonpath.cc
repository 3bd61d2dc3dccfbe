#include "cli/hostprocess/printers/jsonpath.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

namespace hp::cli {

// One step of an expression.
struct Step {
  enum Kind { kField, kRecursive, kAll, kSlice, kFilter, kRoot } kind = kField;
  std::string name;  // kField, kRecursive
  std::optional<long> start, end;
  bool single = false;  // [n] (not a slice)
  // kFilter: `@.path OP literal`, or `@.path` alone (present).
  std::vector<Step> left;
  std::string op;
  nlohmann::json literal;
};

struct JsonPath::Node {
  enum Kind { kText, kExpr, kRange } kind = kText;
  std::string text;
  std::vector<Step> steps;
  std::vector<Node> children;  // kRange
};

namespace {

using Json = nlohmann::json;

tl::unexpected<Error> ParseError(const std::string& what) {
  return Err(Error(what, ErrorCode::kInvalidArgument));
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' ||
         c == '\\';
}

Result<Json> ParseLiteral(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return Json(s.substr(1, s.size() - 2));
  if (s == "true" || s == "false") return Json(s == "true");
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && end && *end == '\0') {
    if (s.find_first_of(".eE") == std::string::npos)
      return Json(std::strtoll(s.c_str(), nullptr, 10));
    return Json(d);
  }
  return ParseError(fmt::format("unrecognized filter literal {}", s));
}

Result<std::vector<Step>> ParseSteps(const std::string& e);

Result<Step> ParseBracket(const std::string& inner) {
  Step s;
  if (inner == "*") {
    s.kind = Step::kAll;
    return s;
  }
  if (!inner.empty() && (inner.front() == '\'' || inner.front() == '"')) {
    s.kind = Step::kField;
    s.name = inner.substr(1, inner.size() - 2);
    return s;
  }
  if (inner.rfind("?(", 0) == 0 && inner.back() == ')') {
    s.kind = Step::kFilter;
    std::string body = inner.substr(2, inner.size() - 3);
    size_t op_at = std::string::npos;
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      size_t p = body.find(op);
      if (p != std::string::npos && (op_at == std::string::npos || p < op_at)) {
        op_at = p;
        s.op = op;
      }
    }
    std::string left = op_at == std::string::npos ? body : body.substr(0, op_at);
    while (!left.empty() && left.back() == ' ') left.pop_back();
    while (!left.empty() && left.front() == ' ') left.erase(0, 1);
    if (left.empty() || left[0] != '@') return ParseError("unrecognized filter: " + body);
    auto steps = ParseSteps(left.substr(1));
    if (!steps) return Err(steps.error());
    s.left = std::move(*steps);
    if (op_at != std::string::npos) {
      auto lit = ParseLiteral(body.substr(op_at + s.op.size()));
      if (!lit) return Err(lit.error());
      s.literal = std::move(*lit);
    }
    return s;
  }
  s.kind = Step::kSlice;
  size_t colon = inner.find(':');
  auto num = [](const std::string& t) -> std::optional<long> {
    if (t.empty()) return std::nullopt;
    return std::strtol(t.c_str(), nullptr, 10);
  };
  for (char c : inner)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-' && c != ':' && c != ' ')
      return ParseError(fmt::format("invalid array index {}", inner));
  if (colon == std::string::npos) {
    s.single = true;
    s.start = num(inner);
    if (!s.start) return ParseError("invalid array index");
  } else {
    s.start = num(inner.substr(0, colon));
    std::string rest = inner.substr(colon + 1);
    s.end = num(rest.substr(0, rest.find(':')));
  }
  return s;
}

Result<std::vector<Step>> ParseSteps(const std::string& e) {
  std::vector<Step> steps;
  size_t i = 0;
  if (i < e.size() && (e[i] == '@' || e[i] == '$')) {
    if (e[i] == '$') steps.push_back(Step{.kind = Step::kRoot});
    i++;
  }
  while (i < e.size()) {
    if (e[i] == '.') {
      bool recursive = i + 1 < e.size() && e[i + 1] == '.';
      i += recursive ? 2 : 1;
      // A name; `\.` is a dot inside it (kubectl.kubernetes\.io/restartedAt).
      std::string name;
      size_t j = i;
      while (j < e.size() && (IsNameChar(e[j]) || e[j] == '*')) {
        if (e[j] == '\\' && j + 1 < e.size()) j++;
        name += e[j++];
      }
      i = j;
      if (name.empty() && !recursive) continue;  // `{.}`: the current object
      Step s;
      s.kind = recursive ? Step::kRecursive : name == "*" ? Step::kAll : Step::kField;
      s.name = name;
      steps.push_back(std::move(s));
    } else if (e[i] == '[') {
      int depth = 0;
      size_t j = i;
      for (; j < e.size(); j++) {
        if (e[j] == '[' || e[j] == '(') depth++;
        if ((e[j] == ']' || e[j] == ')') && --depth == 0 && e[j] == ']') break;
      }
      if (j >= e.size()) return ParseError("unterminated array");
      auto s = ParseBracket(e.substr(i + 1, j - i - 1));
      if (!s) return Err(s.error());
      steps.push_back(std::move(*s));
      i = j + 1;
    } else if (e[i] == ' ') {
      i++;
    } else if (IsNameChar(e[i])) {  // a leading name without its dot (`metadata.name`)
      size_t j = i;
      while (j < e.size() && IsNameChar(e[j])) j++;
      steps.push_back(Step{.kind = Step::kField, .name = e.substr(i, j - i)});
      i = j;
    } else {
      return ParseError(fmt::format("unrecognized character in action: U+{:04X} '{}'",
                                    static_cast<unsigned char>(e[i]), e[i]));
    }
  }
  return steps;
}

void Recurse(const Json& v, const std::string& name, std::vector<Json>& out) {
  if (v.is_object()) {
    if (auto it = v.find(name); it != v.end()) out.push_back(*it);
    for (const auto& [k, child] : v.items()) Recurse(child, name, out);
  } else if (v.is_array()) {
    for (const auto& child : v) Recurse(child, name, out);
  }
}

std::vector<Json> Eval(const std::vector<Step>& steps, const Json& root, const Json& cur);

bool Compare(const Json& a, const std::string& op, const Json& b) {
  if (op == "==")
    return a == b || (a.is_number() && b.is_number() && a.get<double>() == b.get<double>());
  if (op == "!=") return !Compare(a, "==", b);
  if (!a.is_number() || !b.is_number()) return false;
  double x = a.get<double>(), y = b.get<double>();
  if (op == "<") return x < y;
  if (op == ">") return x > y;
  if (op == "<=") return x <= y;
  return x >= y;
}

std::vector<Json> Eval(const std::vector<Step>& steps, const Json& root, const Json& cur) {
  std::vector<Json> vals{cur};
  for (const Step& s : steps) {
    std::vector<Json> next;
    for (const Json& v : vals) {
      switch (s.kind) {
        case Step::kRoot:
          next.push_back(root);
          break;
        case Step::kField:
          if (v.is_object())
            if (auto it = v.find(s.name); it != v.end()) next.push_back(*it);
          break;
        case Step::kRecursive:
          Recurse(v, s.name, next);
          break;
        case Step::kAll:
          if (v.is_array() || v.is_object())
            for (const auto& child : v) next.push_back(child);
          break;
        case Step::kSlice: {
          if (!v.is_array()) break;
          long n = static_cast<long>(v.size());
          long a = s.start.value_or(0), b = s.end.value_or(n);
          if (a < 0) a += n;
          if (b < 0) b += n;
          if (s.single) b = a + 1;
          for (long k = std::max(0L, a); k < std::min(n, b); k++) next.push_back(v[k]);
          break;
        }
        case Step::kFilter: {
          auto each = [&](const Json& el) {
            auto got = Eval(s.left, root, el);
            bool keep =
                s.op.empty() ? !got.empty() : !got.empty() && Compare(got.front(), s.op, s.literal);
            if (keep) next.push_back(el);
          };
          if (v.is_array()) {
            for (const auto& el : v) each(el);
          } else {
            each(v);
          }
          break;
        }
      }
    }
    vals = std::move(next);
  }
  return vals;
}

std::string Unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); i++) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

void Run(const std::vector<JsonPath::Node>& nodes, const Json& root, const Json& cur,
         std::string& out) {
  for (const auto& n : nodes) {
    if (n.kind == JsonPath::Node::kText) {
      out += n.text;
    } else if (n.kind == JsonPath::Node::kExpr) {
      auto vals = Eval(n.steps, root, cur);
      for (size_t i = 0; i < vals.size(); i++) out += (i ? " " : "") + JsonPathText(vals[i]);
    } else {
      for (const Json& v : Eval(n.steps, root, cur)) {
        if (v.is_array()) {
          for (const Json& el : v) Run(n.children, root, el, out);
        } else {
          Run(n.children, root, v, out);
        }
      }
    }
  }
}

}  // namespace

std::string JsonPathText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

namespace {

// strconv.FormatFloat(d, 'g', -1, 64), Go's %v of a float64: the shortest digits that read
// back as d, in exponent form ("1.5e+07", two exponent digits at least) when the exponent is
// below -4 or at least 6; +Inf, -Inf and NaN as Go spells them (a value built here, never one
// read from JSON). The digits are fmt's (shortest, as std::to_chars gives them; to_chars
// of a double would link libm, whose loading costs every process start: issue 16).
std::string GoFloatText(double d) {
  if (d != d) return "NaN";
  if (d - d != 0) return d < 0 ? "-Inf" : "+Inf";
  std::string s = fmt::format("{}", d);  // "-0", "0.001", "15000000", "1.5e+21", "1e-05"
  std::string out;
  size_t i = 0;
  if (s[0] == '-') {
    out = "-";
    i = 1;
  }
  // The value is 0.DIGITS x 10^dp.
  size_t e = s.find('e');
  std::string mantissa = s.substr(i, e == std::string::npos ? std::string::npos : e - i);
  int dp = e == std::string::npos ? 0 : std::atoi(s.c_str() + e + 1);
  size_t point = mantissa.find('.');
  dp += static_cast<int>(point == std::string::npos ? mantissa.size() : point);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits.push_back(c);
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') lead++;
  digits.erase(0, lead);
  dp -= static_cast<int>(lead);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return out + "0";
  int nd = static_cast<int>(digits.size());
  int exp = dp - 1;
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (nd > 1) out += "." + digits.substr(1);
    return out + fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
  }
  if (dp <= 0) return out + "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
  if (nd <= dp) return out + digits + std::string(static_cast<size_t>(dp - nd), '0');
  return out + digits.substr(0, static_cast<size_t>(dp)) + "." +
         digits.substr(static_cast<size_t>(dp));
}

}  // namespace

std::string GoValueText(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::number_float:
      return GoFloatText(v.get<double>());
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); i++) out += (i ? " " : "") + GoValueText(v[i]);
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, x] : v.items()) {  // nlohmann::json keeps its keys sorted
        out += (first ? "" : " ") + k + ":" + GoValueText(x);
        first = false;
      }
      return out + "]";
    }
    default:
      return v.dump();  // integers and booleans print as Go prints them
  }
}

std::string RelaxedJsonPath(const std::string& expr) {
  if (expr.size() >= 2 && expr.front() == '{' && expr.back() == '}') return expr;
  if (!expr.empty() && expr.front() == '.') return "{" + expr + "}";
  return "{." + expr + "}";
}

Result<JsonPath> JsonPath::Parse(const std::string& t) {
  auto nodes = std::make_shared<std::vector<Node>>();
  std::vector<std::vector<Node>*> stack{nodes.get()};
  size_t i = 0;
  while (i < t.size()) {
    size_t open = t.find('{', i);
    if (open == std::string::npos) {
      stack.back()->push_back(Node{.kind = Node::kText, .text = t.substr(i)});
      break;
    }
    if (open > i) stack.back()->push_back(Node{.kind = Node::kText, .text = t.substr(i, open - i)});
    // The action ends at the first `}` outside a quoted string.
    size_t j = open + 1;
    char quote = 0;
    for (; j < t.size(); j++) {
      if (quote) {
        if (t[j] == '\\') {
          j++;
        } else if (t[j] == quote) {
          quote = 0;
        }
      } else if (t[j] == '"' || t[j] == '\'') {
        quote = t[j];
      } else if (t[j] == '}') {
        break;
      }
    }
    if (j >= t.size()) return ParseError("unclosed action");
    std::string body = t.substr(open + 1, j - open - 1);
    while (!body.empty() && body.front() == ' ') body.erase(0, 1);
    while (!body.empty() && body.back() == ' ') body.pop_back();
    i = j + 1;
    if (body == "end") {
      if (stack.size() == 1) return ParseError("not in range, nothing to end");
      stack.pop_back();
    } else if (!body.empty() && body.front() == '"' && body.back() == '"' && body.size() >= 2) {
      stack.back()->push_back(Node{.kind = Node::kText, .text = Unquote(body)});
    } else if (body.rfind("range ", 0) == 0) {
      auto steps = ParseSteps(body.substr(6));
      if (!steps) return Err(steps.error());
      stack.back()->push_back(Node{.kind = Node::kRange, .steps = std::move(*steps)});
      stack.push_back(&stack.back()->back().children);
    } else {
      auto steps = ParseSteps(body);
      if (!steps) return Err(steps.error());
      stack.back()->push_back(Node{.kind = Node::kExpr, .steps = std::move(*steps)});
    }
  }
  if (stack.size() != 1) return ParseError("unexpected EOF: range without end");
  JsonPath p;
  p.nodes_ = std::move(nodes);
  return p;
}

Result<std::string> JsonPath::Execute(const Json& data) const {
  std::string out;
  Run(*nodes_, data, data, out);
  return out;
}

std::vector<Json> JsonPath::Values(const Json& data) const {
  std::vector<Json> out;
  for (const auto& n : *nodes_) {
    if (n.kind != Node::kExpr) continue;
    for (auto& v : Eval(n.steps, data, data)) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace hp::cli
