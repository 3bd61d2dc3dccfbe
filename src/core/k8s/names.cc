// Hand-written matchers for the regular expressions of apimachinery's validation package
// (faster than std::regex; the messages quote the regexes exactly).
#include "core/k8s/names.h"

#include <fmt/format.h>

namespace hp::k8s::names {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string RegexError(std::string msg, std::string_view fmt_, std::vector<std::string_view> ex) {
  if (ex.empty()) return msg + " (regex used for validation is '" + std::string(fmt_) + "')";
  msg += " (e.g. ";
  for (size_t i = 0; i < ex.size(); i++) {
    if (i > 0) msg += " or ";
    msg += "'" + std::string(ex[i]) + "', ";
  }
  msg += "regex used for validation is '" + std::string(fmt_) + "')";
  return msg;
}

constexpr std::string_view kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDNS1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kLabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelKeyErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesLabelKeyName(std::string_view v) {
  if (v.empty() || !IsAlnum(v.front()) || !IsAlnum(v.back())) return false;
  for (char c : v)
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return fmt::format("must be between {} and {}, inclusive", lo, hi);
}
std::string MaxLenError(size_t n) { return fmt::format("must be no more than {} characters", n); }

bool MatchesDNS1123Label(std::string_view v) {
  if (v.empty() || !IsLowerAlnum(v.front()) || !IsLowerAlnum(v.back())) return false;
  for (char c : v)
    if (!IsLowerAlnum(c) && c != '-') return false;
  return true;
}

bool MatchesDNS1123Subdomain(std::string_view v) {
  if (v.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    std::string_view part = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
    if (!MatchesDNS1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Msgs IsDNS1123Label(std::string_view v) {
  Msgs errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchesDNS1123Label(v)) {
    if (MatchesDNS1123Subdomain(v)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
          "and must start and end with an alphanumeric character",
          kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

Msgs IsDNS1123Subdomain(std::string_view v) {
  Msgs errs;
  if (v.size() > 253) errs.push_back(MaxLenError(253));
  if (!MatchesDNS1123Subdomain(v))
    errs.push_back(RegexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character",
        kDNS1123SubdomainFmt, {"example.com"}));
  return errs;
}

// maskTrailingDash: a generateName prefix may end in '-'.
static std::string MaskTrailingDash(std::string_view v) {
  // Upstream replaces the last two characters by "a" (name[:len(name)-2] + "a").
  std::string s(v);
  if (s.size() > 1 && s.back() == '-') s = s.substr(0, s.size() - 2) + "a";
  return s;
}

Msgs NameIsDNSSubdomain(std::string_view v, bool prefix) {
  return prefix ? IsDNS1123Subdomain(MaskTrailingDash(v)) : IsDNS1123Subdomain(v);
}
Msgs NameIsDNSLabel(std::string_view v, bool prefix) {
  return prefix ? IsDNS1123Label(MaskTrailingDash(v)) : IsDNS1123Label(v);
}

Msgs IsQualifiedName(std::string_view value) {
  Msgs errs;
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = value.find('/', start);
    parts.push_back(value.substr(start, slash == value.npos ? value.npos : slash - start));
    if (slash == value.npos) break;
    start = slash + 1;
  }
  std::string_view name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    std::string_view pfx = parts[0];
    name = parts[1];
    if (pfx.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : IsDNS1123Subdomain(pfx)) errs.push_back("prefix part " + m);
    }
  } else {
    errs.push_back(
        "a valid label key " +
        RegexError(std::string(kLabelKeyErr), kLabelKeyFmt, {"MyName", "my.name", "123-abc"}) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchesLabelKeyName(name))
    errs.push_back("name part " + RegexError(std::string(kLabelKeyErr), kLabelKeyFmt,
                                             {"MyName", "my.name", "123-abc"}));
  return errs;
}

Msgs IsValidLabelValue(std::string_view v) {
  Msgs errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!v.empty() && !MatchesLabelKeyName(v))
    errs.push_back(RegexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

Msgs IsValidPortName(std::string_view port) {
  Msgs errs;
  if (port.size() > 15) errs.push_back(MaxLenError(15));
  bool charset = !port.empty(), letter = false;
  for (char c : port) {
    if (!IsLowerAlnum(c) && c != '-') charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset)
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != port.npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}

Msgs IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {InclusiveRangeError(1, 65535)};
}
Msgs IsValidUserID(int64_t id) {
  if (id >= 0 && id <= 0xffffffffLL) return {};
  return {InclusiveRangeError(0, 0xffffffffLL)};
}
Msgs IsValidGroupID(int64_t id) { return IsValidUserID(id); }

Msgs IsConfigMapKey(std::string_view v) {
  Msgs errs;
  if (v.size() > 253) errs.push_back(MaxLenError(253));
  bool ok = !v.empty();
  for (char c : v)
    if (!IsAlnum(c) && c != '-' && c != '.' && c != '_') ok = false;
  if (!ok)
    errs.push_back(
        RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                   "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  if (v == ".") {
    errs.push_back("must not be '.'");
  } else if (v == "..") {
    errs.push_back("must not be '..'");
  } else if (v.starts_with("..")) {
    errs.push_back("must not start with '..'");
  }
  return errs;
}

Msgs IsRelaxedEnvVarName(std::string_view v) {
  Msgs errs;
  if (v.empty()) errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : v) {
    if (c > 0x7e || c < 0x20 || c == '=') {
      errs.push_back(
          "a valid environment variable name must consist only of printable ASCII characters "
          "other than '='");
      break;
    }
  }
  return errs;
}

Msgs IsHTTPHeaderName(std::string_view v) {
  bool ok = !v.empty();
  for (char c : v)
    if (!IsAlnum(c) && c != '-') ok = false;
  if (ok) return {};
  return {RegexError("a valid HTTP header must consist of alphanumeric characters or '-'",
                     "[-A-Za-z0-9]+", {"X-Header-Name"})};
}

}  // namespace hp::k8s::names
