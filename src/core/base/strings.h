// hp/base: small string helpers shared by every layer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hp {

std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view TrimSpace(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Go's %q-like quoting used in messages: "a\"b".
std::string Quote(std::string_view s);
// Standard base64 (RFC 4648 section 4) with padding, as HTTP basic auth and docker config.json
// write it. Decoding takes padded or unpadded text and gives nothing for any other character or
// an impossible length.
std::string Base64Encode(std::string_view s);
std::optional<std::string> Base64Decode(std::string_view s);

}  // namespace hp
