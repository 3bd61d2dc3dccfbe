// Test fixture: a real Debian `docker-registry` (distribution v2) on 127.0.0.1 with a temp
// storage dir, a push helper speaking the distribution API, and a tiny token server (RS256 JWTs
// with an x5c chain, trusted by the registry through `auth.token.rootcertbundle`).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>

namespace hp::testing {

// A free TCP port on 127.0.0.1.
int FreePort();

class Registry {
 public:
  // `dir`: scratch dir holding storage and config. Token auth is enabled when `token_realm`
  // is set (with the given cert bundle).
  Registry(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  ~Registry() { Stop(); }
  bool Start(const std::string& token_realm = "", const std::string& cert_bundle = "");
  void Stop();  // SIGKILL + wait
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string storage() const { return dir_ + "/storage"; }
  // Path of a blob's data file in the registry storage.
  std::string BlobDataPath(const std::string& digest) const;

 private:
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

// Pushes a blob / manifest to an unauthenticated registry. Returns the digest ("" on error).
std::string PushBlob(const std::string& host, const std::string& repo, const std::string& data);
bool PushManifest(const std::string& host, const std::string& repo, const std::string& ref,
                  const std::string& media_type, const std::string& body);

// Serves GET /token on loopback: answers only requests with basic auth `creds`, with an RS256
// JWT for any requested scope signed by a self-signed cert made at start.
class TokenServer {
 public:
  TokenServer(std::string dir, std::string creds, std::string issuer, std::string service)
      : dir_(std::move(dir)),
        creds_(std::move(creds)),
        issuer_(std::move(issuer)),
        service_(std::move(service)) {}
  ~TokenServer() { Stop(); }
  bool Start();
  void Stop();
  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  std::string cert_path() const { return dir_ + "/token-cert.pem"; }
  int requests() const { return requests_; }

 private:
  void Serve();
  std::string MakeToken(const std::string& scope);
  std::string dir_, creds_, issuer_, service_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace hp::testing
