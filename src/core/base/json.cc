#include "core/base/json.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hp {

using nlohmann::json;

namespace {
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A JSON number's text (already scanned) as a double, correctly rounded: false when it is out
// of a double's range, as std::from_chars refused it (too large, or a non-zero number that
// rounds to 0; a subnormal result is taken, though strtod flags it ERANGE). strtod, as
// nlohmann's own lexer converts: the C locale is never changed here, so `.` is the point.
// (std::from_chars of a double links libstdc++'s floating_from_chars and with it libm, whose
// loading costs every process start: issue 16.)
bool ParseDouble(std::string_view text, double& out) {
  char small[64];
  std::string large;
  const char* z = small;
  if (text.size() < sizeof small) {
    std::memcpy(small, text.data(), text.size());
    small[text.size()] = '\0';
  } else {
    large.assign(text);
    z = large.c_str();
  }
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(z, &end);
  if (end != z + text.size() || !std::isfinite(d) || (errno == ERANGE && d == 0)) return false;
  out = d;
  return true;
}
}  // namespace

// Every method returns false on anything it does not take, and never reads past the end.

void JsonPull::SkipSpace() {
  while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
}

bool JsonPull::AtEnd() {
  SkipSpace();
  return p_ == end_;
}

bool JsonPull::Word(std::string_view word) {
  if (static_cast<size_t>(end_ - p_) < word.size() ||
      std::memcmp(p_, word.data(), word.size()) != 0) {
    return false;
  }
  p_ += word.size();
  return true;
}

bool JsonPull::Open(char c) {
  SkipSpace();
  if (p_ == end_ || *p_ != c) return false;
  ++p_;
  return true;
}

// After '{': the first key and its ':' (more), or the closing '}' (no more).
bool JsonPull::FirstMember(std::string& key, bool& more) {
  SkipSpace();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    more = false;
    return true;
  }
  return Key(key, more);
}

// After a member's value: ',' and the next key (more), or '}' (no more).
bool JsonPull::NextMember(std::string& key, bool& more) {
  SkipSpace();
  if (p_ == end_) return false;
  if (*p_ == '}') {
    ++p_;
    more = false;
    return true;
  }
  if (*p_ != ',') return false;
  ++p_;
  SkipSpace();
  return Key(key, more);
}

bool JsonPull::Key(std::string& key, bool& more) {
  if (p_ == end_ || *p_ != '"') return false;
  key.clear();
  if (!StringBody(key)) return false;
  SkipSpace();
  if (p_ == end_ || *p_ != ':') return false;
  ++p_;
  SkipSpace();
  more = true;
  return true;
}

bool JsonPull::FirstItem(bool& more) {
  SkipSpace();
  if (p_ < end_ && *p_ == ']') {
    ++p_;
    more = false;
    return true;
  }
  more = p_ < end_;
  return more;
}

bool JsonPull::NextItem(bool& more) {
  SkipSpace();
  if (p_ == end_) return false;
  if (*p_ == ']') {
    ++p_;
    more = false;
    return true;
  }
  if (*p_ != ',') return false;
  ++p_;
  SkipSpace();
  more = true;
  return true;
}

bool JsonPull::String(std::string& out) {
  SkipSpace();
  if (p_ == end_ || *p_ != '"') return false;
  out.clear();
  return StringBody(out);
}

bool JsonPull::Bool(bool& out) {
  SkipSpace();
  if (Word("true")) {
    out = true;
    return true;
  }
  if (Word("false")) {
    out = false;
    return true;
  }
  return false;
}

bool JsonPull::Int(int64_t& out) {
  SkipSpace();
  const char* start = nullptr;
  bool negative = false, is_float = false;
  if (!ScanNumber(start, negative, is_float) || is_float) return false;
  auto [ptr, ec] = std::from_chars(start, p_, out);
  return ec == std::errc() && ptr == p_;
}

bool JsonPull::Uint(uint64_t& out) {
  SkipSpace();
  const char* start = nullptr;
  bool negative = false, is_float = false;
  if (!ScanNumber(start, negative, is_float) || is_float || negative) return false;
  auto [ptr, ec] = std::from_chars(start, p_, out);
  return ec == std::errc() && ptr == p_;
}

bool JsonPull::Skip() {
  SkipSpace();
  return Value(nullptr, 0);
}

bool JsonPull::Json(json& out) {
  SkipSpace();
  return Value(&out, 0);
}

namespace {

// The first byte at or after `p` (before `end`) that ends a string's plain run: a quote, a
// backslash, a control character or a byte of a multi-byte UTF-8 sequence. Sixteen bytes at a
// time where SSE2 is there (every x86-64): the state files' strings are ~2/3 of their bytes, and
// this loop was the reader's largest item (`get pods`, issue 16).
const char* PlainRunEnd(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed: below 0x20 is a control character or a byte of 0x80 and above.
    __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    if (int mask = _mm_movemask_epi8(stop); mask != 0)
      return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end) {
    auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
    ++p;
  }
  return p;
}

}  // namespace

// A string at p_ (its opening quote), appended to `s` decoded.
bool JsonPull::StringBody(std::string& s) {
  ++p_;  // "
  for (;;) {
    const char* run = p_;
    p_ = PlainRunEnd(p_, end_);
    s.append(run, p_);
    if (p_ == end_) return false;
    auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c < 0x20) return false;  // a control character must be escaped
    if (c == '\\') {
      if (!Escape(s)) return false;
      continue;
    }
    size_t n = Utf8Sequence();
    if (n == 0) return false;
    s.append(p_, n);
    p_ += n;
  }
}

// The length of the well-formed UTF-8 sequence at p_ (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), 0 when it is not one.
size_t JsonPull::Utf8Sequence() const {
  auto at = [&](size_t i) -> int { return p_ + i < end_ ? static_cast<unsigned char>(p_[i]) : -1; };
  auto in = [](int c, int lo, int hi) { return c >= lo && c <= hi; };
  int c0 = at(0);
  if (in(c0, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
  if (in(c0, 0xE0, 0xEF)) {
    int lo = c0 == 0xE0 ? 0xA0 : 0x80;
    int hi = c0 == 0xED ? 0x9F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(c0, 0xF0, 0xF4)) {
    int lo = c0 == 0xF0 ? 0x90 : 0x80;
    int hi = c0 == 0xF4 ? 0x8F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

bool JsonPull::Hex4(uint32_t& v) {
  if (end_ - p_ < 4) return false;
  v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *p_++;
    v <<= 4;
    if (IsDigit(c)) {
      v |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
  }
  return true;
}

bool JsonPull::Escape(std::string& s) {
  ++p_;  // backslash
  if (p_ == end_) return false;
  char c = *p_++;
  switch (c) {
    case '"':
    case '\\':
    case '/':
      s.push_back(c);
      return true;
    case 'b':
      s.push_back('\b');
      return true;
    case 'f':
      s.push_back('\f');
      return true;
    case 'n':
      s.push_back('\n');
      return true;
    case 'r':
      s.push_back('\r');
      return true;
    case 't':
      s.push_back('\t');
      return true;
    case 'u':
      break;
    default:
      return false;
  }
  uint32_t cp = 0;
  if (!Hex4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
  if (cp >= 0xD800 && cp <= 0xDBFF) {              // a high one needs its low one
    uint32_t low = 0;
    if (!Word("\\u") || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(s, cp);
  return true;
}

// RFC 8259's number.
bool JsonPull::ScanNumber(const char*& start, bool& negative, bool& is_float) {
  start = p_;
  negative = false;
  is_float = false;
  if (p_ < end_ && *p_ == '-') {
    negative = true;
    ++p_;
  }
  if (p_ == end_) return false;
  if (*p_ == '0') {
    ++p_;
  } else if (*p_ >= '1' && *p_ <= '9') {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  } else {
    return false;
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    is_float = true;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    is_float = true;
  }
  return true;
}

// A value at p_ (white space skipped) into *out, as nlohmann builds it: an integer is
// number_unsigned when not negative, else number_integer, and a float when it does not fit; a
// float out of range is nlohmann's error. With `out` null the value is read (taken or refused
// the same way) but not built: Skip, which a listing uses to pass over a pod's spec (issue 16).
bool JsonPull::Value(json* out, int depth) {
  if (p_ == end_) return false;
  switch (*p_) {
    case '{': {
      if (depth + 1 > kMaxJsonDepth) return false;
      if (!out) return Object([&](std::string_view) { return Value(nullptr, depth + 1); });
      *out = json::object();
      auto& members = out->get_ref<json::object_t&>();
      // The files are written by nlohmann (keys in order): the hint makes each insert O(1). A
      // duplicate key finds its member, which the value overwrites: the last one wins.
      return Object([&](std::string_view key) {
        auto it = members.try_emplace(members.end(), std::string(key));
        return Value(&it->second, depth + 1);
      });
    }
    case '[': {
      if (depth + 1 > kMaxJsonDepth) return false;
      if (!out) return Array([&] { return Value(nullptr, depth + 1); });
      *out = json::array();
      auto& items = out->get_ref<json::array_t&>();
      return Array([&] {
        items.emplace_back();
        return Value(&items.back(), depth + 1);
      });
    }
    case '"': {
      if (!out) {
        scratch_.clear();
        return StringBody(scratch_);
      }
      std::string s;
      if (!StringBody(s)) return false;
      *out = std::move(s);
      return true;
    }
    case 't':
      return Literal("true", true, out);
    case 'f':
      return Literal("false", false, out);
    case 'n':
      return Literal("null", nullptr, out);
    default:
      return Number(out);
  }
}

// `word` at p_, and `value` into *out (when not null).
bool JsonPull::Literal(std::string_view word, json value, json* out) {
  if (!Word(word)) return false;
  if (out) *out = std::move(value);
  return true;
}

// A number at p_ into *out (when not null), as nlohmann builds it.
bool JsonPull::Number(json* out) {
  const char* start = nullptr;
  bool negative = false, is_float = false;
  if (!ScanNumber(start, negative, is_float)) return false;
  if (!is_float) {
    if (negative) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(start, p_, v);
      if (ec == std::errc() && ptr == p_) {
        if (out) *out = v;
        return true;
      }
    } else {
      uint64_t v = 0;
      auto [ptr, ec] = std::from_chars(start, p_, v);
      if (ec == std::errc() && ptr == p_) {
        if (out) *out = v;
        return true;
      }
    }
  }
  double d = 0;
  if (!ParseDouble(std::string_view(start, static_cast<size_t>(p_ - start)), d)) return false;
  if (out) *out = d;
  return true;
}

std::optional<nlohmann::json> ParseJson(std::string_view text) {
  nlohmann::json out;
  JsonPull reader(text);
  reader.SkipSpace();
  if (!reader.Value(&out, 0) || !reader.AtEnd()) return std::nullopt;
  return out;
}

nlohmann::json ParseJsonOrThrow(std::string_view text) {
  if (auto v = ParseJson(text)) return std::move(*v);
  return nlohmann::json::parse(text);
}

bool IdenticalJson(const nlohmann::json& a, const nlohmann::json& b) {
  using nlohmann::json;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
        if (x.key() != y.key() || !IdenticalJson(*x, *y)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); i++) {
        if (!IdenticalJson(a[i], b[i])) return false;
      }
      return true;
    }
    case json::value_t::number_float: {
      double x = a.get<double>(), y = b.get<double>();
      return x == y && std::signbit(x) == std::signbit(y);
    }
    default:
      return a == b;
  }
}

}  // namespace hp
