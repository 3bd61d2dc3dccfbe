// hp/image (internal to the pull): one registry + repository with the auth state shared by the
// download threads, and GETs with retries, back-off, Retry-After and a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "core/base/result.h"
#include "core/image/http.h"
#include "core/image/registry.h"

namespace hp::image {

using Clock = std::chrono::steady_clock;

// The longest a registry's Retry-After is honoured (longer ones wait this long).
inline constexpr std::chrono::seconds kMaxRetryAfter{60};
// The longest token accepted from a token server (it goes into every request's headers).
inline constexpr size_t kMaxToken = 64 << 10;

// The deadline of a blob download of `size` bytes started now: --timeout plus the time
// `size` takes at --min-rate.
Clock::time_point BlobDeadline(const PullOptions& opts, int64_t size);

class Session {
 public:
  Session(std::string base, std::string repo, std::string creds, const PullOptions& opts)
      : base_(std::move(base)), repo_(std::move(repo)), creds_(std::move(creds)), opts_(opts) {}

  // GET <base>/v2/<repo><path> with auth (answers a 401 challenge once per request) and
  // retries with back-off (or the registry's Retry-After) for network errors and 5xx/429,
  // until `deadline`: every request's timeout is what is left of it. `prepare` runs before
  // every attempt (resume offsets).
  Result<HttpResponse> Get(const std::string& path, HttpRequest req, Clock::time_point deadline,
                           const std::function<void(HttpRequest&)>& prepare = {});

 private:
  Result<HttpResponse> Send(HttpRequest r);
  Status Authenticate(const std::string& header, Clock::time_point deadline);

  std::string base_, repo_, creds_;
  const PullOptions& opts_;
  std::mutex mu_;
  std::string auth_;
};

}  // namespace hp::image
