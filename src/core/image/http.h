// hp/image: a small blocking HTTP GET for the registry client: libcurl on Linux (http.cc), WinHTTP
// on Windows (windows/http.cc); the rest is platform-neutral (http_common.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::image {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  int64_t range_from = -1;           // sends "Range: bytes=N-" when >= 0
  // Receives the body of a 2xx response (others are buffered for the error message); return
  // false to abort the transfer.
  std::function<bool(const char* data, size_t size)> sink;
  // Called once with the status and headers (lowercase names) before the first byte reaches
  // `sink` (a 200 answer to a Range request means the server sends the whole body); return
  // false to abort the transfer (HttpResponse::aborted).
  std::function<bool(long status, const std::map<std::string, std::string>& headers)> on_start;
  size_t max_body = 8 << 20;  // for buffered bodies
  int64_t max_bytes_per_second = 0;
  std::string basic_auth;                // "user:password"
  std::chrono::milliseconds timeout{0};  // the whole request, connect to last byte (0 = none)
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names, last response only
  std::string body;                            // when no sink took it
  bool aborted = false;                        // the sink stopped the transfer
};

// Network failures and timeouts are kUnavailable (retryable); a redirect to another scheme or
// too many redirects are not. The URL is in the message. An error status whose body ends
// early (a 416 with a Content-Length it does not send) is still a response.
Result<HttpResponse> HttpGet(const HttpRequest& req);

// Parses `Bearer realm="...",service="...",scope="..."` into {"scheme": "bearer", ...}.
std::map<std::string, std::string> ParseChallenge(const std::string& header);
std::string UrlEscape(const std::string& s);

// "localhost", "::1" and the dotted IPv4 addresses of 127.0.0.0/8.
bool IsLoopbackLiteral(const std::string& host);
// Whether every address `host` resolves to is a loopback address (false when it does not
// resolve).
bool ResolvesOnlyToLoopback(const std::string& host);

// Text from a registry made safe to print on a terminal: C0 controls (but tab), DEL, C1
// controls (U+0080..U+009F) and bytes that are not UTF-8 become `\xNN` escapes; other
// printable UTF-8 is kept.
std::string EscapeControls(std::string_view s);

}  // namespace hp::image
