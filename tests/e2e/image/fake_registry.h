// Test fixture: a programmable registry of the tests' own on 127.0.0.1. It serves blobs and
// manifests from memory like a registry does (GET /v2/<repo>/blobs/<digest> with honest Range
// support, GET /v2/<repo>/manifests/<ref>); a test's `hook` may answer any request instead
// (one misbehaviour per test). One thread per connection, `Connection: close`.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hp::testing {

struct FakeRequest {
  std::string path;                            // "/v2/app/blobs/sha256:..."
  std::map<std::string, std::string> headers;  // lowercase names
  int64_t RangeFrom() const;                   // "Range: bytes=N-" → N, else -1
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t content_length = -1;   // announced; -1 = body.size()
  int64_t bytes_per_second = 0;  // > 0: the body trickles at this rate
};

class FakeRegistry {
 public:
  FakeRegistry() = default;
  ~FakeRegistry() { Stop(); }
  bool Start();
  void Stop();  // closes every connection, joins every thread
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::string PutBlob(const std::string& data);  // returns the digest
  void PutManifest(const std::string& ref, const std::string& media_type, const std::string& body);

  // What the registry answers when no hook does.
  FakeResponse Default(const FakeRequest& req) const;
  // Requests whose path contains `part` (all if empty).
  int Requests(const std::string& part = "") const;

  // Runs for every request; a response it returns replaces the default one. Set before use.
  std::function<std::optional<FakeResponse>(const FakeRequest&)> hook;

 private:
  void Serve(int fd);
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> conns_;
  std::vector<int> conn_fds_;
  std::vector<std::string> log_;
  std::map<std::string, std::string> blobs_;                              // digest → data
  std::map<std::string, std::pair<std::string, std::string>> manifests_;  // ref → (type, body)
};

}  // namespace hp::testing
