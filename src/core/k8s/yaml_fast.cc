// The fast path of yaml::Parse (yaml_internal.h): block YAML as manifests are written, read
// straight into the Tree with the marks libyaml gives. Anything it does not know throws Decline
// (yaml_scan.h) and libyaml reads the input instead, so the fast path only has to be right about
// what it accepts; tests/unit/k8s/yaml_test.cc and tests/fuzz/yaml compare the two trees.
#include <algorithm>
#include <string>

#include "core/k8s/yaml_internal.h"
#include "core/k8s/yaml_scan.h"

namespace hp::k8s::yaml::internal {
namespace {

constexpr size_t kMaxDepth = 1000;  // deeper input goes to libyaml (and its 10000 limit)
constexpr size_t kMaxKey = 1000;    // libyaml's simple keys end at 1024 characters

class Fast : Scanner {
 public:
  Fast(const Input& input, Tree& tree, int first_line)
      : Scanner(input.text(), input.ascii()), w_(tree, first_line, input.text().size()) {}

  void Run() {
    bool first = true;
    for (;;) {
      int indent = SkipToContent();
      if (indent < 0 && !at_document_start_) break;  // the end
      bool explicit_start = at_document_start_;
      if (explicit_start) {
        p_ += 3;
        EndLine();
        indent = SkipToContent();
      } else if (!first) {
        throw Decline{};
      }
      first = false;
      if (indent < 0) {
        // An empty document: a null scalar where the next token starts.
        uint32_t line = at_document_start_ || p_ == line_start_ ? line_ : line_ + 1;
        w_.Scalar(line, 0, "", true);
        continue;
      }
      Node(-1);
      if (SkipToContent() >= 0) throw Decline{};  // more after the root node
    }
  }

 private:
  bool AtEntry() const { return At(p_) == '-' && Blankz(p_ + 1); }
  bool AtValueIndicator() const { return At(p_) == ':' && Blankz(p_ + 1); }
  static bool FlowIndicator(char ch) {
    return ch == ',' || ch == '[' || ch == ']' || ch == '{' || ch == '}';
  }
  // Spaces, then an optional comment, then the end of the line, which is consumed.
  void EndLine() {
    SkipSpaces();
    if (At(p_) == '#') {
      if (p_ != line_start_ && At(p_ - 1) != ' ') throw Decline{};  // `"a"#b`
      while (At(p_) != '\n' && At(p_) != '\0') p_++;
    }
    if (At(p_) == '\n') {
      NewLine();
    } else if (At(p_) != '\0') {
      throw Decline{};
    }
  }

  // Skips blank and comment lines from the start of a line (or stays on the content it is at).
  // The column of the next content, or -1 at the end or at a `---` line.
  int SkipToContent() {
    at_document_start_ = false;
    for (;;) {
      if (p_ >= s_.size()) return -1;
      size_t q = p_;
      while (At(q) == ' ') q++;
      if (At(q) == '\n') {
        p_ = q;
        NewLine();
        continue;
      }
      if (At(q) == '#') {
        while (At(q) != '\n' && At(q) != '\0') q++;
        p_ = q;
        if (At(p_) == '\n') NewLine();
        continue;
      }
      p_ = q;
      if (At(p_) == '\0') return -1;
      if (Column() == 0 && Blankz(p_ + 3)) {
        std::string_view three = s_.substr(p_, 3);
        if (three == "...") throw Decline{};
        if (three == "---") {
          at_document_start_ = true;
          return -1;
        }
      }
      return static_cast<int>(Column());
    }
  }

  bool PlainStart(bool flow) const {
    char ch = At(p_);
    switch (ch) {
      case ',':
      case '[':
      case ']':
      case '{':
      case '}':
      case '#':
      case '&':
      case '*':
      case '!':
      case '|':
      case '>':
      case '\'':
      case '"':
      case '%':
      case '@':
      case '`':
      case '?':
      case ':':
        return false;
      case '-':
        return !Blankz(p_ + 1) && !(flow && FlowIndicator(At(p_ + 1)));
      default:
        return true;
    }
  }

  // A scalar on one line: quoted, or plain (ending at `: `, ` #`, the line's end, and in flow
  // context at `,[]{}`). Leaves p_ just after it.
  Token Scalar(bool flow) {
    Token t = Here(false);
    char quote = At(p_);
    if (quote == '\'' || quote == '"') {
      size_t start = ++p_;
      bool copied = false;
      for (;;) {
        char ch = At(p_);
        if (ch == '\n' || ch == '\0') throw Decline{};  // multi-line
        if (ch == quote) {
          if (quote == '\'' && At(p_ + 1) == '\'') {
            Copy(start, copied);
            buf_ += '\'';
            p_ += 2;
            start = p_;
            continue;
          }
          break;
        }
        if (ch == '\\' && quote == '"') {
          Copy(start, copied);
          if (At(p_ + 1) == 'u') {
            AppendUtf8(Hex4(p_ + 2));  // JSON's \uXXXX
            p_ += 6;
          } else {
            buf_ += Escape(At(p_ + 1));
            p_ += 2;
          }
          start = p_;
          continue;
        }
        p_++;
      }
      if (copied) {
        buf_.append(s_.substr(start, p_ - start));
        t.text = buf_;
      } else {
        t.text = s_.substr(start, p_ - start);
      }
      p_++;  // the closing quote
      return t;
    }
    if (!PlainStart(flow)) throw Decline{};
    size_t i = p_;
    for (;; i++) {
      char ch = At(i);
      if (ch == '\n' || ch == '\0') break;
      if (ch == ':') {
        if (Blankz(i + 1)) break;
        if (flow) throw Decline{};  // `a:b` in flow context
      }
      if (ch == ' ' && At(i + 1) == '#') break;
      if (flow && FlowIndicator(ch)) break;
    }
    while (i > p_ && At(i - 1) == ' ') i--;
    t.text = s_.substr(p_, i - p_);
    t.plain = true;
    p_ = i;
    return t;
  }

  // Starts an unescaped copy in buf_ with the text since `start`.
  void Copy(size_t start, bool& copied) {
    if (!copied) buf_.clear();
    copied = true;
    buf_.append(s_.substr(start, p_ - start));
  }

  // The four hex digits at i as a code point; surrogates (JSON's pairs, which libyaml refuses)
  // and anything else go to libyaml.
  uint32_t Hex4(size_t i) const {
    uint32_t v = 0;
    for (size_t k = i; k < i + 4; k++) {
      char ch = At(k);
      int d = ch >= '0' && ch <= '9'   ? ch - '0'
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                       : -1;
      if (d < 0) throw Decline{};
      v = v * 16 + static_cast<uint32_t>(d);
    }
    if (v >= 0xd800 && v <= 0xdfff) throw Decline{};
    return v;
  }
  void AppendUtf8(uint32_t cp) {
    if (cp < 0x80) {
      buf_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      buf_ += static_cast<char>(0xc0 | (cp >> 6));
      buf_ += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      buf_ += static_cast<char>(0xe0 | (cp >> 12));
      buf_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      buf_ += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  static char Escape(char ch) {
    switch (ch) {
      case '\\':
        return '\\';
      case '"':
        return '"';
      case '/':
        return '/';
      case ' ':
        return ' ';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'a':
        return '\a';
      case 'b':
        return '\b';
      case 'e':
        return '\x1b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      default:
        throw Decline{};  // \x \U \N \_ \L \P, a line break
    }
  }

  // libyaml forgets a possible simple key 1024 characters before its `:` (in a flow mapping,
  // an error then): p_ is at the `:` of `key`, on its line.
  void KeyFits(const Token& key) const {
    if (p_ - key.start > kMaxKey) throw Decline{};
  }

  void Add(const Token& t) { w_.Scalar(t.line, t.column, t.text, t.plain); }

  void Deeper() const {
    if (w_.depth() >= kMaxDepth) throw Decline{};
  }

  // A block node at p_, content deeper than its parent's (at `indent`, -1 for a document's
  // root); returns at the start of the line after it (after a block scalar: in its indentation).
  void Node(int indent) {
    uint32_t column = Column();
    if (AtEntry()) return Sequence(static_cast<int>(column), false);
    char ch = At(p_);
    if (ch == '[' || ch == '{') {
      Flow(w_.depth() == 0);  // a document's root may span lines
      SkipSpaces();
      if (At(p_) == ':') throw Decline{};  // a flow collection as a key
      return EndLine();
    }
    if (ch == '|' || ch == '>') return Add(Block(indent));
    Token t = Scalar(false);
    SkipSpaces();
    if (AtValueIndicator()) return Mapping(t);
    Add(t);
    EndLine();
  }

  // A block mapping whose first key `key` has been read; p_ is at its `:`.
  void Mapping(Token key) {
    Deeper();
    auto indent = static_cast<int>(key.column);
    KeyFits(key);
    w_.Open(true, key.line, key.column);
    for (;;) {
      Add(key);
      p_++;  // ':'
      uint32_t value_line = line_, value_column = Column();
      SkipSpaces();
      if (At(p_) == '#' || At(p_) == '\n' || At(p_) == '\0') {
        EndLine();
        int next = SkipToContent();
        if (next > indent) {
          Node(indent);
        } else if (next == indent && AtEntry()) {
          Sequence(indent, true);
        } else {
          w_.Scalar(value_line, value_column, "", true);  // no value: null
        }
      } else {
        InlineValue(indent);
      }
      int next = SkipToContent();
      if (next < indent) break;
      if (next > indent) throw Decline{};  // a continuation, or an error
      if (AtEntry()) throw Decline{};
      key = Scalar(false);
      SkipSpaces();
      if (!AtValueIndicator()) throw Decline{};
      KeyFits(key);
    }
    w_.Close();
  }

  // A value on the line of its key or `-`: a scalar, a flow collection or a block scalar, then
  // the line's end. `indent`: the mapping's or sequence's.
  void InlineValue(int indent) {
    char ch = At(p_);
    if (ch == '|' || ch == '>') return Add(Block(indent));  // it ends its own lines
    if (ch == '[' || ch == '{') {
      Flow(false);
    } else {
      Add(Scalar(false));
    }
    SkipSpaces();
    if (At(p_) == ':') throw Decline{};  // `a: b: c`
    EndLine();
  }

  // A block sequence at `indent` (p_ at its first `-`); `indentless` when it is a mapping's
  // value at the mapping's own indentation.
  void Sequence(int indent, bool indentless) {
    Deeper();
    w_.Open(false, line_, Column());
    for (;;) {
      uint32_t dash_line = line_, dash_end = Column() + 1;
      p_++;  // '-'
      SkipSpaces();
      if (At(p_) == '#' || At(p_) == '\n' || At(p_) == '\0') {
        EndLine();
        if (SkipToContent() > indent) {
          Node(indent);
        } else {
          w_.Scalar(dash_line, dash_end, "", true);  // an empty entry: null
        }
      } else if (AtEntry()) {
        throw Decline{};  // `- - a`
      } else if (At(p_) == '[' || At(p_) == '{' || At(p_) == '|' || At(p_) == '>') {
        InlineValue(indent);
      } else {
        Token t = Scalar(false);
        SkipSpaces();
        if (AtValueIndicator()) {
          Mapping(t);  // `- name: a` and the keys under it
        } else {
          Add(t);
          EndLine();
        }
      }
      int next = SkipToContent();
      if (next < indent) break;
      if (next > indent) throw Decline{};
      if (!AtEntry()) {
        if (indentless) break;  // the mapping's next key
        throw Decline{};
      }
    }
    w_.Close();
  }

  // A flow collection at p_: on one line, or, as the root node of a document (JSON files),
  // over several lines. Keys are scalars on one line; a double-quoted key may be followed by
  // its `:` at once (JSON's `"key":value`, a value indicator in libyaml's flow context).
  void Flow(bool multiline) {
    Deeper();
    bool map = At(p_) == '{';
    char close = map ? '}' : ']';
    w_.Open(map, line_, Column());
    p_++;
    FlowSpace(multiline);
    if (At(p_) == close) {
      p_++;
      return w_.Close();
    }
    for (;;) {
      if (map) {
        if (At(p_) == '[' || At(p_) == '{') throw Decline{};  // a collection as a key
        bool json_key = At(p_) == '"';
        Token key = Scalar(true);
        SkipSpaces();
        KeyFits(key);
        if (At(p_) != ':' || !(At(p_ + 1) == ' ' || (json_key && At(p_ - 1) == '"')))
          throw Decline{};
        Add(key);
        p_++;
        FlowSpace(multiline);
        if (At(p_) == ',' || At(p_) == '}') throw Decline{};  // no value
      }
      if (At(p_) == '[' || At(p_) == '{') {
        Flow(multiline);
      } else {
        Add(Scalar(true));
      }
      FlowSpace(multiline);
      if (At(p_) == close) {
        p_++;
        break;
      }
      if (At(p_) != ',') throw Decline{};  // `a: b` in a sequence, a folded plain scalar, ...
      p_++;
      FlowSpace(multiline);
      if (At(p_) == close) throw Decline{};  // a trailing comma
    }
    w_.Close();
  }

  // Spaces, and in a multi-line flow collection line breaks; no comments, and no line that
  // could be a document marker.
  void FlowSpace(bool multiline) {
    SkipSpaces();
    while (multiline && At(p_) == '\n') {
      NewLine();
      SkipSpaces();
      if (Column() == 0 && (s_.substr(p_, 3) == "---" || s_.substr(p_, 3) == "...")) {
        throw Decline{};
      }
    }
    if (At(p_) == '#') throw Decline{};
  }

  bool at_document_start_ = false;  // SkipToContent stopped at a `---` line
  TreeWriter w_;
  std::string buf_;  // a quoted scalar's text with its escapes replaced
};

}  // namespace

namespace {

void Compare(Node a, Node b, const std::string& path, std::string& diff) {
  if (!diff.empty()) return;
  auto mark = [](Node n) {
    return std::to_string(n.GetMark().line + 1) + ":" + std::to_string(n.GetMark().column + 1);
  };
  auto kind = [](Node n) { return n.IsMap() ? "map" : n.IsSequence() ? "seq" : "scalar"; };
  std::string what;
  if (std::string_view(kind(a)) != kind(b)) {
    what = std::string(kind(a)) + " vs " + kind(b);
  } else if (a.IsPlain() != b.IsPlain() || a.Tag() != b.Tag()) {
    what = "style or tag";
  } else if (a.Scalar() != b.Scalar()) {
    what = "text \"" + std::string(a.Scalar()) + "\" vs \"" + std::string(b.Scalar()) + "\"";
  } else if (mark(a) != mark(b)) {
    what = "mark " + mark(a) + " vs " + mark(b);
  } else if (a.size() != b.size()) {
    what = "size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  }
  if (!what.empty()) {
    diff = path + ": " + what;
    return;
  }
  for (size_t i = 0; i < a.size(); i++) {
    if (a.IsMap()) {
      Compare(a.Key(i), b.Key(i), path + "/key" + std::to_string(i), diff);
      Compare(a.Value(i), b.Value(i), path + "/" + std::string(a.Key(i).Scalar()), diff);
    } else {
      Compare(a.Item(i), b.Item(i), path + "[" + std::to_string(i) + "]", diff);
    }
  }
}

}  // namespace

std::string TreeDifference(const Tree& a, const Tree& b) {
  if (a.documents() != b.documents())
    return "documents: " + std::to_string(a.documents()) + " vs " + std::to_string(b.documents());
  std::string diff;
  for (size_t i = 0; i < a.documents() && diff.empty(); i++)
    Compare(a.Document(i), b.Document(i), "doc" + std::to_string(i), diff);
  return diff;
}

bool FastParse(std::string_view text, Tree& out, int first_line) {
  try {
    Input input(text);
    Fast(input, out, first_line).Run();
    return true;
  } catch (const Decline&) {
    return false;
  }
}

}  // namespace hp::k8s::yaml::internal
