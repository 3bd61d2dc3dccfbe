// The fast path of yaml::Parse (yaml_internal.h), and the Windows build's YAML reader: the
// structure of YAML as manifests are written (documents, block and flow collections, properties
// and aliases), read straight into the Tree with the marks libyaml gives; the input and the
// scalars are yaml_scan.cc's. Anything it does not know throws Decline (yaml_scan.h) and libyaml
// reads the input instead, so the fast path only has to be right about what it accepts;
// tests/unit/k8s/yaml_test.cc and tests/fuzz/yaml compare the two trees.
#include <algorithm>
#include <string>

#include "core/k8s/yaml_internal.h"
#include "core/k8s/yaml_scan.h"

namespace hp::k8s::yaml::internal {
namespace {

constexpr size_t kMaxDepth = 1000;  // deeper input goes to libyaml (and its 10000 limit)
constexpr size_t kMaxKey = 1000;    // libyaml's simple keys end at 1024 characters

// A node's properties: an anchor, a tag, where the first starts.
struct Props {
  uint32_t line, column;
  size_t start;
  std::string_view anchor;
  size_t tag, tag_end;  // the tag's offsets, after its `!`; 0 for none
};

class Fast : Scanner {
 public:
  Fast(const Input& input, Tree& tree, int first_line)
      : Scanner(input.text(), input.ascii()),
        w_(tree, first_line, input.text().size()),
        rules_(w_) {}

  void Run() {
    bool first = true;
    for (;;) {
      int indent = SkipToContent();
      if (!rules_.CatchUp()) throw Decline{};        // the document before was aliased excessively
      if (indent < 0 && !at_document_start_) break;  // the end
      rules_.StartDocument();
      if (at_document_start_) {
        p_ += 3;
        SkipBlanks();
        if (!AtLineEnd()) {
          first = false;
          SameLineNode(-1, false);  // libyaml allows no simple key on a `---` line
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
        AddEmpty(at_document_start_ || p_ == line_start_ ? line_ : line_ + 1, 0);
        continue;
      }
      Node(-1, false);
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
  // flow mapping, an error then). p_ is at the `:` of `key`; `props` are the key's, if any.
  void KeyFits(const Token& key, const Props* props) const {
    size_t start = props ? props->start : key.start;
    if (key.multiline || (props && props->line != key.line) || p_ - start > kMaxKey)
      throw Decline{};
  }

  // An anchor's or alias's name at p_ (at its `&` or `*`): libyaml's alphanumerics, `-` and `_`.
  std::string_view Name() {
    size_t start = ++p_;
    for (char ch = At(p_); (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                           (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_';
         ch = At(++p_)) {
    }
    if (p_ == start) throw Decline{};  // libyaml's error
    return s_.substr(start, p_ - start);
  }

  // A tag at p_ (at its `!`): `!!x`, `!x` or `!`. Verbatim tags (`!<...>`), other handles (`!h!x`,
  // libyaml's error), URI escapes and the characters libyaml's versions disagree on are declined.
  void Tag(Props& props) {
    props.tag = ++p_;
    if (At(p_) == '!') p_++;
    size_t suffix = p_;
    for (char ch = At(p_);
         (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         ch == '-' || ch == '_' || ch == '.' || ch == '/' || ch == ':' || ch == '~';
         ch = At(++p_)) {
    }
    if (p_ == suffix && suffix > props.tag) throw Decline{};  // `!!` alone
    props.tag_end = p_;
  }
  // The tag of `props` as libyaml expands it with no %TAG directive: `!!x` is
  // "tag:yaml.org,2002:x", `!x` and `!` are themselves; "" for none.
  std::string_view ExpandedTag(const Props& props) {
    if (props.tag == 0) return {};
    std::string_view tag = s_.substr(props.tag, props.tag_end - props.tag);  // after the `!`
    if (!tag.starts_with('!')) return s_.substr(props.tag - 1, props.tag_end - props.tag + 1);
    tag_ = "tag:yaml.org,2002:";
    return tag_.append(tag.substr(1));
  }

  // A node's properties at p_, if any (else nullptr), read into `storage`: an anchor and a tag,
  // in either order, each followed by a blank or a line break; the blanks after them are
  // skipped (in a flow collection, line breaks and comments too).
  const Props* Properties(bool flow, Props& storage) {
    if (At(p_) != '&' && At(p_) != '!') return nullptr;  // nearly always
    Props& props = storage;
    props = {line_, Column(), p_, {}, 0, 0};
    while (At(p_) == '&' || At(p_) == '!') {
      if (At(p_) == '&') {
        if (!props.anchor.empty()) throw Decline{};  // two anchors: libyaml's error
        props.anchor = Name();
      } else {
        if (props.tag != 0) throw Decline{};
        Tag(props);
      }
      if (!Blankz(p_)) throw Decline{};
      if (flow) {
        FlowSpace();
      } else {
        SkipBlanks();
      }
    }
    return &props;
  }

  // The nodes, as the tree and go-yaml's alias rules see them: a node with properties has their
  // mark, an anchored one is defined; the rules count the others from the tree
  // (AliasRules::CatchUp), so that the common node costs nothing more.
  void Add(const Token& t) { w_.Scalar(t.line, t.column, t.text, t.plain); }
  void AddScalar(const Token& t, const Props* props) {
    if (props) return AddScalar(t.text, t.plain && props->tag == 0, *props);
    Add(t);
  }
  void AddScalar(std::string_view text, bool plain, const Props& props) {
    uint32_t i = w_.Scalar(props.line, props.column, text, plain, ExpandedTag(props));
    if (!rules_.Node(i, props.anchor, false)) throw Decline{};  // excessive aliasing
  }
  void AddEmpty(uint32_t line, uint32_t column) { w_.Scalar(line, column, "", true); }
  void Open(bool map, uint32_t line, uint32_t column, const Props* props) {
    if (w_.depth() >= kMaxDepth) throw Decline{};
    if (!props) {
      w_.Open(map, line, column);
      return;
    }
    uint32_t i = w_.Open(map, props->line, props->column, ExpandedTag(*props));
    if (!rules_.Node(i, props->anchor, true)) throw Decline{};
  }
  void Close() {
    w_.Close();
    rules_.Close();
  }
  // An alias at p_: its anchored node again. Unknown names, an alias inside its own anchored
  // collection and excessive aliasing are go-yaml's errors.
  void Alias(bool flow) {
    std::string_view name = Name();
    char ch = At(p_);
    if (!Blankz(p_) && !(flow && (ch == ',' || ch == ']' || ch == '}'))) throw Decline{};
    uint32_t node = 0;
    if (rules_.Resolve(name, &node) != AliasRules::Alias::kFound) throw Decline{};
    w_.Attach(node);
  }

  // A block node at p_, content deeper than its parent's (at `indent`, -1 for a document's
  // root; `map_value` when the parent is a mapping); returns at the start of the line after it
  // (after a block scalar: in its indentation). `outer`: properties on a line before it, which
  // are the node's own.
  void Node(int indent, bool map_value, const Props* outer = nullptr) {
    uint32_t column = Column();
    if (AtEntry()) return Sequence(static_cast<int>(column), false, outer);
    Props storage;
    const Props* props = Properties(false, storage);
    if (props && outer) throw Decline{};
    if (props && AtLineEnd()) {
      EndLine();
      return Below(indent, *props, map_value);
    }
    const Props* own = outer ? outer : props;  // unless a mapping's first key takes them
    char ch = At(p_);
    if (ch == '*') {
      if (own) throw Decline{};
      Alias(false);
    } else if (ch == '[' || ch == '{') {
      Flow(indent, own);
    } else if (ch == '|' || ch == '>') {
      return AddScalar(Block(indent), own);
    } else {
      Token t = Scalar(indent, false);
      SkipBlanks();
      if (AtValueIndicator()) return Mapping(t, props, outer);
      AddScalar(t, own);
    }
    SkipBlanks();
    if (At(p_) == ':') throw Decline{};  // a flow collection or an alias as a key
    EndLine();
  }

  // The node under properties that ended their line: on the lines below, deeper than
  // `indent`, or (`indentless`, for a mapping's value) a sequence at it; else an empty scalar.
  // (libyaml also takes a block scalar at `indent`: declined.)
  void Below(int indent, const Props& props, bool indentless) {
    int next = SkipToContent();
    if (next > indent) return Node(indent, indentless, &props);
    if (indentless && next == indent && AtEntry()) return Sequence(indent, true, &props);
    Token empty;
    empty.plain = true;
    AddScalar(empty, &props);
  }

  // A node on the line of its key's `:` (or of `---`), or of its `-` (`compact`: `- key: value`
  // may start a mapping), properties first, then the line's end. `indent`: the parent's.
  void SameLineNode(int indent, bool compact) {
    if (AtScalar()) return LineScalar(ScalarHere(indent), compact, nullptr);
    Props storage;
    const Props* props = Properties(false, storage);
    if (props && AtLineEnd()) {
      EndLine();
      return Below(indent, *props, !compact);
    }
    char ch = At(p_);
    if (ch == '|' || ch == '>') return AddScalar(Block(indent), props);  // it ends its own lines
    if (ch == '*') {
      if (props) throw Decline{};
      Alias(false);
    } else if (ch == '[' || ch == '{') {
      Flow(indent, props);
    } else {
      return LineScalar(Scalar(indent, false), compact, props);
    }
    SkipBlanks();
    if (At(p_) == ':') throw Decline{};  // a flow collection or an alias as a key
    EndLine();
  }

  // A scalar `t` (with `props`) on the line of its key's `:` or of its `-`, as for SameLineNode:
  // the common case, which Mapping and Sequence read without SameLineNode.
  bool AtScalar() const { return PlainStart(false) || At(p_) == '"' || At(p_) == '\''; }
  Token ScalarHere(int indent) {  // AtScalar()
    return At(p_) == '"' || At(p_) == '\'' ? Quoted() : Plain(indent, false);
  }
  void LineScalar(Token t, bool compact, const Props* props) {
    SkipBlanks();
    if (compact && AtValueIndicator()) return Mapping(t, props, nullptr);  // and its keys
    AddScalar(t, props);
    SkipBlanks();
    if (At(p_) == ':') throw Decline{};  // `a: b: c`, `--- a: b`
    EndLine();
  }

  // A block mapping whose first key `key` (with `key_props`) has been read; p_ is at its `:`.
  // `props`: the mapping's own.
  void Mapping(Token key, const Props* key_props, const Props* props) {
    uint32_t line = key_props ? key_props->line : key.line;
    uint32_t column = key_props ? key_props->column : key.column;
    auto indent = static_cast<int>(column);
    KeyFits(key, key_props);
    Open(true, line, column, props);
    Props storage;
    for (;;) {
      AddScalar(key, key_props);
      p_++;  // ':'
      uint32_t value_line = line_, value_column = Column();
      SkipBlanks();  // no simple key after a simple key's `:`: tabs are blanks
      if (AtLineEnd()) {
        EndLine();
        int next = SkipToContent();
        if (next > indent) {
          Node(indent, true);
        } else if (next == indent && AtEntry()) {
          Sequence(indent, true, nullptr);
        } else {
          AddEmpty(value_line, value_column);  // no value: null
        }
      } else if (AtScalar()) {
        LineScalar(ScalarHere(indent), false, nullptr);
      } else {
        SameLineNode(indent, false);
      }
      int next = SkipToContent();
      if (next < indent) break;
      if (next > indent) throw Decline{};  // a continuation, or an error
      if (AtEntry()) throw Decline{};
      key_props = Properties(false, storage);
      if (key_props && (At(p_) == '*' || AtLineEnd())) throw Decline{};  // `&x` alone
      if (At(p_) == '*') throw Decline{};                                // an alias as a key
      key = Scalar(indent, false);
      SkipBlanks();
      if (!AtValueIndicator()) throw Decline{};
      KeyFits(key, key_props);
    }
    Close();
  }

  // A block sequence at `indent` (p_ at its first `-`); `indentless` when it is a mapping's
  // value at the mapping's own indentation. `props`: its own.
  void Sequence(int indent, bool indentless, const Props* props) {
    Open(false, line_, Column(), props);
    for (;;) {
      uint32_t dash_line = line_, dash_end = Column() + 1;
      p_++;  // '-'
      SkipSpaces();
      if (At(p_) == '\t') throw Decline{};  // a simple key may start after `-`: libyaml's error
      if (AtLineEnd()) {
        EndLine();
        if (SkipToContent() > indent) {
          Node(indent, false);
        } else {
          AddEmpty(dash_line, dash_end);  // an empty entry: null
        }
      } else if (AtEntry()) {
        throw Decline{};  // `- - a`
      } else if (AtScalar()) {
        LineScalar(ScalarHere(indent), true, nullptr);
      } else {
        SameLineNode(indent, true);
      }
      int next = SkipToContent();
      if (next < indent) break;
      if (next > indent) throw Decline{};
      if (!AtEntry()) {
        if (indentless) break;  // the mapping's next key
        throw Decline{};
      }
    }
    Close();
  }

  // A flow collection at p_ (with `props`), over as many lines as it takes (libyaml does not
  // look at their indentation, but for tabs in a plain scalar's: `indent` is the block
  // collection's, as for Scanner::Plain). Keys are scalars that end on their line at their `:`;
  // a double-quoted key may be followed by its `:` at once (JSON's `"key":value`, a value
  // indicator in libyaml's flow context).
  void Flow(int indent, const Props* props) {
    bool map = At(p_) == '{';
    char close = map ? '}' : ']';
    Open(map, line_, Column(), props);
    p_++;
    FlowSpace();
    if (At(p_) == close) {
      p_++;
      return Close();
    }
    Props storage;
    for (;;) {
      if (map) {
        const Props* key_props = Properties(true, storage);
        char ch = At(p_);
        if (ch == '[' || ch == '{' || ch == '*') throw Decline{};  // a collection or alias as a key
        bool json_key = ch == '"';
        Token key = Scalar(indent, true);
        SkipBlanks();
        KeyFits(key, key_props);
        if (At(p_) != ':' || !(Blankz(p_ + 1) || (json_key && At(p_ - 1) == '"'))) throw Decline{};
        AddScalar(key, key_props);
        p_++;
        FlowSpace();
        if (At(p_) == ',' || At(p_) == '}') throw Decline{};  // no value
      }
      FlowNode(indent);
      FlowSpace();
      if (At(p_) == close) {
        p_++;
        break;
      }
      if (At(p_) != ',') throw Decline{};  // `a: b` in a sequence, ...
      p_++;
      FlowSpace();
      if (At(p_) == close) throw Decline{};  // a trailing comma
    }
    Close();
  }

  // An item or a value in a flow collection.
  void FlowNode(int indent) {
    Props storage;
    const Props* props = Properties(true, storage);
    char ch = At(p_);
    if (ch == '*') {
      if (props) throw Decline{};
      return Alias(true);
    }
    if (ch == '[' || ch == '{') return Flow(indent, props);
    if (props && (ch == ',' || ch == ']' || ch == '}')) {
      Token empty;  // `[&a, *a]`
      empty.plain = true;
      return AddScalar(empty, props);
    }
    AddScalar(Scalar(indent, true), props);
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
  AliasRules rules_;
  std::string tag_;  // an expanded tag
};

}  // namespace

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
