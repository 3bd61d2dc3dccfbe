#include "core/base/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace hp {
namespace {

using nlohmann::json;

// A recursive-descent reader over the text. Every method returns false on anything it does
// not take (the caller then has nlohmann decide), and never reads past the end.
class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Document(json& out) {
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Word(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // A value at p_ (white space already skipped) into `out`.
  bool Value(json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        if (!Word("true")) return false;
        out = true;
        return true;
      case 'f':
        if (!Word("false")) return false;
        out = false;
        return true;
      case 'n':
        if (!Word("null")) return false;
        out = nullptr;
        return true;
      default:
        return Number(out);
    }
  }

  bool Object(json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    ++p_;  // {
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string key;
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      key.clear();
      if (!String(key)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      // The files are written by nlohmann (keys in order): the hint makes each insert O(1). A
      // duplicate key finds its member, which the value overwrites: the last one wins.
      auto it = members.try_emplace(members.end(), key);
      if (!Value(it->second, depth)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      SkipSpace();
    }
  }

  bool Array(json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    ++p_;  // [
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      items.emplace_back();
      if (!Value(items.back(), depth)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      SkipSpace();
    }
  }

  // A string at p_ (its opening quote), appended to `s` decoded.
  bool String(std::string& s) {
    ++p_;  // "
    for (;;) {
      const char* run = p_;
      while (p_ < end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
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
  size_t Utf8Sequence() const {
    auto at = [&](size_t i) -> int {
      return p_ + i < end_ ? static_cast<unsigned char>(p_[i]) : -1;
    };
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

  bool Hex4(uint32_t& v) {
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

  bool Escape(std::string& s) {
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

  static void AppendUtf8(std::string& s, uint32_t cp) {
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

  // RFC 8259's number. As nlohmann: an integer is number_unsigned when not negative, else
  // number_integer, and a float when it does not fit; a float out of range is nlohmann's error.
  bool Number(json& out) {
    const char* start = p_;
    bool negative = false;
    if (*p_ == '-') {
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
    bool is_float = false;
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
    if (!is_float) {
      if (negative) {
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(start, p_, v);
        if (ec == std::errc() && ptr == p_) {
          out = v;
          return true;
        }
      } else {
        uint64_t v = 0;
        auto [ptr, ec] = std::from_chars(start, p_, v);
        if (ec == std::errc() && ptr == p_) {
          out = v;
          return true;
        }
      }
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(start, p_, d);
    if (ec != std::errc() || ptr != p_ || !std::isfinite(d)) return false;
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<nlohmann::json> ParseJson(std::string_view text) {
  nlohmann::json out;
  Reader reader(text);
  if (!reader.Document(out)) return std::nullopt;
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
