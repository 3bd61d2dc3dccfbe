// hp/image on Windows: http.h's GET over WinHTTP, the HTTP client every Windows has (TLS through
// the system's Schannel and certificate store, the machine's WinHTTP proxy). It behaves as the
// libcurl one on Linux does:
//  - redirects are followed here, not by WinHTTP, up to 5, to http or https only, and a request
//    header `Authorization` is not sent on to another origin (scheme, host or port: a registry's
//    token must not reach the storage it redirects blob downloads to, which refuses a second
//    credential, nor go in clear text after a redirect to http), as libcurl does;
//  - no cookies are kept;
//  - a transfer that stalls for 30 s, or outlives HttpRequest::timeout, fails as kUnavailable
//    (retryable), as a refused or broken connection does;
//  - the body of a 2xx answer goes to the sink, after on_start (called at its first byte);
//    other bodies are buffered up to max_body.
#include <windows.h>
// <winhttp.h> and <ws2tcpip.h> need <windows.h>'s types first.
#include <winhttp.h>
#include <ws2tcpip.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

#include "core/base/strings.h"
#include "core/image/http.h"
#include "core/sys/windows/wide.h"

namespace hp::image {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxRedirects = 5;
constexpr DWORD kStallMs = 30000;    // no byte for this long: the transfer failed
constexpr DWORD kConnectMs = 15000;  // as libcurl's CONNECTTIMEOUT on Linux

struct HandleCloser {
  void operator()(HINTERNET h) const { WinHttpCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

// One WinHTTP session for the process (its handles are shared by the download threads), and
// the error that kept it from opening.
struct WinHttpSession {
  HINTERNET handle = nullptr;
  DWORD error = 0;
};
const WinHttpSession& WinHttpSessionHandle() {
  static const WinHttpSession session = [] {
    WinHttpSession s;
    s.handle = WinHttpOpen(L"hostprocess/0.1", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
                           WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    if (!s.handle) s.error = GetLastError();
    return s;
  }();
  return session;
}

// WinHTTP's own errors (12001..12185) are not in the system's message table.
std::string WinHttpErrorText(DWORD e) {
  switch (e) {
    case ERROR_WINHTTP_TIMEOUT:
      return "timed out";
    case ERROR_WINHTTP_NAME_NOT_RESOLVED:
      return "could not resolve the host name";
    case ERROR_WINHTTP_CANNOT_CONNECT:
      return "could not connect";
    case ERROR_WINHTTP_CONNECTION_ERROR:
      return "the connection was reset";
    case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
      return "the server's answer is not HTTP";
    case ERROR_WINHTTP_SECURE_FAILURE:
      return "the TLS handshake failed (certificate not trusted, expired or for another name)";
    case ERROR_WINHTTP_INVALID_URL:
      return "the URL is not valid";
    case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
      return "the URL's scheme is not http or https";
    default:
      return sys::Win32Error("WinHTTP", e).message();
  }
}

// A request that failed at the transport: retryable, as on Linux.
Error Transport(const std::string& url, DWORD e) {
  return Error(fmt::format("GET \"{}\": {}", url, WinHttpErrorText(e)), ErrorCode::kUnavailable);
}

struct Url {
  bool https = false;
  std::wstring host;
  INTERNET_PORT port = 0;
  std::wstring path;  // with the query
};

Result<Url> CrackUrl(const std::string& url) {
  std::wstring wide = sys::Widen(url);
  URL_COMPONENTS c{};
  c.dwStructSize = sizeof c;
  c.dwSchemeLength = c.dwHostNameLength = c.dwUrlPathLength = c.dwExtraInfoLength =
      static_cast<DWORD>(-1);
  if (!WinHttpCrackUrl(wide.c_str(), static_cast<DWORD>(wide.size()), 0, &c)) {
    DWORD e = GetLastError();
    // Another scheme (a redirect to ftp: or file:) is refused as libcurl refuses it.
    return Err(e == ERROR_WINHTTP_UNRECOGNIZED_SCHEME ? ErrorCode::kPermissionDenied
                                                      : ErrorCode::kInvalidArgument,
               "GET \"{}\": {}", url, WinHttpErrorText(e));
  }
  if (c.nScheme != INTERNET_SCHEME_HTTP && c.nScheme != INTERNET_SCHEME_HTTPS)
    return Err(ErrorCode::kPermissionDenied, "GET \"{}\": only http and https are followed", url);
  Url u;
  u.https = c.nScheme == INTERNET_SCHEME_HTTPS;
  u.host.assign(c.lpszHostName, c.dwHostNameLength);
  u.port = c.nPort;
  u.path.assign(c.lpszUrlPath, c.dwUrlPathLength);
  u.path.append(c.lpszExtraInfo, c.dwExtraInfoLength);
  if (u.path.empty()) u.path = L"/";
  return u;
}

// Whether `loc` starts with a URL scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
// then ":"), as an absolute Location does; "/x?next=https://y" does not.
bool HasScheme(const std::string& loc) {
  size_t colon = loc.find(':');
  if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(loc[0])))
    return false;
  return std::all_of(loc.begin(), loc.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

// The absolute URL a Location header names, from the URL it answered.
std::string ResolveLocation(const std::string& base, const Url& from, const std::string& loc) {
  if (HasScheme(loc)) return loc;
  std::string origin = base.substr(0, base.find('/', base.find("://") + 3));
  if (StartsWith(loc, "//")) return (from.https ? "https:" : "http:") + loc;
  if (StartsWith(loc, "/")) return origin + loc;
  std::string path = sys::Narrow(from.path);
  if (StartsWith(loc, "?")) return origin + path.substr(0, path.find('?')) + loc;
  path = path.substr(0, path.find('?'));
  return origin + path.substr(0, path.rfind('/') + 1) + loc;
}

std::wstring QueryString(HINTERNET req, DWORD what) {
  DWORD size = 0;
  WinHttpQueryHeaders(req, what, WINHTTP_HEADER_NAME_BY_INDEX, nullptr, &size,
                      WINHTTP_NO_HEADER_INDEX);
  if (size == 0) return {};
  std::wstring out(size / sizeof(wchar_t) + 1, L'\0');
  if (!WinHttpQueryHeaders(req, what, WINHTTP_HEADER_NAME_BY_INDEX, out.data(), &size,
                           WINHTTP_NO_HEADER_INDEX))
    return {};
  out.resize(size / sizeof(wchar_t));
  return out;
}

std::map<std::string, std::string> ParseHeaders(const std::string& raw) {
  std::map<std::string, std::string> out;
  for (const std::string& line : Split(raw, '\n')) {
    auto colon = line.find(':');
    if (StartsWith(line, "HTTP/") || colon == std::string::npos) continue;
    out[ToLower(TrimSpace(std::string_view(line).substr(0, colon)))] =
        std::string(TrimSpace(std::string_view(line).substr(colon + 1)));
  }
  return out;
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct Exchange {
  Handle connection, request;
};

// Sends one GET to `u` and reads the answer's status and headers.
Result<Exchange> Send(const std::string& url, const Url& u, const std::vector<std::string>& headers,
                      Clock::time_point deadline, bool has_deadline) {
  Exchange x;
  x.connection.reset(WinHttpConnect(WinHttpSessionHandle().handle, u.host.c_str(), u.port, 0));
  if (!x.connection) return tl::unexpected(Transport(url, GetLastError()));
  x.request.reset(WinHttpOpenRequest(x.connection.get(), L"GET", u.path.c_str(), nullptr,
                                     WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                     u.https ? WINHTTP_FLAG_SECURE : 0));
  if (!x.request) return tl::unexpected(Transport(url, GetLastError()));
  HINTERNET r = x.request.get();
  // Redirects are ours to follow (the header comment): a WinHTTP that would follow them itself,
  // sending every header on, is not used.
  DWORD disabled = WINHTTP_DISABLE_REDIRECTS | WINHTTP_DISABLE_COOKIES;
  DWORD never = WINHTTP_OPTION_REDIRECT_POLICY_NEVER;
  if (!WinHttpSetOption(r, WINHTTP_OPTION_DISABLE_FEATURE, &disabled, sizeof disabled) ||
      !WinHttpSetOption(r, WINHTTP_OPTION_REDIRECT_POLICY, &never, sizeof never))
    return Err(ErrorCode::kInternal, "GET \"{}\": {}", url,
               sys::Win32Error("turn off WinHTTP's own redirects").message());
  DWORD wait = kStallMs;
  if (has_deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    wait = static_cast<DWORD>(std::clamp<int64_t>(left.count(), 1, kStallMs));
  }
  WinHttpSetTimeouts(r, static_cast<int>(std::min(wait, kConnectMs)),
                     static_cast<int>(std::min(wait, kConnectMs)), static_cast<int>(wait),
                     static_cast<int>(wait));
  std::wstring extra;
  for (const std::string& h : headers) extra += sys::Widen(h) + L"\r\n";
  if (!WinHttpSendRequest(r, extra.empty() ? WINHTTP_NO_ADDITIONAL_HEADERS : extra.c_str(),
                          extra.empty() ? 0 : static_cast<DWORD>(-1), WINHTTP_NO_REQUEST_DATA, 0, 0,
                          0) ||
      !WinHttpReceiveResponse(r, nullptr))
    return tl::unexpected(Transport(url, GetLastError()));
  return x;
}

}  // namespace

Result<HttpResponse> HttpGet(const HttpRequest& req) {
  if (!WinHttpSessionHandle().handle)
    return Err(ErrorCode::kInternal, "GET \"{}\": {}", req.url,
               sys::Win32Error("open a WinHTTP session", WinHttpSessionHandle().error).message());
  const bool has_deadline = req.timeout.count() > 0;
  const Clock::time_point start = Clock::now(), deadline = start + req.timeout;
  std::vector<std::string> headers = req.headers;
  if (req.range_from >= 0) headers.push_back(fmt::format("Range: bytes={}-", req.range_from));
  if (!req.basic_auth.empty())
    headers.push_back("Authorization: Basic " + Base64Encode(req.basic_auth));
  std::string url = req.url;
  ASSIGN_OR_RETURN(Url u, CrackUrl(url));
  const Url first = u;
  HttpResponse resp;
  Exchange x;
  for (int redirects = 0;; ++redirects) {
    ASSIGN_OR_RETURN(x, Send(url, u, headers, deadline, has_deadline));
    DWORD status = 0, size = sizeof status;
    WinHttpQueryHeaders(x.request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                        WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX);
    resp.status = static_cast<long>(status);
    resp.headers =
        ParseHeaders(sys::Narrow(QueryString(x.request.get(), WINHTTP_QUERY_RAW_HEADERS_CRLF)));
    auto loc = resp.headers.find("location");
    if (!IsRedirect(resp.status) || loc == resp.headers.end()) break;
    if (redirects == kMaxRedirects)
      return Err(ErrorCode::kPermissionDenied, "GET \"{}\": more than {} redirects", req.url,
                 kMaxRedirects);
    url = ResolveLocation(url, u, loc->second);
    ASSIGN_OR_RETURN(u, CrackUrl(url));
    if (u.https != first.https || u.port != first.port ||
        !EqualsIgnoreCase(sys::Narrow(u.host), sys::Narrow(first.host)))
      std::erase_if(headers,
                    [](const std::string& h) { return StartsWith(ToLower(h), "authorization:"); });
  }

  const bool to_sink = req.sink && resp.status >= 200 && resp.status < 300;
  bool started = false;
  std::string buf(64 << 10, '\0');
  int64_t received = 0;
  for (;;) {
    if (has_deadline && Clock::now() >= deadline)
      return tl::unexpected(Transport(url, ERROR_WINHTTP_TIMEOUT));
    if (has_deadline) {  // no read waits past the deadline (nor longer than a stall)
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      DWORD wait = static_cast<DWORD>(std::clamp<int64_t>(left.count(), 1, kStallMs));
      WinHttpSetOption(x.request.get(), WINHTTP_OPTION_RECEIVE_TIMEOUT, &wait, sizeof wait);
    }
    DWORD n = 0;
    if (!WinHttpReadData(x.request.get(), buf.data(), static_cast<DWORD>(buf.size()), &n)) {
      DWORD e = GetLastError();
      // The status of an error answer is what counts, not whether its body arrived whole.
      if (!to_sink && resp.status >= 300) return resp;
      return tl::unexpected(Transport(url, e));
    }
    if (n == 0) break;
    received += n;
    if (to_sink) {
      if (!started && req.on_start && !req.on_start(resp.status, resp.headers)) {
        resp.aborted = true;
        return resp;
      }
      started = true;
      if (!req.sink(buf.data(), n)) {
        resp.aborted = true;
        return resp;
      }
    } else {
      if (resp.body.size() + n > req.max_body)
        return Err(ErrorCode::kInvalidArgument, "GET \"{}\": response larger than {} bytes",
                   req.url, req.max_body);
      resp.body.append(buf.data(), n);
    }
    if (req.max_bytes_per_second > 0) {  // a throttle for the tests: no faster than the rate
      auto due = start + std::chrono::milliseconds(received * 1000 / req.max_bytes_per_second);
      std::this_thread::sleep_until(std::min(due, has_deadline ? deadline : due));
    }
  }
  // An answer shorter than its Content-Length: WinHTTP ends the read without an error.
  auto length = resp.headers.find("content-length");
  if (length != resp.headers.end() && resp.status < 300 &&
      received < std::atoll(length->second.c_str()))
    return tl::unexpected(Transport(url, ERROR_WINHTTP_CONNECTION_ERROR));
  return resp;
}

bool ResolvesOnlyToLoopback(const std::string& host) {
  static const bool started = [] {
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  if (!started) return false;
  ADDRINFOW* res = nullptr;
  if (GetAddrInfoW(sys::Widen(host).c_str(), nullptr, nullptr, &res) != 0 || !res) return false;
  bool all = true;
  for (ADDRINFOW* p = res; p; p = p->ai_next) {
    if (p->ai_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(p->ai_addr);
      all = all && a->sin_addr.S_un.S_un_b.s_b1 == 127;
    } else if (p->ai_family == AF_INET6) {
      all = all &&
            IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(p->ai_addr)->sin6_addr);
    } else {
      all = false;
    }
  }
  FreeAddrInfoW(res);
  return all;
}

}  // namespace hp::image
