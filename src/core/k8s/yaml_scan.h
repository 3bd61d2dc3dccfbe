// hp/k8s (internal to yaml_fast.cc and yaml_scan.cc): the fast reader's input, position and
// scalars as libyaml's reader and scanner see them: the characters it accepts, its line breaks,
// its marks (lines, and columns in characters), and its plain, quoted and block scalars with
// their rules of indentation, folding, escapes and chomping. Whatever the fast reader does not
// reproduce exactly throws Decline, and libyaml reads the input instead (yaml_internal.h
// FastParse).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hp::k8s::yaml::internal {

// Thrown where the fast reader stops: FastParse then returns false.
struct Decline {};

// The text as libyaml's reader hands it to its scanner: a UTF-8 BOM at the start dropped (marks
// start after it), CRLF and CR as LF (libyaml reads all three as a line break: the same marks,
// and a scalar's line breaks as LF). Declines what the reader refuses (control characters,
// malformed or overlong UTF-8, surrogates, U+FFFE and U+FFFF) and what the scanner reads
// otherwise (NEL, LS and PS are line breaks; a BOM at a line's start is skipped).
class Input {
 public:
  explicit Input(std::string_view text);
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  std::string_view text() const { return text_; }
  bool ascii() const { return ascii_; }

 private:
  std::string copy_;  // the text with its line breaks as LF, when it has a CR
  std::string_view text_;
  bool ascii_ = true;
};

// A position in the input, and the scalars at it. Positions are byte offsets; marks are
// libyaml's: 0-based lines, columns in characters.
class Scanner {
 public:
  Scanner(std::string_view text, bool ascii) : s_(text), ascii_(ascii) {}

 protected:
  struct Token {
    uint32_t line = 0, column = 0;  // its mark: the quote, or its first character
    size_t start = 0;               // the offset of the same
    std::string_view text;          // in the input or in buf_
    bool plain = false;
    bool multiline = false;  // it spans lines, so it cannot be a simple key
  };

  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  static bool Blank(char ch) { return ch == ' ' || ch == '\t'; }
  // libyaml's IS_BLANKZ: a blank, a line break or the end.
  bool Blankz(size_t i) const {
    char ch = At(i);
    return Blank(ch) || ch == '\n' || ch == '\0';
  }
  // libyaml counts characters.
  uint32_t Column() const {
    return ascii_ ? static_cast<uint32_t>(p_ - line_start_) : Characters();
  }
  void NewLine() {  // at '\n'
    p_++;
    line_++;
    line_start_ = p_;
  }
  void SkipSpaces() {
    while (At(p_) == ' ') p_++;
  }
  void SkipBlanks() {
    while (Blank(At(p_))) p_++;
  }
  Token Here(bool plain) const { return {line_, Column(), p_, {}, plain, false}; }
  // `---` or `...` and a blank at the start of a line.
  bool AtDocumentMarker() const {
    if (p_ != line_start_ || !Blankz(p_ + 3)) return false;
    std::string_view three = s_.substr(p_, 3);
    return three == "---" || three == "...";
  }

  // A plain scalar at p_ (which can start one), over as many lines as libyaml takes: `indent` is
  // libyaml's indentation there (the innermost block collection's column, -1 at a document's
  // root, in flow context too); continuation lines must be deeper in block context, and in any
  // context a tab no deeper is libyaml's error. Leaves p_ just after its last character.
  Token Plain(int indent, bool flow);
  // A single- or double-quoted scalar at p_, over lines too; leaves p_ after the closing quote.
  Token Quoted();

  // A literal or folded block scalar at p_ (`|` or `>` with its indicators) under `indent` (as
  // for Plain). Consumes its lines; leaves p_ in the indentation of the next, less indented line,
  // or at the end.
  Token Block(int indent);

  std::string_view s_;
  size_t p_ = 0;
  uint32_t line_ = 0;
  size_t line_start_ = 0;
  bool ascii_;
  std::string buf_;  // a scalar's text where it is not a piece of the input

 private:
  uint32_t Characters() const;
  void Escape();
  size_t BlockBreaks(int& block, int indent);
};

}  // namespace hp::k8s::yaml::internal
