// The fast reader's input and position (yaml_scan.h), as libyaml 0.2.5's reader and scanner
// (reader.c, scanner.c) read them.
#include "core/k8s/yaml_scan.h"

#include <algorithm>
#include <cstring>

namespace hp::k8s::yaml::internal {
namespace {

// The bytes after the lead byte at `i` of a UTF-8 character that libyaml reads as text. Declines
// what its reader refuses (malformed, overlong, surrogates, above U+10FFFF, C1 controls,
// U+FFFE/U+FFFF) and what its scanner reads otherwise: NEL, LS and PS are line breaks, and a BOM
// at a line's start is skipped (counting a column).
size_t Utf8Tail(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned lead = byte(i);
  size_t n;
  uint32_t cp;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 1, cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 2, cp = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 3, cp = lead & 0x07;
  } else {
    throw Decline{};
  }
  for (size_t k = 1; k <= n; k++) {
    unsigned b = byte(i + k);
    if ((b & 0xc0) != 0x80) throw Decline{};
    cp = cp << 6 | (b & 0x3f);
  }
  constexpr uint32_t kShortest[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kShortest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f ||
      cp == 0x2028 || cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
    throw Decline{};
  return n;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The bytes of 8 that need a look (their high bit set): controls but LF, CR and tab, DEL, and
// everything outside ASCII. Each byte on its own (no carries between them), so that reading ASCII
// costs a few operations per 8 bytes.
uint64_t Unusual(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = kOnes * 0x80, kLow = ~kHigh;
  auto zero = [&](uint64_t v) { return ~(((v & kLow) + kLow) | v) & kHigh; };
  uint64_t control = ~((x & kLow) + kOnes * (0x80 - 0x20)) & ~x & kHigh;  // below 0x20
  control &= ~zero(x ^ kOnes * '\n') & ~zero(x ^ kOnes * '\r') & ~zero(x ^ kOnes * '\t');
  return (x & kHigh) | zero(x ^ kOnes * 0x7f) | control;
}

// What may end a run of a plain scalar's characters: blanks, line breaks and `:` everywhere,
// flow indicators in flow context.
constexpr uint8_t kBlockStop = 1, kFlowStop = 2;
struct StopTable {
  uint8_t stop[256] = {};
  constexpr StopTable() {
    for (unsigned char ch : {' ', '\t', '\n', ':'}) stop[ch] = kBlockStop | kFlowStop;
    for (unsigned char ch : {',', '[', ']', '{', '}'}) stop[ch] = kFlowStop;
  }
};
constexpr StopTable kStops;

}  // namespace

Input::Input(std::string_view text) {
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // the reader's encoding mark
  for (size_t i = 0, n = text.size(); i < n;) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!Unusual(word)) {
        i += 8;
        continue;
      }
    }
    for (size_t end = std::min(i + 8, n); i < end; i++) {
      auto ch = static_cast<unsigned char>(text[i]);
      if ((ch >= 0x20 && ch < 0x7f) || ch == '\n' || ch == '\r' || ch == '\t') continue;
      if (ch < 0x80) throw Decline{};  // control characters
      i += Utf8Tail(text, i);
      ascii_ = false;
    }
  }
  text_ = text;
  if (text.find('\r') == text.npos) return;
  copy_.reserve(text.size());
  size_t from = 0;
  for (size_t cr = text.find('\r'); cr != text.npos; cr = text.find('\r', from)) {
    copy_.append(text.substr(from, cr - from));
    copy_ += '\n';
    from = cr + 1;
    if (from < text.size() && text[from] == '\n') from++;  // CRLF: one line break
  }
  copy_.append(text.substr(from));
  text_ = copy_;
}

uint32_t Scanner::Characters() const {
  size_t continuation = 0;
  for (size_t i = line_start_; i < p_; i++)
    continuation += (static_cast<unsigned char>(s_[i]) & 0xc0) == 0x80;
  return static_cast<uint32_t>(p_ - line_start_ - continuation);
}

// libyaml's yaml_parser_scan_plain_scalar: runs of non-blank characters; blanks inside a line are
// kept; a line break with the blanks around it folds to a space, or to the breaks after the first
// when there are several. It ends at `: `, ` #`, a flow indicator in flow context, a document
// marker, or (in block context) a line less indented than `indent` + 1. The text is a piece of
// the input until the first fold.
Scanner::Token Scanner::Plain(int indent, bool flow) {
  Token t = Here(true);
  size_t start = p_, end = p_;  // end: just after the last character taken
  uint32_t end_line = line_;
  size_t end_line_start = line_start_;
  bool copied = false;
  bool leading = false;  // a line break since the last character
  size_t breaks = 0;     // line breaks after the first since the last character
  for (;;) {
    if (AtDocumentMarker() || At(p_) == '#') break;
    size_t run = p_;
    for (uint8_t stops = flow ? kFlowStop : kBlockStop; p_ < s_.size(); p_++) {
      auto ch = static_cast<unsigned char>(s_[p_]);
      if (!(kStops.stop[ch] & stops)) continue;
      if (ch != ':' || Blankz(p_ + 1)) break;
      if (flow) throw Decline{};  // `a:b`: libyaml's rules there changed between versions
    }
    if (p_ > run) {
      if (leading) {
        if (!copied) buf_.assign(s_.substr(start, end - start));
        copied = true;
        if (breaks == 0) {
          buf_ += ' ';
        } else {
          buf_.append(breaks, '\n');
        }
        leading = false;
        breaks = 0;
      } else if (copied) {
        buf_.append(s_.substr(end, run - end));  // the blanks inside the line
      }
      if (copied) buf_.append(s_.substr(run, p_ - run));
      end = p_;
      end_line = line_;
      end_line_start = line_start_;
    }
    if (!Blank(At(p_)) && At(p_) != '\n') break;
    if (!flow && !leading && At(p_) == '\n') {
      // The common end, a next line no deeper than `indent` (as the loop below would find it).
      size_t q = p_ + 1;
      while (At(q) == ' ') q++;
      if (!Blank(At(q)) && At(q) != '\n' && static_cast<int>(q - p_ - 1) <= indent) break;
    }
    while (Blank(At(p_)) || At(p_) == '\n') {
      if (At(p_) == '\n') {
        breaks += leading;
        leading = true;
        NewLine();
        continue;
      }
      // A tab in the indentation of a continuation line: libyaml's error.
      if (leading && At(p_) == '\t' && static_cast<int>(p_ - line_start_) <= indent)
        throw Decline{};
      p_++;
    }
    // Within a line the column is past the scalar's start, never less indented.
    if (!flow && leading && static_cast<int>(p_ - line_start_) <= indent) break;
  }
  p_ = end;
  line_ = end_line;
  line_start_ = end_line_start;
  t.text = copied ? std::string_view(buf_) : s_.substr(start, end - start);
  t.multiline = copied;
  return t;
}

// libyaml's yaml_parser_scan_flow_scalar: as a plain scalar's folding, but every blank around a
// line break goes, and in double quotes `\` escapes a character or a line break (which then
// folds to nothing). A document marker inside, or the end, is libyaml's error.
Scanner::Token Scanner::Quoted() {
  Token t = Here(false);
  char quote = At(p_++);
  size_t start = p_;  // of the text not in buf_ yet
  bool copied = false;
  auto flush = [&](size_t to) {
    if (!copied) buf_.clear();
    copied = true;
    buf_.append(s_.substr(start, to - start));
  };
  for (;;) {
    if (AtDocumentMarker() || At(p_) == '\0') throw Decline{};
    bool leading = false, escaped_break = false;
    while (!Blankz(p_)) {
      char ch = At(p_);
      if (ch == quote) {
        if (quote == '"' || At(p_ + 1) != '\'') break;
        flush(p_ + 1);  // '' is '
        p_ += 2;
        start = p_;
      } else if (ch == '\\' && quote == '"') {
        flush(p_);
        if (At(p_ + 1) == '\n') {
          p_++;
          NewLine();
          leading = escaped_break = true;
          start = p_;
          break;
        }
        Escape();
        start = p_;
      } else {
        p_++;
      }
    }
    if (At(p_) == quote) break;
    size_t blanks = p_, breaks = 0;
    while (Blank(At(p_)) || At(p_) == '\n') {
      if (At(p_) == '\n') {
        breaks += leading;
        leading = true;
        NewLine();
      } else {
        p_++;
      }
    }
    if (leading) {
      if (!escaped_break) {
        flush(blanks);  // the blanks before the break go
        if (breaks == 0) buf_ += ' ';
      }
      buf_.append(breaks, '\n');
      start = p_;
    }
  }
  if (copied) flush(p_);
  t.text = copied ? std::string_view(buf_) : s_.substr(start, p_ - start);
  t.multiline = line_ != t.line;  // an escaped line break just before the quote too
  p_++;                           // the closing quote
  return t;
}

// One escape at p_ (a `\` in double quotes, not before a line break), appended to buf_.
void Scanner::Escape() {
  char ch = At(p_ + 1);
  int digits = 0;
  switch (ch) {
    case '0':
      buf_ += '\0';
      break;
    case 'a':
      buf_ += '\a';
      break;
    case 'b':
      buf_ += '\b';
      break;
    case 't':
    case '\t':
      buf_ += '\t';
      break;
    case 'n':
      buf_ += '\n';
      break;
    case 'v':
      buf_ += '\v';
      break;
    case 'f':
      buf_ += '\f';
      break;
    case 'r':
      buf_ += '\r';
      break;
    case 'e':
      buf_ += '\x1b';
      break;
    case ' ':
    case '"':
    case '/':
    case '\\':
      buf_ += ch;
      break;
    case 'N':
      buf_ += "\xc2\x85";
      break;
    case '_':
      buf_ += "\xc2\xa0";
      break;
    case 'L':
      buf_ += "\xe2\x80\xa8";
      break;
    case 'P':
      buf_ += "\xe2\x80\xa9";
      break;
    case 'x':
      digits = 2;
      break;
    case 'u':
      digits = 4;
      break;
    case 'U':
      digits = 8;
      break;
    default:
      throw Decline{};  // libyaml's "found unknown escape character"
  }
  p_ += 2;
  if (digits == 0) return;
  uint32_t cp = 0;
  for (int k = 0; k < digits; k++, p_++) {
    char h = At(p_);
    int d = h >= '0' && h <= '9'   ? h - '0'
            : h >= 'a' && h <= 'f' ? h - 'a' + 10
            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                   : -1;
    if (d < 0) throw Decline{};
    cp = cp << 4 | static_cast<uint32_t>(d);
  }
  // Surrogates (JSON's pairs too) and beyond U+10FFFF are libyaml's errors.
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) throw Decline{};
  AppendUtf8(buf_, cp);
}

// libyaml's yaml_parser_scan_block_scalar: the header (chomping and indentation indicators in
// either order, a comment), then the lines at the block's indentation, given or set by the first
// non-empty line (at least `indent` + 1). A literal block keeps its line breaks; a folded one
// joins lines with a space where neither starts with a blank. Chomping: strip (`-`) drops the
// final line break, clip keeps one, keep (`+`) keeps the trailing empty lines too.
Scanner::Token Scanner::Block(int indent) {
  Token t = Here(false);
  bool literal = At(p_++) == '|';
  int chomp = 0, increment = 0;
  auto chomping = [&] {
    if (At(p_) != '+' && At(p_) != '-') return false;
    chomp = At(p_++) == '+' ? 1 : -1;
    return true;
  };
  auto indentation = [&] {
    char ch = At(p_);
    if (ch < '0' || ch > '9') return false;
    if (ch == '0') throw Decline{};  // libyaml's error
    increment = ch - '0';
    p_++;
    return true;
  };
  if (chomping()) {
    indentation();
  } else if (indentation()) {
    chomping();
  }
  SkipBlanks();
  if (At(p_) == '#') {
    while (At(p_) != '\n' && At(p_) != '\0') p_++;
  }
  if (At(p_) == '\n') {
    NewLine();
  } else if (At(p_) != '\0') {
    throw Decline{};
  }
  int block = increment == 0 ? 0 : indent >= 0 ? indent + increment : increment;
  buf_.clear();
  size_t breaks = BlockBreaks(block, indent);
  bool leading_break = false, leading_blank = false;
  while (static_cast<int>(p_ - line_start_) == block && At(p_) != '\0') {
    bool trailing_blank = Blank(At(p_));
    if (!literal && leading_break && !leading_blank && !trailing_blank) {
      if (breaks == 0) buf_ += ' ';
    } else if (leading_break) {
      buf_ += '\n';
    }
    buf_.append(breaks, '\n');
    leading_blank = trailing_blank;
    size_t end = s_.find('\n', p_);
    if (end == s_.npos) end = s_.size();
    buf_.append(s_.substr(p_, end - p_));
    p_ = end;
    leading_break = At(p_) == '\n';
    if (leading_break) NewLine();
    breaks = BlockBreaks(block, indent);
  }
  if (chomp != -1 && leading_break) buf_ += '\n';
  if (chomp == 1) buf_.append(breaks, '\n');
  t.text = buf_;
  return t;
}

// The indentation and empty lines before a block scalar's next line (libyaml's
// yaml_parser_scan_block_scalar_breaks): how many line breaks; sets `block` from the most
// indented of them and the line where it is still 0.
size_t Scanner::BlockBreaks(int& block, int indent) {
  size_t breaks = 0;
  int most = 0;
  for (;;) {
    while ((block == 0 || static_cast<int>(p_ - line_start_) < block) && At(p_) == ' ') p_++;
    int column = static_cast<int>(p_ - line_start_);  // only spaces before it
    most = std::max(most, column);
    if ((block == 0 || column < block) && At(p_) == '\t') throw Decline{};  // libyaml's error
    if (At(p_) != '\n') break;
    breaks++;
    NewLine();
  }
  if (block == 0) block = std::max({most, indent + 1, 1});
  return breaks;
}

}  // namespace hp::k8s::yaml::internal
