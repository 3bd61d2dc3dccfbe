#include "core/k8s/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <unordered_map>

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

// ---- building a tree from libyaml's events ----

// go-yaml's allowedAliasRatio (yaml.v2 decode.go): the share of a document's decoded nodes that
// may come from alias expansion, 99% for small documents down to 10% from 4M nodes.
static double AllowedAliasRatio(uint64_t decoded) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decoded <= kLow) return 0.99;
  if (decoded >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decoded) - kLow) / (kHigh - kLow));
}

namespace {

// libyaml's events into a Tree, with go-yaml's alias and depth rules.
class Builder {
 public:
  Builder(Tree& tree, int first_line, size_t text_size)
      : w_(tree, first_line, text_size), first_line_(first_line) {}

  // Consumes one event; false (with error_) when the document breaks a rule.
  bool Event(const yaml_event_t& ev) {
    switch (ev.type) {
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();
        by_name_.clear();
        decoded_ = 1;  // the document node
        aliased_ = 0;
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = ev.data.scalar;
        uint32_t i =
            w_.Scalar(Line(ev), Column(ev), {reinterpret_cast<const char*>(s.value), s.length},
                      s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nullptr, Text(s.tag));
        if (s.anchor) Define(s.anchor, i, 1, false);
        return Count(ev, 1);
      }
      case YAML_ALIAS_EVENT: {
        std::string name(Text(ev.data.alias.anchor));
        auto it = by_name_.find(name);
        if (it == by_name_.end()) return Fail(ev, "unknown anchor '" + name + "' referenced");
        const Anchor& a = anchors_[it->second];
        if (a.open) return Fail(ev, "anchor '" + name + "' value contains itself");
        w_.Attach(a.node);
        aliased_ += a.size;
        return Count(ev, 1 + a.size);
      }
      case YAML_SEQUENCE_START_EVENT:
        return Open(ev, false, ev.data.sequence_start.tag, ev.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return Open(ev, true, ev.data.mapping_start.tag, ev.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Close();
        return true;
      default:  // stream and document ends: an empty document has a null scalar root
        return true;
    }
  }

  ParseError error_;

 private:
  struct Anchor {
    uint32_t node;
    uint64_t size;  // the nodes a decoder visits through an alias of it
    bool open;      // a collection not closed yet
  };
  struct Open_ {
    uint64_t size;   // itself and everything in it, aliases expanded
    int64_t anchor;  // index in anchors_, or -1
  };

  static std::string_view Text(const yaml_char_t* s) {
    return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
  }
  static uint32_t Line(const yaml_event_t& ev) { return static_cast<uint32_t>(ev.start_mark.line); }
  static uint32_t Column(const yaml_event_t& ev) {
    return static_cast<uint32_t>(ev.start_mark.column);
  }

  int64_t Define(const yaml_char_t* name, uint32_t node, uint64_t size, bool open) {
    auto index = static_cast<int64_t>(anchors_.size());
    anchors_.push_back({node, size, open});
    by_name_[std::string(Text(name))] = static_cast<size_t>(index);
    return index;
  }

  bool Open(const yaml_event_t& ev, bool map, const yaml_char_t* tag, const yaml_char_t* anchor) {
    uint32_t i = w_.Open(map, Line(ev), Column(ev), Text(tag));
    if (!Count(ev, 1)) return false;
    if (open_.size() >= 10000) return Fail(ev, "exceeded max depth of 10000");
    int64_t a = anchor ? Define(anchor, i, 0, true) : -1;
    open_.push_back({1, a});
    return true;
  }

  void Close() {
    if (open_.empty()) return;
    w_.Close();
    Open_ c = open_.back();
    open_.pop_back();
    if (!open_.empty()) open_.back().size += c.size - 1;  // its own node is already counted
    if (c.anchor >= 0) {
      anchors_[static_cast<size_t>(c.anchor)].size = c.size;
      anchors_[static_cast<size_t>(c.anchor)].open = false;
    }
  }

  bool Count(const yaml_event_t& ev, uint64_t nodes) {
    decoded_ += nodes;
    if (!open_.empty()) open_.back().size += nodes;
    if (aliased_ > 100 && decoded_ > 1000 &&
        static_cast<double>(aliased_) / static_cast<double>(decoded_) > AllowedAliasRatio(decoded_))
      return Fail(ev, "document contains excessive aliasing");
    return true;
  }

  bool Fail(const yaml_event_t& ev, std::string message) {
    error_.mark = {static_cast<int>(ev.start_mark.line) + first_line_,
                   static_cast<int>(ev.start_mark.column)};
    error_.message = std::move(message);
    return false;
  }

  internal::TreeWriter w_;
  int first_line_;
  std::vector<Open_> open_;
  std::vector<Anchor> anchors_;                      // this document's, in definition order
  std::unordered_map<std::string, size_t> by_name_;  // the latest definition of each name
  uint64_t decoded_ = 0;
  uint64_t aliased_ = 0;
};

// libyaml's position for a reader error is a byte offset: as line and column.
Mark MarkAt(std::string_view text, size_t offset, int first_line) {
  Mark m{first_line, 0};
  for (size_t i = 0; i < offset && i < text.size(); i++) {
    if (text[i] == '\n') {
      m.line++;
      m.column = 0;
    } else {
      m.column++;
    }
  }
  return m;
}

}  // namespace

bool Parse(std::string_view text, Tree& out, ParseError& error, int first_line) {
  out = Tree();
  if (text.size() > (1u << 30)) {
    error = {{}, "input is larger than 1 GiB"};
    return false;
  }
  if (internal::FastParse(text, out, first_line)) return true;
  return internal::LibyamlParse(text, out, error, first_line);
}

namespace internal {

bool LibyamlParse(std::string_view text, Tree& out, ParseError& error, int first_line) {
  out = Tree();
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    error = {{}, "out of memory"};
    return false;
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  Builder builder(out, first_line, text.size());
  bool ok = true;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      error.message = parser.problem ? parser.problem : "unknown problem parsing YAML content";
      if (parser.error == YAML_READER_ERROR) {
        error.mark = MarkAt(text, parser.problem_offset, first_line);
      } else {
        error.mark = {static_cast<int>(parser.problem_mark.line) + first_line,
                      static_cast<int>(parser.problem_mark.column)};
      }
      ok = false;
      break;
    }
    bool done = ev.type == YAML_STREAM_END_EVENT;
    bool good = builder.Event(ev);
    yaml_event_delete(&ev);
    if (!good) {
      error = builder.error_;
      ok = false;
      break;
    }
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return ok;
}

}  // namespace internal

// ---- writing ----

namespace {

int Append(void* data, unsigned char* buffer, size_t size) {
  static_cast<std::string*>(data)->append(reinterpret_cast<const char*>(buffer), size);
  return 1;
}

class Emitter {
 public:
  Emitter() {
    yaml_emitter_initialize(&e_);
    yaml_emitter_set_output(&e_, Append, &out_);
    yaml_emitter_set_unicode(&e_, 1);
  }
  ~Emitter() { yaml_emitter_delete(&e_); }
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  std::string Run(const nlohmann::json& j) {
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    Emit(ev);
    yaml_document_start_event_initialize(&ev, nullptr, nullptr, nullptr, 1);
    Emit(ev);
    Value(j);
    yaml_document_end_event_initialize(&ev, 1);
    Emit(ev);
    yaml_stream_end_event_initialize(&ev);
    Emit(ev);
    yaml_emitter_flush(&e_);
    return std::move(out_);
  }

 private:
  void Emit(yaml_event_t& ev) { yaml_emitter_emit(&e_, &ev); }  // consumes ev

  void Scalar(const std::string& text, yaml_scalar_style_t style) {
    yaml_event_t ev;
    auto* value = reinterpret_cast<yaml_char_t*>(const_cast<char*>(text.data()));
    if (!yaml_scalar_event_initialize(&ev, nullptr, nullptr, value, static_cast<int>(text.size()),
                                      1, 1, style)) {
      // Not UTF-8: invalid bytes become U+FFFD, as Go's encoding/json does.
      std::string fixed =
          nlohmann::json::parse(
              nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
              .get<std::string>();
      value = reinterpret_cast<yaml_char_t*>(fixed.data());
      if (!yaml_scalar_event_initialize(&ev, nullptr, nullptr, value,
                                        static_cast<int>(fixed.size()), 1, 1, style))
        return;
    }
    Emit(ev);
  }

  // go-yaml v2's parseTimestamp: a string that reads back as a timestamp
  // ("2006-1-2T15:4:5.999999999Z07:00", lower-case t too, "2006-1-2 15:4:5.999999999",
  // "2006-1-2") is quoted, as kubectl quotes `creationTimestamp: "2026-..."`.
  static bool IsTimestamp(const std::string& s) {
    if (s.size() < 5 || s[4] != '-' ||
        !std::all_of(s.begin(), s.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    static const std::regex kTimestamp(
        R"(\d{4}-\d{1,2}-\d{1,2}(([Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))|)"
        R"(( \d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,9})?))?)");
    return std::regex_match(s, kTimestamp);
  }

  // go-yaml v2's encoder: multi-line strings as literal blocks, plain when the text reads back
  // as a string (not a timestamp), else double-quoted. (The emitter falls back to a quoted style
  // itself when plain or literal cannot hold the text.)
  void String(const std::string& s) {
    yaml_scalar_style_t style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (s.find('\n') != std::string::npos) {
      style = YAML_LITERAL_SCALAR_STYLE;
    } else if (Resolve(s) == Plain::kString && !IsTimestamp(s)) {
      style = YAML_PLAIN_SCALAR_STYLE;
    }
    Scalar(s, style);
  }

  void Value(const nlohmann::json& j) {
    yaml_event_t ev;
    if (j.is_object()) {
      yaml_mapping_start_event_initialize(
          &ev, nullptr, nullptr, 1, j.empty() ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
      Emit(ev);
      for (const auto& [k, v] : j.items()) {
        String(k);
        Value(v);
      }
      yaml_mapping_end_event_initialize(&ev);
      Emit(ev);
    } else if (j.is_array()) {
      yaml_sequence_start_event_initialize(
          &ev, nullptr, nullptr, 1,
          j.empty() ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
      Emit(ev);
      for (const auto& v : j) Value(v);
      yaml_sequence_end_event_initialize(&ev);
      Emit(ev);
    } else if (j.is_string()) {
      String(j.get_ref<const std::string&>());
    } else if (j.is_null()) {
      Scalar("null", YAML_PLAIN_SCALAR_STYLE);
    } else {
      Scalar(j.dump(), YAML_PLAIN_SCALAR_STYLE);  // numbers, booleans
    }
  }

  yaml_emitter_t e_;
  std::string out_;
};

}  // namespace

std::string JsonToYaml(const nlohmann::json& j) { return Emitter().Run(j); }

}  // namespace hp::k8s::yaml
