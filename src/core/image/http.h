// hp/image: a small blocking HTTP GET over libcurl for the registry client.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
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
  // Called once with the status before the first byte reaches `sink` (a 200 answer to a
  // Range request means the server sends the whole body).
  std::function<void(long status)> on_start;
  size_t max_body = 8 << 20;  // for buffered bodies
  int64_t max_bytes_per_second = 0;
  std::string basic_auth;  // "user:password"
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names, last response only
  std::string body;                            // when no sink took it
  bool aborted = false;                        // the sink stopped the transfer
};

// Network failures are kUnavailable (retryable); the URL is in the message.
Result<HttpResponse> HttpGet(const HttpRequest& req);

// Parses `Bearer realm="...",service="...",scope="..."` into {"scheme": "bearer", ...}.
std::map<std::string, std::string> ParseChallenge(const std::string& header);
std::string UrlEscape(const std::string& s);

}  // namespace hp::image
