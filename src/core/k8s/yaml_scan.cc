// The fast reader's input and position (yaml_scan.h), as libyaml 0.2.5's reader and scanner
// (reader.c, scanner.c) read them.
#include "core/k8s/yaml_scan.h"

#include <algorithm>

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

}  // namespace

Input::Input(std::string_view text) {
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // the reader's encoding mark
  bool cr = false;
  for (size_t i = 0; i < text.size(); i++) {
    auto ch = static_cast<unsigned char>(text[i]);
    if ((ch >= 0x20 && ch < 0x7f) || ch == '\n') continue;
    if (ch == '\r') {
      cr = true;
    } else if (ch >= 0x80) {
      i += Utf8Tail(text, i);
      ascii_ = false;
    } else {
      throw Decline{};  // tabs, control characters
    }
  }
  text_ = text;
  if (!cr) return;
  copy_.reserve(text.size());
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '\r') {
      copy_ += text[i];
      continue;
    }
    copy_ += '\n';
    if (i + 1 < text.size() && text[i + 1] == '\n') i++;  // CRLF: one line break
  }
  text_ = copy_;
}

uint32_t Scanner::Column() const {
  size_t bytes = p_ - line_start_;
  if (ascii_) return static_cast<uint32_t>(bytes);
  size_t continuation = 0;  // libyaml counts characters
  for (size_t i = line_start_; i < p_; i++)
    continuation += (static_cast<unsigned char>(s_[i]) & 0xc0) == 0x80;
  return static_cast<uint32_t>(bytes - continuation);
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
