// hp/image: the platform-neutral part of http.h (challenges, escaping, loopback names).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/base/strings.h"
#include "core/image/http.h"

namespace hp::image {

bool IsLoopbackLiteral(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  // A dotted IPv4 address (four decimal numbers up to 255) in 127.0.0.0/8.
  std::vector<std::string> parts = Split(host, '.');
  if (parts.size() != 4) return false;
  for (const std::string& p : parts)
    if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0') ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::atoi(p.c_str()) > 255)
      return false;
  return std::atoi(parts[0].c_str()) == 127;
}

std::map<std::string, std::string> ParseChallenge(const std::string& header) {
  std::map<std::string, std::string> out;
  std::string_view s = TrimSpace(header);
  size_t sp = s.find(' ');
  out["scheme"] = ToLower(s.substr(0, sp));
  if (sp == std::string_view::npos) return out;
  s = s.substr(sp + 1);
  while (!s.empty()) {
    s = TrimSpace(s);
    size_t eq = s.find('=');
    if (eq == std::string_view::npos) break;
    std::string key = ToLower(TrimSpace(s.substr(0, eq)));
    s = s.substr(eq + 1);
    std::string val;
    if (!s.empty() && s[0] == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        val.push_back(s[i]);
      }
      s = s.substr(std::min(i + 1, s.size()));
    } else {
      size_t comma = s.find(',');
      val = std::string(TrimSpace(s.substr(0, comma)));
      s = comma == std::string_view::npos ? std::string_view() : s.substr(comma);
    }
    out[key] = val;
    s = TrimSpace(s);
    if (!s.empty() && s[0] == ',') s = s.substr(1);
  }
  return out;
}

std::string UrlEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string EscapeControls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto esc = [&](unsigned char c) { out += fmt::format("\\x{:02x}", c); };
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        esc(c);
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    // The length of a well-formed UTF-8 sequence starting with `c` (0: not a lead byte).
    size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) ok = false;  // C1
    if (!ok) {
      esc(c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace hp::image
