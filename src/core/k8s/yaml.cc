#include "core/k8s/yaml.h"

#include <algorithm>
#include <cctype>

#include "core/k8s/yaml_internal.h"

namespace hp::k8s::yaml {

// ---- resolving plain scalars ----

namespace {

bool IsBoolWord(std::string_view s, bool* value) {
  static constexpr std::string_view kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF"};
  if (s.empty() || s.size() > 5) return false;
  switch (s[0]) {  // the first letters of the words below
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case 'o':
    case 'O':
    case 'n':
    case 'N':
    case 'f':
    case 'F':
      break;
    default:
      return false;
  }
  for (std::string_view w : kTrue)
    if (s == w) return *value = true, true;
  for (std::string_view w : kFalse)
    if (s == w) return *value = false, true;
  return false;
}

bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }

// YAML 1.1 numbers as go-yaml resolves them: ints (incl. 0x/0o/0b), floats, .inf/.nan, with `_`
// separators.
bool IsNumberWord(std::string_view s) {
  if (s.empty()) return false;
  char first = s[0];
  if (!IsDigit(first) && first != '+' && first != '-' && first != '.' && first != '_')
    return false;  // the common case: a word
  std::string filtered;
  if (s.find('_') != std::string_view::npos) {
    for (char ch : s)
      if (ch != '_') filtered += ch;
    s = filtered;
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "-.inf" || s == ".nan" ||
      s == ".NaN" || s == ".NAN")
    return true;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    for (char ch : s.substr(2))
      if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
    return true;
  }
  size_t i = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) i++, digits++;
  if (i < s.size() && s[i] == '.') {
    i++;
    while (i < s.size() && IsDigit(s[i])) i++, digits++;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
    size_t exponent = 0;
    while (i < s.size() && IsDigit(s[i])) i++, exponent++;
    if (exponent == 0) return false;
  }
  return i == s.size();
}

constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";

}  // namespace

Plain Resolve(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return Plain::kNull;
  bool b;
  if (IsBoolWord(text, &b)) return Plain::kBool;
  if (IsNumberWord(text)) return Plain::kNumber;
  return Plain::kString;
}

bool BoolValue(std::string_view text) {
  bool b = false;
  IsBoolWord(text, &b);
  return b;
}

// ---- nodes ----

bool Node::IsScalar() const { return tree_ && tree_->nodes_[index_].kind == Tree::kScalar; }
bool Node::IsSequence() const { return tree_ && tree_->nodes_[index_].kind == Tree::kSequence; }
bool Node::IsMap() const { return tree_ && tree_->nodes_[index_].kind == Tree::kMap; }
bool Node::IsPlain() const { return tree_ && tree_->nodes_[index_].plain; }

bool Node::IsNull() const {
  if (!tree_) return true;
  if (!IsScalar()) return false;
  return IsPlain() ? Resolve(Scalar()) == Plain::kNull : Tag() == kNullTag;
}

std::string_view Node::Tag() const {
  if (!tree_ || !tree_->nodes_[index_].tagged) return {};
  const auto& tags = tree_->tags_;
  auto it = std::lower_bound(tags.begin(), tags.end(), index_,
                             [](const auto& tag, uint32_t node) { return tag.first < node; });
  return it != tags.end() && it->first == index_ ? std::string_view(it->second)
                                                 : std::string_view();
}

std::string_view Node::Scalar() const {
  if (!tree_) return {};
  const Tree::Data& d = tree_->nodes_[index_];
  if (d.kind != Tree::kScalar) return {};
  return std::string_view(tree_->strings_).substr(d.start, d.length);
}

Mark Node::GetMark() const {
  if (!tree_) return {};
  const Tree::Data& d = tree_->nodes_[index_];
  return {static_cast<int>(d.line), static_cast<int>(d.column)};
}

size_t Node::size() const {
  if (!tree_) return 0;
  const Tree::Data& d = tree_->nodes_[index_];
  switch (d.kind) {
    case Tree::kMap:
      return d.length / 2;
    case Tree::kSequence:
      return d.length;
    default:
      return 0;
  }
}

Node Node::Item(size_t i) const {
  const Tree::Data& d = tree_->nodes_[index_];
  return Node(tree_, tree_->kids_[d.start + i]);
}
Node Node::Key(size_t i) const {
  const Tree::Data& d = tree_->nodes_[index_];
  return Node(tree_, tree_->kids_[d.start + 2 * i]);
}
Node Node::Value(size_t i) const {
  const Tree::Data& d = tree_->nodes_[index_];
  return Node(tree_, tree_->kids_[d.start + 2 * i + 1]);
}

Node Node::Get(std::string_view key) const {
  if (!IsMap()) return {};
  for (size_t i = 0, n = size(); i < n; i++) {
    Node k = Key(i);
    if (k.IsScalar() && k.Scalar() == key) return Value(i);
  }
  return {};
}

int LineBreaks(std::string_view text) {
  auto n = std::count(text.begin(), text.end(), '\n');
  for (size_t i = text.find('\r'); i != text.npos; i = text.find('\r', i + 1))
    if (i + 1 == text.size() || text[i + 1] != '\n') n++;
  for (size_t i = text.find_first_of("\xc2\xe2"); i != text.npos;
       i = text.find_first_of("\xc2\xe2", i + 1)) {
    std::string_view c = text.substr(i, text[i] == '\xc2' ? 2 : 3);
    if (c == "\xc2\x85" || c == "\xe2\x80\xa8" || c == "\xe2\x80\xa9") n++;
  }
  return static_cast<int>(n);
}

bool Parse(std::string_view text, Tree& out, ParseError& error, int first_line) {
  out = Tree();
  if (text.size() > (1u << 30)) {
    error = {{}, "input is larger than 1 GiB"};
    return false;
  }
  if (internal::FastParse(text, out, first_line)) return true;
  return internal::CompleteParse(text, out, error, first_line);
}

}  // namespace hp::k8s::yaml
