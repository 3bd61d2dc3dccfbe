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
      if (at_document_start_) {
        p_ += 3;
        SkipBlanks();
        if (!AtLineEnd()) {
          first = false;
          MarkerLineNode();
          if (SkipToContent() >= 0) throw Decline{};  // more after the root node
          continue;
        }
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
  bool AtLineEnd() const { return At(p_) == '#' || At(p_) == '\n' || At(p_) == '\0'; }

  // Blanks, then an optional comment, then the end of the line, which is consumed. For where
  // libyaml allows no simple key (after a scalar, a flow collection, a key's `:`, `---`), so
  // that it skips tabs as blanks.
  void EndLine() {
    SkipBlanks();
    if (At(p_) == '#') {
      if (p_ != line_start_ && !Blank(At(p_ - 1))) throw Decline{};  // `"a"#b`
      while (At(p_) != '\n' && At(p_) != '\0') p_++;
    }
    if (At(p_) == '\n') {
      NewLine();
    } else if (At(p_) != '\0') {
      throw Decline{};
    }
  }

  // Skips blank and comment lines from the start of a line (or stays on the content it is at,
  // or goes on from the indentation it is in). The column of the next content, or -1 at the
  // end or at a `---` line. A tab in the indentation is libyaml's error (a simple key may start
  // there, so a tab is no blank), bar some lines after a plain scalar: declined.
  int SkipToContent() {
    at_document_start_ = false;
    for (;;) {
      if (p_ >= s_.size()) return -1;
      size_t q = p_;
      while (At(q) == ' ') q++;
      if (At(q) == '\t') throw Decline{};
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
      if (AtDocumentMarker()) {
        if (At(p_) == '.') throw Decline{};  // `...`
        at_document_start_ = true;
        return -1;
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
      case ' ':
      case '\t':
      case '\n':
      case '\0':
        return false;
      case '-':
        return !Blankz(p_ + 1) && !(flow && FlowIndicator(At(p_ + 1)));
      default:
        return true;
    }
  }

  // A quoted or plain scalar at p_; `indent` as for Scanner::Plain.
  Token Scalar(int indent, bool flow) {
    char ch = At(p_);
    if (ch == '\'' || ch == '"') return Quoted();
    if (!PlainStart(flow)) throw Decline{};
    return Plain(indent, flow);
  }

  // A simple key ends on its line, and libyaml forgets it 1024 characters before its `:` (in a
  // flow mapping, an error then). p_ is at the `:` of `key`.
  void KeyFits(const Token& key) const {
    if (key.multiline || p_ - key.start > kMaxKey) throw Decline{};
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
      Flow(indent);
      SkipBlanks();
      if (At(p_) == ':') throw Decline{};  // a flow collection as a key
      return EndLine();
    }
    if (ch == '|' || ch == '>') return Add(Block(indent));
    Token t = Scalar(indent, false);
    SkipBlanks();
    if (AtValueIndicator()) return Mapping(t);
    Add(t);
    EndLine();
  }

  // A document's root node on its `---` line: libyaml allows no simple key there, so neither a
  // block mapping nor (it says) a block sequence.
  void MarkerLineNode() {
    char ch = At(p_);
    if (ch == '|' || ch == '>') return Add(Block(-1));
    if (ch == '[' || ch == '{') {
      Flow(-1);
    } else {
      Add(Scalar(-1, false));
    }
    EndLine();  // and nothing else: `--- a: b` is libyaml's error
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
      SkipBlanks();  // no simple key after a simple key's `:`: tabs are blanks
      if (AtLineEnd()) {
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
      key = Scalar(indent, false);
      SkipBlanks();
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
      Flow(indent);
    } else {
      Add(Scalar(indent, false));
    }
    SkipBlanks();
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
      if (At(p_) == '\t') throw Decline{};  // a simple key may start after `-`: libyaml's error
      if (AtLineEnd()) {
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
        Token t = Scalar(indent, false);
        SkipBlanks();
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

  // A flow collection at p_, over as many lines as it takes (libyaml does not look at their
  // indentation, but for tabs in a plain scalar's: `indent` is the block collection's, as for
  // Scanner::Plain). Keys are scalars that end on their line at their `:`; a double-quoted key
  // may be followed by its `:` at once (JSON's `"key":value`, a value indicator in libyaml's flow
  // context).
  void Flow(int indent) {
    Deeper();
    bool map = At(p_) == '{';
    char close = map ? '}' : ']';
    w_.Open(map, line_, Column());
    p_++;
    FlowSpace();
    if (At(p_) == close) {
      p_++;
      return w_.Close();
    }
    for (;;) {
      if (map) {
        if (At(p_) == '[' || At(p_) == '{') throw Decline{};  // a collection as a key
        bool json_key = At(p_) == '"';
        Token key = Scalar(indent, true);
        SkipBlanks();
        KeyFits(key);
        if (At(p_) != ':' || !(Blankz(p_ + 1) || (json_key && At(p_ - 1) == '"'))) throw Decline{};
        Add(key);
        p_++;
        FlowSpace();
        if (At(p_) == ',' || At(p_) == '}') throw Decline{};  // no value
      }
      if (At(p_) == '[' || At(p_) == '{') {
        Flow(indent);
      } else {
        Add(Scalar(indent, true));
      }
      FlowSpace();
      if (At(p_) == close) {
        p_++;
        break;
      }
      if (At(p_) != ',') throw Decline{};  // `a: b` in a sequence, a folded plain scalar, ...
      p_++;
      FlowSpace();
      if (At(p_) == close) throw Decline{};  // a trailing comma
    }
    w_.Close();
  }

  // Blanks, line breaks and comments in a flow collection; no line that could be a document
  // marker.
  void FlowSpace() {
    for (;;) {
      SkipBlanks();
      if (At(p_) == '#') {
        if (p_ != line_start_ && !Blank(At(p_ - 1))) throw Decline{};  // `"a"#b`
        while (At(p_) != '\n' && At(p_) != '\0') p_++;
      }
      if (At(p_) != '\n') return;
      NewLine();
      std::string_view three = s_.substr(p_, 3);
      if (three == "---" || three == "...") throw Decline{};
    }
  }

  bool at_document_start_ = false;  // SkipToContent stopped at a `---` line
  TreeWriter w_;
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
