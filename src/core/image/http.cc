#include "core/image/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <memory>
#include <mutex>

#include "core/base/strings.h"

namespace hp::image {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Ctx {
  const HttpRequest* req;
  HttpResponse* resp;
  CURL* curl;
  bool too_big = false;
  bool started = false;
};

size_t HeaderCb(char* data, size_t size, size_t n, void* p) {
  auto* c = static_cast<Ctx*>(p);
  std::string_view line(data, size * n);
  if (StartsWith(line, "HTTP/")) {
    c->resp->headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    c->resp->headers[ToLower(TrimSpace(line.substr(0, colon)))] =
        std::string(TrimSpace(line.substr(colon + 1)));
  }
  return size * n;
}

size_t WriteCb(char* data, size_t size, size_t n, void* p) {
  auto* c = static_cast<Ctx*>(p);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
  if (c->req->sink && status >= 200 && status < 300) {
    if (!c->started) {
      c->started = true;
      if (c->req->on_start && !c->req->on_start(status, c->resp->headers)) {
        c->resp->aborted = true;
        return 0;
      }
    }
    if (!c->req->sink(data, len)) {
      c->resp->aborted = true;
      return 0;
    }
    return len;
  }
  if (c->resp->body.size() + len > c->req->max_body) {
    c->too_big = true;
    return 0;
  }
  c->resp->body.append(data, len);
  return len;
}

// A throttled transfer also gets a small receive buffer, so the throttle holds back the sender
// instead of the kernel buffering megabytes ahead of it.
int SmallRcvBuf(void*, curl_socket_t fd, curlsocktype) {
  int size = 64 << 10;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return CURL_SOCKOPT_OK;
}

}  // namespace

Result<HttpResponse> HttpGet(const HttpRequest& req) {
  GlobalInit();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Err(ErrorCode::kInternal, "curl_easy_init failed");
  HttpResponse resp;
  Ctx ctx{&req, &resp, curl.get()};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);  // stalled for 30 s: give up and retry
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "hostprocess/0.1");
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, HeaderCb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &ctx);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &ctx);
  if (req.max_bytes_per_second > 0) curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, SmallRcvBuf);
  if (req.max_bytes_per_second > 0)
    curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE,
                     static_cast<curl_off_t>(req.max_bytes_per_second));
  if (req.timeout.count() > 0)
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  std::string range;
  if (req.range_from >= 0) {
    range = std::to_string(req.range_from) + "-";
    curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  }
  if (!req.basic_auth.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERPWD, req.basic_auth.c_str());
  }
  struct curl_slist* hdrs = nullptr;
  for (const auto& x : req.headers) hdrs = curl_slist_append(hdrs, x.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> free_hdrs(hdrs, curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  if (rc == CURLE_WRITE_ERROR && resp.aborted) return resp;
  if (ctx.too_big)
    return Err(ErrorCode::kInvalidArgument, "GET \"{}\": response larger than {} bytes", req.url,
               req.max_body);
  // The status of an error answer is what counts, not whether its body arrived whole.
  if (rc == CURLE_PARTIAL_FILE && resp.status >= 300) return resp;
  if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_TOO_MANY_REDIRECTS)
    return Err(ErrorCode::kPermissionDenied, "GET \"{}\": {}", req.url, curl_easy_strerror(rc));
  if (rc != CURLE_OK)
    return Err(ErrorCode::kUnavailable, "GET \"{}\": {}", req.url, curl_easy_strerror(rc));
  return resp;
}

bool ResolvesOnlyToLoopback(const std::string& host) {
  struct addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, nullptr, &res) != 0 || !res) return false;
  bool all = true;
  for (auto* p = res; p; p = p->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (p->ai_family == AF_INET)
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr, buf, sizeof buf);
    else if (p->ai_family == AF_INET6)
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr, buf,
                  sizeof buf);
    if (!IsLoopbackLiteral(buf)) all = false;
  }
  ::freeaddrinfo(res);
  return all;
}

}  // namespace hp::image
