// The fast reader's input and position (yaml_scan.h), as libyaml 0.2.5's reader and scanner
// (reader.c, scanner.c) read them.
#include "core/k8s/yaml_scan.h"

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

}  // namespace hp::k8s::yaml::internal
