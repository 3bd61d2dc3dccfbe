#include "core/image/reference.h"

#include <cctype>

#include "core/base/strings.h"

namespace hp::image {
namespace {

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  return true;
}

// A path component: lowercase alphanumerics separated by '.', '_', '__' or '-'.
bool ValidComponent(std::string_view c) {
  if (c.empty()) return false;
  if (!std::isalnum(static_cast<unsigned char>(c.front())) ||
      !std::isalnum(static_cast<unsigned char>(c.back())))
    return false;
  for (char ch : c) {
    if (std::isupper(static_cast<unsigned char>(ch))) return false;
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-')
      return false;
  }
  return true;
}

bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  if (!(std::isalnum(static_cast<unsigned char>(t[0])) || t[0] == '_')) return false;
  for (char c : t)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

// host[:port]: dot-separated labels of letters, digits and inner '-', or a bracketed IPv6
// address; a port of 1 to 5 digits. "..", "host:1:2" and "host:" are not hosts.
bool ValidDomain(std::string_view d) {
  std::string_view host = d, port;
  if (StartsWith(d, "[")) {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : d.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    if (close + 1 < d.size() && d[close + 1] != ':') return false;
    port = close + 1 < d.size() ? d.substr(close + 2) : std::string_view();
    if (close + 1 < d.size() && port.empty()) return false;
  } else {
    size_t colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty() || host.size() > 253) return false;
    for (const auto& label : Split(host, '.')) {
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
      for (char c : label)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  if (port.size() > 5) return false;
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return port.empty() || (std::stoi(std::string(port)) > 0 && std::stoi(std::string(port)) < 65536);
}

}  // namespace

bool IsValidDigest(std::string_view digest) {
  return digest.size() == 71 && StartsWith(digest, "sha256:") && IsHex(digest.substr(7));
}

std::string Reference::String() const {
  std::string s = Name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string Reference::RegistryHost() const {
  return domain == "docker.io" ? "registry-1.docker.io" : domain;
}

Result<Reference> ParseReference(std::string_view in) {
  std::string_view ref = TrimSpace(in);
  if (ref.empty()) return Err(ErrorCode::kInvalidArgument, "empty image reference");
  Reference r;
  std::string_view rest = ref;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsValidDigest(r.digest))
      return Err(ErrorCode::kInvalidArgument, "image reference \"{}\": invalid digest \"{}\"", in,
                 r.digest);
  }
  // A tag follows the last ':' that is after the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!ValidTag(r.tag))
      return Err(ErrorCode::kInvalidArgument, "image reference \"{}\": invalid tag \"{}\"", in,
                 r.tag);
  }
  std::string_view first = rest.substr(0, rest.find('/'));
  bool has_domain =
      rest.find('/') != std::string_view::npos &&
      (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
       first == "localhost" || first.find('[') != std::string_view::npos);
  if (has_domain) {
    r.domain = std::string(first);
    r.path = std::string(rest.substr(first.size() + 1));
    if (!ValidDomain(r.domain))
      return Err(ErrorCode::kInvalidArgument, "image reference \"{}\": invalid registry \"{}\"", in,
                 r.domain);
    if (r.domain == "index.docker.io" || r.domain == "registry-1.docker.io") r.domain = "docker.io";
  } else {
    r.domain = "docker.io";
    r.path = std::string(rest);
  }
  if (r.domain == "docker.io" && r.path.find('/') == std::string::npos)
    r.path = "library/" + r.path;
  for (const auto& c : Split(r.path, '/'))
    if (!ValidComponent(c))
      return Err(ErrorCode::kInvalidArgument,
                 "image reference \"{}\": invalid repository name \"{}\" (lowercase letters, "
                 "digits and separators only)",
                 in, r.path);
  if (r.path.size() + r.domain.size() > 255)
    return Err(ErrorCode::kInvalidArgument, "image reference \"{}\": name too long", in);
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

}  // namespace hp::image
