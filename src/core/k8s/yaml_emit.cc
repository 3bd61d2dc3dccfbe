// yaml::JsonToYaml: JSON as block YAML, byte for byte what libyaml 0.2.5's emitter writes when
// go-yaml v2's encoder drives it (kubectl -o yaml), on every platform. Windows has no libyaml
// (docs/windows.md, "YAML: the decision"), so the layout is ours: libyaml's rules, learnt from
// its emitter and pinned against it on Linux (tests/unit/k8s/yaml_emit_test.cc, which drives
// libyaml itself as the oracle).
//
// Two decisions make a scalar's text. go-yaml picks a style (StyleFor): a literal block for
// text with a line feed, plain for text that reads back as a string, else double-quoted. The
// emitter then checks that the style can hold the text (Analyze, Select) and falls back to
// single- or double-quoted, as libyaml does; it folds long plain and quoted lines at spaces past
// column 80 and escapes what YAML cannot print in double quotes.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "core/k8s/yaml.h"

namespace hp::k8s::yaml {

namespace {

constexpr int kIndent = 2;  // libyaml's best_indent
constexpr int kWidth = 80;  // libyaml's best_width
// A key longer than this (in bytes) or over several lines is written as `? key` then `: value`.
constexpr size_t kMaxSimpleKey = 128;

using Bytes = const unsigned char*;

// ---- characters, as libyaml classifies UTF-8 ----

// The bytes of the character that starts with `lead` (0: not a lead byte).
int Width(unsigned char lead) {
  if ((lead & 0x80) == 0x00) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// libyaml's UTF-8 check for scalar values: well-formed sequences, no overlong forms. Unlike
// Go and nlohmann::json it takes surrogates (ED A0..BF) and values past U+10FFFF (F4 90.., F5..F7),
// which the writers then escape.
bool LibyamlUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<unsigned char>(s[i]);
    int width = Width(lead);
    if (width == 0 || i + width > s.size()) return false;
    uint32_t value = width == 1 ? lead : lead & (0xFF >> (width + 1));
    for (int k = 1; k < width; k++) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      value = (value << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < kLeast[width]) return false;
    i += width;
  }
  return true;
}

// Text libyaml refuses: invalid bytes become U+FFFD, as Go's encoding/json makes them before
// go-yaml sees the text (nlohmann::json's replacement is the same, one per bad sequence).
std::string ValidText(const std::string& s) {
  if (LibyamlUtf8(s)) return s;
  return nlohmann::json::parse(
             nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

// The predicates read up to 2 bytes past a character's lead byte, and one character past the
// text: the text is a std::string, whose terminating NUL ends it as libyaml's copy does.
bool IsBreak(Bytes p) {
  return p[0] == '\r' || p[0] == '\n' || (p[0] == 0xC2 && p[1] == 0x85) ||
         (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9));
}
bool IsSpace(Bytes p) { return p[0] == ' '; }
bool IsBlankOrEnd(Bytes p) { return p[0] == ' ' || p[0] == '\t' || p[0] == '\0' || IsBreak(p); }
bool IsBom(Bytes p) { return p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF; }

// What YAML prints unescaped: LF, printable ASCII, U+00A0..U+D7FF, U+E000..U+FFFD but the BOM
// (U+FEFF is taken here, refused in double quotes). Nothing past the BMP: emoji are escaped.
bool IsPrintable(Bytes p) {
  unsigned char b = p[0];
  if (b == 0x0A || (b >= 0x20 && b <= 0x7E)) return true;
  if (b == 0xC2) return p[1] >= 0xA0;
  if (b > 0xC2 && b < 0xED) return true;
  if (b == 0xED) return p[1] < 0xA0;
  if (b == 0xEE) return true;
  if (b == 0xEF) return !(p[1] == 0xBB && p[2] == 0xBF) && !(p[1] == 0xBF && p[2] >= 0xBE);
  return false;
}

// ---- go-yaml's choice of style ----

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

bool Digits(std::string_view s, size_t& i, size_t least, size_t most) {
  size_t n = 0;
  while (i < s.size() && n < most && s[i] >= '0' && s[i] <= '9') i++, n++;
  return n >= least;
}

bool Char(std::string_view s, size_t& i, char ch) {
  if (i >= s.size() || s[i] != ch) return false;
  i++;
  return true;
}

// h:m:s with an optional fraction of up to 9 digits.
bool Clock(std::string_view s, size_t& i) {
  if (!Digits(s, i, 1, 2) || !Char(s, i, ':') || !Digits(s, i, 1, 2) || !Char(s, i, ':') ||
      !Digits(s, i, 1, 2))
    return false;
  if (Char(s, i, '.') && !Digits(s, i, 1, 9)) return false;
  return true;
}

// go-yaml v2's parseTimestamp formats: "2006-1-2T15:4:5.999999999Z07:00" (t too),
// "2006-1-2 15:4:5.999999999" and "2006-1-2". A string that reads back as one is quoted, as
// kubectl quotes `creationTimestamp: "2026-..."`.
bool IsTimestamp(std::string_view s) {
  size_t i = 0;
  if (!Digits(s, i, 4, 4) || i != 4 || !Char(s, i, '-') || !Digits(s, i, 1, 2) ||
      !Char(s, i, '-') || !Digits(s, i, 1, 2))
    return false;
  if (i == s.size()) return true;
  if (s[i] == 'T' || s[i] == 't') {
    i++;
    if (!Clock(s, i)) return false;
    if (!Char(s, i, 'Z')) {
      if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
      i++;
      if (!Digits(s, i, 2, 2) || !Char(s, i, ':') || !Digits(s, i, 2, 2)) return false;
    }
    return i == s.size();
  }
  if (s[i] == ' ') {
    i++;
    return Clock(s, i) && i == s.size();
  }
  return false;
}

// go-yaml v2's encoder: multi-line strings as literal blocks, plain when the text reads back as
// a string (and not as a timestamp), else double-quoted.
Style StyleFor(std::string_view s) {
  if (s.find('\n') != std::string_view::npos) return Style::kLiteral;
  if (Resolve(s) == Plain::kString && !IsTimestamp(s)) return Style::kPlain;
  return Style::kDoubleQuoted;
}

// ---- which styles can hold a text (libyaml's analysis) ----

struct Analysis {
  bool multiline = false;  // a line break of any kind (LF, CR, NEL, LS, PS)
  bool plain = true;       // in block context
  bool single_quoted = true;
  bool block = true;  // literal
};

Analysis Analyze(const std::string& text) {
  Analysis a;
  if (text.empty()) {
    a.block = false;
    return a;
  }
  auto* p = reinterpret_cast<Bytes>(text.c_str());
  Bytes end = p + text.size();
  bool indicators = (text.compare(0, 3, "---") == 0 || text.compare(0, 3, "...") == 0);
  bool special = false, leading = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  bool previous_space = false, previous_break = false;
  bool preceded_by_blank = true;
  for (Bytes c = p; c != end;) {
    Bytes next = c + Width(*c);
    bool followed_by_blank = IsBlankOrEnd(next);
    if (c == p) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(*c)) !=
              std::string_view::npos ||
          (std::string_view("?:-").find(static_cast<char>(*c)) != std::string_view::npos &&
           followed_by_blank))
        indicators = true;
    } else if ((*c == ':' && followed_by_blank) || (*c == '#' && preceded_by_blank)) {
      indicators = true;
    }
    if (!IsPrintable(c)) special = true;
    if (IsSpace(c)) {
      if (c == p) leading = true;
      if (next == end) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true, previous_break = false;
    } else if (IsBreak(c)) {
      a.multiline = true;
      if (c == p) leading = true;
      if (next == end) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false, previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_blank = IsBlankOrEnd(c);
    c = next;
  }
  if (leading || trailing_space || trailing_break || a.multiline || indicators) a.plain = false;
  if (trailing_space) a.block = false;
  if (break_space) a.plain = a.single_quoted = false;
  if (space_break || special) a.plain = a.single_quoted = a.block = false;
  return a;
}

// The style libyaml writes for the style asked for.
Style Select(Style asked, const Analysis& a, bool simple_key, size_t length) {
  Style style = asked;
  if (simple_key && a.multiline) style = Style::kDoubleQuoted;
  if (style == Style::kPlain && (!a.plain || (length == 0 && simple_key)))
    style = Style::kSingleQuoted;
  if (style == Style::kSingleQuoted && !a.single_quoted) style = Style::kDoubleQuoted;
  if (style == Style::kLiteral && (!a.block || simple_key)) style = Style::kDoubleQuoted;
  return style;
}

// ---- the writer ----

class Writer {
 public:
  std::string Document(const nlohmann::json& j) {
    Node(j, /*mapping=*/false);
    WriteIndent();       // the implicit document end
    if (kept_breaks_) {  // the last block scalar kept its trailing line breaks: end the stream
      Indicator("...", true, false, false);
      WriteIndent();
    }
    return std::move(out_);
  }

 private:
  void Node(const nlohmann::json& j, bool mapping) {
    if (j.is_object() && !j.empty()) {
      Mapping(j);
    } else if (j.is_array() && !j.empty()) {
      Sequence(j, mapping);
    } else if (j.is_object() || j.is_array()) {
      Indicator(j.is_object() ? "{" : "[", true, true, false);
      Indicator(j.is_object() ? "}" : "]", false, false, false);
    } else if (j.is_string()) {
      const auto& s = j.get_ref<const std::string&>();
      Scalar(ValidText(s), StyleFor(s), false);
    } else if (j.is_null()) {
      Scalar("null", Style::kPlain, false);
    } else {
      Scalar(j.dump(), Style::kPlain, false);  // numbers, booleans
    }
  }

  void Mapping(const nlohmann::json& j) {
    int saved = indent_;
    indent_ = indent_ < 0 ? 0 : indent_ + kIndent;
    for (const auto& [key, value] : j.items()) {
      WriteIndent();
      std::string text = ValidText(key);
      Analysis a = Analyze(text);
      if (!a.multiline && text.size() <= kMaxSimpleKey) {
        Scalar(text, StyleFor(key), true, &a);
        Indicator(":", false, false, false);
      } else {
        Indicator("?", true, false, true);
        Scalar(text, StyleFor(key), false, &a);
        WriteIndent();
        Indicator(":", true, false, true);
      }
      Node(value, /*mapping=*/true);
    }
    indent_ = saved;
  }

  // A sequence that is a mapping's value on the key's line is not indented (kubectl's layout).
  void Sequence(const nlohmann::json& j, bool mapping) {
    int saved = indent_;
    if (indent_ < 0) {
      indent_ = 0;
    } else if (!(mapping && !indention_)) {
      indent_ += kIndent;
    }
    for (const auto& item : j) {
      WriteIndent();
      Indicator("-", true, false, true);
      Node(item, /*mapping=*/false);
    }
    indent_ = saved;
  }

  void Scalar(const std::string& text, Style asked, bool simple_key,
              const Analysis* analysis = nullptr) {
    Analysis a = analysis ? *analysis : Analyze(text);
    Style style = Select(asked, a, simple_key, text.size());
    int saved = indent_;
    indent_ = indent_ < 0 ? kIndent : indent_ + kIndent;
    auto* p = reinterpret_cast<Bytes>(text.c_str());
    switch (style) {
      case Style::kPlain:
        Plain(p, p + text.size(), !simple_key);
        break;
      case Style::kSingleQuoted:
        SingleQuoted(p, p + text.size(), !simple_key);
        break;
      case Style::kDoubleQuoted:
        DoubleQuoted(p, p + text.size(), !simple_key);
        break;
      case Style::kLiteral:
        Literal(p, p + text.size());
        break;
    }
    indent_ = saved;
  }

  // -- output primitives: the column counts characters --

  void Put(char ch) {
    out_ += ch;
    column_++;
  }
  void PutBreak() {
    out_ += '\n';
    column_ = 0;
  }
  // Copies one character; returns the next.
  Bytes Copy(Bytes c) {
    int width = Width(*c);
    out_.append(reinterpret_cast<const char*>(c), width);
    column_++;
    return c + width;
  }
  // A line break in the text: LF as a line feed, CR, NEL, LS and PS as they are.
  Bytes CopyBreak(Bytes c) {
    if (*c == '\n') {
      PutBreak();
      return c + 1;
    }
    Bytes next = Copy(c);
    column_ = 0;
    return next;
  }

  // To the current indentation, on a new line unless already there.
  void WriteIndent() {
    int indent = indent_ < 0 ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) PutBreak();
    while (column_ < indent) Put(' ');
    whitespace_ = indention_ = true;
  }

  void Indicator(std::string_view text, bool need_whitespace, bool is_whitespace,
                 bool is_indention) {
    if (need_whitespace && !whitespace_) Put(' ');
    out_ += text;
    column_ += static_cast<int>(text.size());
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
  }

  // A space past the width becomes a line break (the next line at the scalar's indentation),
  // unless it follows a space or precedes one.
  void Plain(Bytes c, Bytes end, bool allow_breaks) {
    if (!whitespace_ && c != end) Put(' ');
    bool spaces = false, breaks = false;
    while (c != end) {
      if (IsSpace(c)) {
        if (allow_breaks && !spaces && column_ > kWidth && !IsSpace(c + 1)) {
          WriteIndent();
          c++;
        } else {
          c = Copy(c);
        }
        spaces = true;
      } else if (IsBreak(c)) {
        if (!breaks && *c == '\n') PutBreak();
        c = CopyBreak(c);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        c = Copy(c);
        indention_ = false;
        spaces = breaks = false;
      }
    }
    whitespace_ = indention_ = false;
  }

  void SingleQuoted(Bytes c, Bytes end, bool allow_breaks) {
    Bytes start = c;
    Indicator("'", true, false, false);
    bool spaces = false, breaks = false;
    while (c != end) {
      if (IsSpace(c)) {
        if (allow_breaks && !spaces && column_ > kWidth && c != start && c != end - 1 &&
            !IsSpace(c + 1)) {
          WriteIndent();
          c++;
        } else {
          c = Copy(c);
        }
        spaces = true;
      } else if (IsBreak(c)) {
        if (!breaks && *c == '\n') PutBreak();
        c = CopyBreak(c);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        if (*c == '\'') Put('\'');
        c = Copy(c);
        indention_ = false;
        spaces = breaks = false;
      }
    }
    if (breaks) WriteIndent();
    Indicator("'", false, false, false);
    whitespace_ = indention_ = false;
  }

  // An escape for a character YAML does not print in double quotes: the short ones, else
  // \xXX, \uXXXX or \UXXXXXXXX of the value the UTF-8 bytes encode. Returns the next character.
  Bytes Escape(Bytes c) {
    int width = Width(*c);
    uint32_t value = width == 1 ? *c : *c & (0xFF >> (width + 1));
    for (int k = 1; k < width; k++) value = (value << 6) | (c[k] & 0x3F);
    Put('\\');
    static constexpr std::pair<uint32_t, char> kShort[] = {
        {0x00, '0'},  {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'},   {0x0A, 'n'},
        {0x0B, 'v'},  {0x0C, 'f'}, {0x0D, 'r'}, {0x1B, 'e'},   {0x22, '"'},
        {0x5C, '\\'}, {0x85, 'N'}, {0xA0, '_'}, {0x2028, 'L'}, {0x2029, 'P'}};
    char short_form = 0;
    for (auto [code, letter] : kShort)
      if (value == code) short_form = letter;
    if (short_form) {
      Put(short_form);
    } else {
      int digits = value <= 0xFF ? 2 : value <= 0xFFFF ? 4 : 8;
      Put(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
      for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        Put("0123456789ABCDEF"[(value >> shift) & 0xF]);
    }
    return c + width;
  }

  // A space past the width becomes a line break; a space after it is then escaped (`\ `) so that
  // the reader keeps it.
  void DoubleQuoted(Bytes c, Bytes end, bool allow_breaks) {
    Bytes start = c;
    Indicator("\"", true, false, false);
    bool spaces = false;
    while (c != end) {
      if (!IsPrintable(c) || IsBom(c) || IsBreak(c) || *c == '"' || *c == '\\') {
        c = Escape(c);
        spaces = false;
      } else if (IsSpace(c)) {
        if (allow_breaks && !spaces && column_ > kWidth && c != start && c != end - 1) {
          WriteIndent();
          if (IsSpace(c + 1)) Put('\\');
          c++;
        } else {
          c = Copy(c);
        }
        spaces = true;
      } else {
        c = Copy(c);
        spaces = false;
      }
    }
    Indicator("\"", false, false, false);
    whitespace_ = indention_ = false;
  }

  // `|`, an indentation indicator when the text starts with a space or a break, the chomping
  // indicator: `-` without a final break, `+` for more than one (or a text that is one break).
  void BlockHints(Bytes start, Bytes end) {
    if (IsSpace(start) || IsBreak(start)) Indicator("2", false, false, false);
    kept_breaks_ = false;
    auto previous = [](Bytes c) {
      do c--;
      while ((*c & 0xC0) == 0x80);
      return c;
    };
    Bytes last = previous(end);
    const char* chomp = nullptr;
    if (!IsBreak(last)) {
      chomp = "-";
    } else if (last == start || IsBreak(previous(last))) {
      chomp = "+";
      kept_breaks_ = true;
    }
    if (chomp) Indicator(chomp, false, false, false);
  }

  void Literal(Bytes c, Bytes end) {
    Indicator("|", true, false, false);
    BlockHints(c, end);
    PutBreak();
    indention_ = whitespace_ = true;
    bool breaks = true;
    while (c != end) {
      if (IsBreak(c)) {
        c = CopyBreak(c);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        c = Copy(c);
        indention_ = false;
        breaks = false;
      }
    }
  }

  std::string out_;
  int indent_ = -1;  // the current node's indentation, -1 before the root's
  int column_ = 0;
  bool whitespace_ = true;  // the last thing written was whitespace (or nothing)
  bool indention_ = true;   // only indentation and indicators like `-` on this line so far
  // The last block scalar written kept its trailing line breaks (`|+`): libyaml then ends the
  // stream with "...", wherever that scalar was.
  bool kept_breaks_ = false;
};

}  // namespace

std::string JsonToYaml(const nlohmann::json& j) { return Writer().Document(j); }

}  // namespace hp::k8s::yaml
