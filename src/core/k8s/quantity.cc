// Kubernetes quantity parsing and canonical formatting, following the algorithm of
// k8s.io/apimachinery/pkg/api/resource (parseQuantityString, suffixer, CanonicalizeBytes).
#include "core/k8s/quantity.h"

#include <limits>

namespace hp::k8s {

const char* const kQuantityErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const char* const kQuantityErrSuffix = "unable to parse quantity's suffix";
const char* const kQuantityErrNumeric = "unable to parse numeric part of quantity";

namespace {

using i128 = __int128;
constexpr i128 kI128Max = (~static_cast<unsigned __int128>(0)) >> 1;
constexpr i128 kSaturated = kI128Max / 16;  // a value beyond anything realistic
constexpr i128 kNano = 1000000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Parts {
  bool positive = true;
  std::string_view value, num, denom, suffix;
};

// parseQuantityString from apimachinery: splits sign, numerator, denominator and suffix.
bool SplitQuantity(std::string_view str, Parts& p) {
  size_t pos = 0, end = str.size();
  if (pos < end) {
    if (str[0] == '-') {
      p.positive = false;
      pos++;
    } else if (str[0] == '+') {
      pos++;
    }
  }
  for (size_t i = pos;; i++) {  // leading zeros
    if (i >= end) {
      p.num = "0";
      p.value = p.num;
      return true;
    }
    if (str[i] != '0') break;
    pos++;
  }
  for (size_t i = pos;; i++) {  // numerator
    if (i >= end) {
      p.num = str.substr(pos);
      p.value = str;
      return true;
    }
    if (!IsDigit(str[i])) {
      p.num = str.substr(pos, i - pos);
      pos = i;
      break;
    }
  }
  if (p.num.empty()) p.num = "0";
  if (pos < end && str[pos] == '.') {
    pos++;
    for (size_t i = pos;; i++) {
      if (i >= end) {
        p.denom = str.substr(pos);
        p.value = str;
        return true;
      }
      if (!IsDigit(str[i])) {
        p.denom = str.substr(pos, i - pos);
        pos = i;
        break;
      }
    }
  }
  p.value = str.substr(0, pos);
  size_t suffix_start = pos;
  for (size_t i = pos;; i++) {
    if (i >= end) {
      p.suffix = str.substr(suffix_start);
      return true;
    }
    if (std::string_view("eEinumkKMGTP").find(str[i]) == std::string_view::npos) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) pos++;
  for (size_t i = pos;; i++) {
    if (i >= end) {
      p.suffix = str.substr(suffix_start);
      return true;
    }
    if (!IsDigit(str[i])) break;
  }
  return false;
}

// The suffixer: base 10 or 2, exponent, format.
bool Interpret(std::string_view s, int& base, int& exponent, Quantity::Format& format) {
  struct Entry {
    std::string_view suffix;
    int base, exponent;
  };
  static constexpr Entry kDecimal[] = {{"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"", 10, 0},
                                       {"k", 10, 3},  {"M", 10, 6},  {"G", 10, 9},  {"T", 10, 12},
                                       {"P", 10, 15}, {"E", 10, 18}};
  static constexpr Entry kBinary[] = {{"Ki", 2, 10}, {"Mi", 2, 20}, {"Gi", 2, 30},
                                      {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60}};
  for (const auto& e : kDecimal) {
    if (e.suffix == s) {
      base = e.base, exponent = e.exponent, format = Quantity::Format::kDecimalSI;
      return true;
    }
  }
  for (const auto& e : kBinary) {
    if (e.suffix == s) {
      base = e.base, exponent = e.exponent, format = Quantity::Format::kBinarySI;
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view digits = s.substr(1);
    bool neg = false;
    if (digits[0] == '+' || digits[0] == '-') {
      neg = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 18) return false;
    int64_t v = 0;
    for (char c : digits) {
      if (!IsDigit(c)) return false;
      v = v * 10 + (c - '0');
    }
    if (v > 100000) v = 100000;  // beyond any representable value; saturates below
    base = 10, exponent = static_cast<int>(neg ? -v : v),
    format = Quantity::Format::kDecimalExponent;
    return true;
  }
  return false;
}

bool MulChecked(i128 a, i128 b, i128& out) { return !__builtin_mul_overflow(a, b, &out); }

i128 Pow10(int n) {  // n in [0, 38]
  i128 r = 1;
  for (int i = 0; i < n; i++) r *= 10;
  return r;
}

std::string I128ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

// Returns "" when the exponent has no SI suffix.
std::string_view DecimalSuffix(int exponent) {
  switch (exponent) {
    case -9:
      return "n";
    case -6:
      return "u";
    case -3:
      return "m";
    case 0:
      return "";
    case 3:
      return "k";
    case 6:
      return "M";
    case 9:
      return "G";
    case 12:
      return "T";
    case 15:
      return "P";
    case 18:
      return "E";
  }
  return "?";
}

// Mirrors the fast path of ParseQuantity that keeps the input string as the cached String().
bool KeepsOriginal(const Parts& p, int exponent, Quantity::Format format) {
  std::string shifted = std::string(p.num) + std::string(p.denom);
  if (format == Quantity::Format::kBinarySI) {
    if (exponent < 0 || !p.denom.empty()) return false;
    int precision = 15 - static_cast<int>(p.num.size()) -
                    static_cast<int>(static_cast<float>(exponent) * 3 / 10) - 1;
    if (precision < 0) return false;
    if (shifted.size() > 18) return false;
    int64_t value = std::stoll(shifted);
    if (exponent >= 63 || (value != 0 && value > (std::numeric_limits<int64_t>::max() >> exponent)))
      return false;
    return exponent % 10 == 0 && (value & 0x07) != 0;
  }
  int precision = 18 - static_cast<int>(p.num.size() + p.denom.size());
  if (precision < 0) return false;
  int scale = exponent - static_cast<int>(p.denom.size());
  if (scale < -9) return false;
  return scale % 3 == 0 && !(shifted.size() >= 3 && shifted.ends_with("000")) && shifted[0] != '0';
}

}  // namespace

Result<Quantity> ParseQuantity(std::string_view str) {
  if (str.empty()) return Err(ErrorCode::kInvalidArgument, "{}", kQuantityErrFormatWrong);
  Quantity q;
  q.original = std::string(str);
  if (str == "0") return q;
  Parts p;
  if (!SplitQuantity(str, p))
    return Err(ErrorCode::kInvalidArgument, "{}", kQuantityErrFormatWrong);
  int base = 10, exponent = 0;
  if (!Interpret(p.suffix, base, exponent, q.format))
    return Err(ErrorCode::kInvalidArgument, "{}", kQuantityErrSuffix);
  // inf.Dec.SetString on the value part: needs at least one digit and only [+-]digits[.digits].
  {
    std::string_view v = p.value;
    if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
    bool digit = false, dot = false, ok = !v.empty();
    for (char c : v) {
      if (IsDigit(c)) {
        digit = true;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        ok = false;
      }
    }
    if (!ok || !digit) return Err(ErrorCode::kInvalidArgument, "{}", kQuantityErrNumeric);
  }
  // Exact value: digits × 10^(exp10) × 2^(shift), then × 10^9 for nano-units, rounded up.
  std::string digits = std::string(p.num) + std::string(p.denom);
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  int exp10 = -static_cast<int>(p.denom.size()) + 9;
  int shift = 0;
  if (base == 10) {
    exp10 += exponent;
  } else {
    shift = exponent;
  }
  // Drop digits that fall below 1n, remembering whether any was non-zero (round up).
  bool round_up = false;
  if (exp10 < 0 && shift == 0) {
    int drop = -exp10;
    if (static_cast<size_t>(drop) >= digits.size()) {
      round_up = digits != "0";
      digits = "0";
    } else {
      for (size_t i = digits.size() - drop; i < digits.size(); i++) round_up |= digits[i] != '0';
      digits.resize(digits.size() - drop);
    }
    exp10 = 0;
  }
  i128 value = 0;
  bool saturated = false;
  for (char c : digits) {
    if (!MulChecked(value, 10, value) || __builtin_add_overflow(value, c - '0', &value)) {
      saturated = true;
      break;
    }
  }
  if (!saturated && shift > 0) {
    if (shift >= 120 || (value != 0 && value > (kI128Max >> shift))) {
      saturated = true;
    } else {
      value <<= shift;
    }
  }
  if (!saturated && exp10 > 0) {
    if (exp10 > 38 || !MulChecked(value, Pow10(exp10), value)) saturated = value != 0 || exp10 > 38;
    if (exp10 > 38 && digits == "0") saturated = false, value = 0;
  }
  if (!saturated && exp10 < 0) {  // binary shift with a fractional decimal part (1.5Gi)
    int drop = -exp10;
    if (drop > 38) {
      round_up = value != 0;
      value = 0;
    } else {
      i128 div = Pow10(drop);
      round_up = value % div != 0;
      value /= div;
    }
  }
  if (saturated) value = kSaturated;
  if (round_up) value += 1;
  if (q.format == Quantity::Format::kBinarySI) {
    i128 max = static_cast<i128>(std::numeric_limits<int64_t>::max()) * kNano;
    if (value > max) value = max;
  }
  q.nanos = p.positive ? value : -value;
  return q;
}

int64_t Quantity::Value() const {
  i128 v = nanos / kNano;
  if (nanos % kNano != 0) v += nanos > 0 ? 1 : -1;
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int64_t Quantity::MilliValue() const {
  i128 v = nanos / 1000000;
  if (nanos % 1000000 != 0) v += nanos > 0 ? 1 : -1;
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int Quantity::Cmp(const Quantity& o) const {
  return nanos < o.nanos ? -1 : (nanos > o.nanos ? 1 : 0);
}

std::string Quantity::String() const {
  if (!original.empty()) {
    // Kubernetes keeps the parsed string when it is already canonical (see KeepsOriginal).
    Parts p;
    int base = 10, exponent = 0;
    Format f;
    if (original == "0") return original;
    if (SplitQuantity(original, p) && Interpret(p.suffix, base, exponent, f) &&
        KeepsOriginal(p, exponent, f))
      return original;
  }
  if (nanos == 0) return "0";
  Format f = format;
  if (f == Format::kBinarySI) {
    if (nanos > -1024 * kNano && nanos < 1024 * kNano) {
      f = Format::kDecimalSI;
    } else if (nanos % kNano != 0) {
      f = Format::kDecimalSI;
    }
  }
  if (f == Format::kBinarySI) {
    i128 v = nanos / kNano;
    int exp = 0;
    i128 a = v < 0 ? -v : v;
    while (a >= 1024 && a % 1024 == 0 && exp < 60) {
      a /= 1024;
      exp += 10;
    }
    static constexpr std::string_view kBin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    return I128ToString(v < 0 ? -a : a) + std::string(kBin[exp / 10]);
  }
  // Decimal: remove factors of 10, then bring the exponent down to a multiple of 3.
  i128 a = nanos < 0 ? -nanos : nanos;
  int exp = -9;
  while (a >= 10 && a % 10 == 0) {
    a /= 10;
    exp++;
  }
  int r = ((exp % 3) + 3) % 3;
  for (int i = 0; i < r; i++) a *= 10;
  exp -= r;
  std::string number = I128ToString(nanos < 0 ? -a : a);
  if (f == Format::kDecimalExponent) return exp == 0 ? number : number + "e" + std::to_string(exp);
  std::string_view suffix = DecimalSuffix(exp);
  if (suffix == "?") return number + "e" + std::to_string(exp);
  return number + std::string(suffix);
}

}  // namespace hp::k8s
