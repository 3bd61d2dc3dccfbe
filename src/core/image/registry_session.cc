#include "core/image/registry_session.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/strings.h"

namespace hp::image {
namespace {
using nlohmann::json;

bool Retryable(long status) { return status == 429 || status >= 500; }

// A Retry-After in seconds (the HTTP-date form is not used by registries; it is ignored).
std::chrono::milliseconds RetryAfter(const HttpResponse& r) {
  auto it = r.headers.find("retry-after");
  if (it == r.headers.end() || it->second.empty() || it->second.size() > 6 ||
      !std::all_of(it->second.begin(), it->second.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::chrono::milliseconds(0);
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(it->second)),
                                             kMaxRetryAfter);
}

std::chrono::milliseconds Left(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

}  // namespace

Clock::time_point BlobDeadline(const PullOptions& opts, int64_t size) {
  double rate = static_cast<double>(std::max<int64_t>(1, opts.min_bytes_per_second));
  return Clock::now() + opts.timeout +
         std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(size) * 1000 / rate));
}

Result<HttpResponse> Session::Get(const std::string& path, HttpRequest req,
                                  Clock::time_point deadline,
                                  const std::function<void(HttpRequest&)>& prepare) {
  req.url = base_ + "/v2/" + repo_ + path;
  req.max_bytes_per_second = opts_.max_bytes_per_second;
  auto delay = opts_.backoff;
  Error last;
  int attempts = 0;
  auto timed_out = [&] {
    return Error(fmt::format("GET \"{}\": not done before its deadline (--timeout, --min-rate){}",
                             req.url, attempts ? "; last error: " + last.message() : ""),
                 ErrorCode::kUnavailable);
  };
  for (int attempt = 0; attempt <= opts_.retries; ++attempt) {
    if (attempt > 0) {
      if (Left(deadline) <= delay) {
        last = timed_out();
        break;
      }
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
    if (Left(deadline).count() <= 0) {
      last = timed_out();
      break;
    }
    HttpRequest r = req;
    if (prepare) prepare(r);
    r.timeout = std::max(Left(deadline), std::chrono::milliseconds(1));
    ++attempts;
    auto resp = Send(r);
    if (resp && resp->status == 401) {
      TRY(Authenticate(resp->headers["www-authenticate"], deadline));
      r = req;
      if (prepare) prepare(r);
      r.timeout = std::max(Left(deadline), std::chrono::milliseconds(1));
      resp = Send(r);
    }
    if (!resp) {
      last = resp.error();
      if (last.code() != ErrorCode::kUnavailable) return tl::unexpected(last);
      continue;
    }
    if (Retryable(resp->status) && attempt < opts_.retries) {
      last =
          Error(fmt::format("GET \"{}\": HTTP {}", req.url, resp->status), ErrorCode::kUnavailable);
      delay = std::max(delay, RetryAfter(*resp));
      continue;
    }
    return resp;
  }
  if (attempts > 1) last.Context(fmt::format("after {} attempts", attempts));
  return tl::unexpected(last);
}

Result<HttpResponse> Session::Send(HttpRequest r) {
  {
    std::lock_guard lk(mu_);
    if (!auth_.empty()) r.headers.push_back(auth_);
  }
  return HttpGet(r);
}

Status Session::Authenticate(const std::string& header, Clock::time_point deadline) {
  auto ch = ParseChallenge(header);
  std::lock_guard lk(mu_);
  if (ch["scheme"] == "basic") {
    if (creds_.empty())
      return Err(ErrorCode::kPermissionDenied,
                 "registry \"{}\" requires credentials (none in the docker config)", base_);
    auth_ = "Authorization: Basic " + Base64Encode(creds_);
    return Ok();
  }
  if (ch["scheme"] != "bearer" || ch["realm"].empty())
    return Err(ErrorCode::kPermissionDenied, "registry \"{}\": unsupported auth challenge \"{}\"",
               base_, header.substr(0, 200));
  std::string scope = ch.count("scope") ? ch["scope"] : "repository:" + repo_ + ":pull";
  std::string url = ch["realm"];
  url += (url.find('?') == std::string::npos ? "?" : "&");
  if (!ch["service"].empty()) url += "service=" + UrlEscape(ch["service"]) + "&";
  url += "scope=" + UrlEscape(scope);
  HttpRequest tr;
  tr.url = url;
  tr.basic_auth = creds_;
  tr.max_body = 1 << 20;
  tr.timeout = std::max(Left(deadline), std::chrono::milliseconds(1));
  ASSIGN_OR_RETURN(HttpResponse resp, HttpGet(tr));
  if (resp.status != 200)
    return Err(ErrorCode::kPermissionDenied, "token server \"{}\": HTTP {}: {}", ch["realm"],
               resp.status, resp.body.substr(0, 200));
  try {
    json j = json::parse(resp.body);
    std::string tok = j.value("token", "");
    if (tok.empty()) tok = j.value("access_token", "");
    if (tok.empty()) return Err(ErrorCode::kPermissionDenied, "token server gave no token");
    if (tok.size() > kMaxToken)
      return Err(ErrorCode::kPermissionDenied,
                 "token server \"{}\": token of {} bytes (the limit is {})", ch["realm"],
                 tok.size(), kMaxToken);
    auth_ = "Authorization: Bearer " + tok;
  } catch (const json::exception& e) {
    return Err(ErrorCode::kPermissionDenied, "token server \"{}\": {}", ch["realm"], e.what());
  }
  return Ok();
}

}  // namespace hp::image
