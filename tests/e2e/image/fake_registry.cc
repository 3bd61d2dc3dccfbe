#include "e2e/image/fake_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "common/loopback.h"
#include "core/image/digest.h"

namespace hp::testing {
namespace {

bool SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

int64_t FakeRequest::RangeFrom() const {
  auto it = headers.find("range");
  if (it == headers.end() || it->second.rfind("bytes=", 0) != 0) return -1;
  return std::atoll(it->second.c_str() + 6);
}

bool FakeRegistry::Start() {
  listen_fd_ = hp::testing::ListenOnLoopback(64, &port_);
  if (listen_fd_ < 0) return false;
  accept_thread_ = std::thread([this] {
    while (!stop_) {
      int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      std::lock_guard lk(mu_);
      conn_fds_.push_back(c);
      conns_.emplace_back([this, c] { Serve(c); });
    }
  });
  return true;
}

void FakeRegistry::Stop() {
  if (listen_fd_ < 0) return;
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::vector<std::thread> conns;
  {
    std::lock_guard lk(mu_);
    for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    conns.swap(conns_);
  }
  for (auto& t : conns) t.join();
  std::lock_guard lk(mu_);
  for (int fd : conn_fds_) ::close(fd);
  conn_fds_.clear();
}

std::string FakeRegistry::PutBlob(const std::string& data) {
  std::string d = image::Sha256Digest(data);
  std::lock_guard lk(mu_);
  blobs_[d] = data;
  return d;
}

void FakeRegistry::PutManifest(const std::string& ref, const std::string& media_type,
                               const std::string& body) {
  std::lock_guard lk(mu_);
  manifests_[ref] = {media_type, body};
  manifests_[image::Sha256Digest(body)] = {media_type, body};
}

int FakeRegistry::Requests(const std::string& part) const {
  std::lock_guard lk(mu_);
  return static_cast<int>(std::count_if(log_.begin(), log_.end(), [&](const std::string& p) {
    return p.find(part) != std::string::npos;
  }));
}

FakeResponse FakeRegistry::Default(const FakeRequest& req) const {
  FakeResponse r;
  r.headers.push_back({"Docker-Distribution-API-Version", "registry/2.0"});
  std::lock_guard lk(mu_);
  if (auto b = req.path.find("/blobs/"); b != std::string::npos) {
    auto it = blobs_.find(req.path.substr(b + 7));
    if (it == blobs_.end()) return {404, {}, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})"};
    int64_t from = req.RangeFrom(), size = static_cast<int64_t>(it->second.size());
    if (from >= size) return {416, {{"Content-Range", "bytes */" + std::to_string(size)}}, ""};
    if (from > 0) {
      r.status = 206;
      r.headers.push_back({"Content-Range", "bytes " + std::to_string(from) + "-" +
                                                std::to_string(size - 1) + "/" +
                                                std::to_string(size)});
      r.body = it->second.substr(static_cast<size_t>(from));
    } else {
      r.body = it->second;
    }
    return r;
  }
  if (auto m = req.path.find("/manifests/"); m != std::string::npos) {
    auto it = manifests_.find(req.path.substr(m + 11));
    if (it == manifests_.end()) return {404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})"};
    r.headers.push_back({"Content-Type", it->second.first});
    r.headers.push_back({"Docker-Content-Digest", image::Sha256Digest(it->second.second)});
    r.body = it->second.second;
    return r;
  }
  if (req.path == "/v2/") return r;
  return {404, {}, "not found"};
}

void FakeRegistry::Serve(int fd) {
  std::string in;
  char buf[4096];
  while (in.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
  }
  FakeRequest req;
  size_t eol = in.find("\r\n");
  std::string line = in.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  for (size_t p = eol + 2; p < in.size();) {
    size_t e = in.find("\r\n", p);
    if (e == std::string::npos || e == p) break;
    std::string h = in.substr(p, e - p);
    if (auto c = h.find(':'); c != std::string::npos) {
      std::string v = h.substr(c + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      req.headers[Lower(h.substr(0, c))] = v;
    }
    p = e + 2;
  }
  {
    std::lock_guard lk(mu_);
    log_.push_back(req.path);
  }
  std::optional<FakeResponse> hooked = hook ? hook(req) : std::nullopt;
  FakeResponse r = hooked ? *hooked : Default(req);
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  int64_t len = r.content_length >= 0 ? r.content_length : static_cast<int64_t>(r.body.size());
  head += "Content-Length: " + std::to_string(len) + "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, head)) return;
  if (r.bytes_per_second <= 0) {
    SendAll(fd, r.body);
  } else {
    // A tenth of the rate every 100 ms (at least a byte a second).
    size_t chunk = static_cast<size_t>(std::max<int64_t>(1, r.bytes_per_second / 10));
    int ticks = r.bytes_per_second < 10 ? 10 : 1;
    for (size_t off = 0; off < r.body.size() && !stop_;) {
      size_t n = std::min(chunk, r.body.size() - off);
      if (!SendAll(fd, r.body.substr(off, n))) break;
      off += n;
      for (int i = 0; i < ticks && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ::shutdown(fd, SHUT_WR);
}

}  // namespace hp::testing
