#include "e2e/image/registry_fixture.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/loopback.h"
#include "core/image/digest.h"

namespace hp::testing {
namespace {

size_t Collect(char* d, size_t s, size_t n, void* p) {
  static_cast<std::string*>(p)->append(d, s * n);
  return s * n;
}
size_t CollectHeader(char* d, size_t s, size_t n, void* p) {
  std::string line(d, s * n);
  if (line.rfind("Location:", 0) == 0 || line.rfind("location:", 0) == 0) {
    std::string v = line.substr(9);
    while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    *static_cast<std::string*>(p) = v;
  }
  return s * n;
}

long Request(const std::string& method, const std::string& url, const std::string& body,
             const std::string& content_type, std::string* location) {
  CURL* c = curl_easy_init();
  std::string out;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  std::string loc;
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &loc);
  curl_slist* h = nullptr;
  if (!content_type.empty()) h = curl_slist_append(h, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  if (location) *location = loc;
  return status;
}

std::string B64(const std::string& s, bool url) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  if (url) {
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& ch : out) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  }
  return out;
}

}  // namespace

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool Registry::Start(const std::string& token_realm, const std::string& cert_bundle) {
  std::string cfg = dir_ + "/registry.yml";
  std::ofstream f(cfg);
  f << "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
    << "storage:\n  filesystem:\n    rootdirectory: " << storage() << "\n"
    << "http:\n  addr: 127.0.0.1:" << port_ << "\n";
  if (!token_realm.empty())
    f << "auth:\n  token:\n    realm: " << token_realm << "\n    service: test-registry\n"
      << "    issuer: test-issuer\n    rootcertbundle: " << cert_bundle << "\n";
  f.close();
  pid_ = ::fork();
  if (pid_ == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl("/usr/bin/docker-registry", "docker-registry", "serve", cfg.c_str(), nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 100; ++i) {
    long st = Request("GET", "http://" + host() + "/v2/", "", "", nullptr);
    if (st == 200 || st == 401) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void Registry::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

std::string Registry::BlobDataPath(const std::string& digest) const {
  std::string hex = digest.substr(7);
  return storage() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

std::string PushBlob(const std::string& host, const std::string& repo, const std::string& data) {
  std::string digest = image::Sha256Digest(data);
  std::string loc;
  if (Request("POST", "http://" + host + "/v2/" + repo + "/blobs/uploads/", "", "", &loc) != 202)
    return "";
  if (loc.rfind("http", 0) != 0) loc = "http://" + host + loc;
  loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  if (Request("PUT", loc, data, "application/octet-stream", nullptr) != 201) return "";
  return digest;
}

bool PushManifest(const std::string& host, const std::string& repo, const std::string& ref,
                  const std::string& media_type, const std::string& body) {
  return Request("PUT", "http://" + host + "/v2/" + repo + "/manifests/" + ref, body, media_type,
                 nullptr) == 201;
}

bool TokenServer::Start() {
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir_ +
                    "/token-key.pem -out " + cert_path() +
                    " -days 1 -subj /CN=hp-test-token >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return false;
  listen_fd_ = hp::testing::ListenOnLoopback(16, &port_);
  if (listen_fd_ < 0) return false;
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void TokenServer::Stop() {
  if (listen_fd_ >= 0) {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  if (thread_.joinable()) thread_.join();
}

std::string TokenServer::MakeToken(const std::string& scope) {
  FILE* cf = std::fopen(cert_path().c_str(), "r");
  X509* cert = PEM_read_X509(cf, nullptr, nullptr, nullptr);
  std::fclose(cf);
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert, &der);
  std::string der_s(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  X509_free(cert);
  FILE* kf = std::fopen((dir_ + "/token-key.pem").c_str(), "r");
  EVP_PKEY* key = PEM_read_PrivateKey(kf, nullptr, nullptr, nullptr);
  std::fclose(kf);

  nlohmann::json header{{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {B64(der_s, false)}}};
  // scope = "repository:NAME:pull,push"
  nlohmann::json access = nlohmann::json::array();
  auto c1 = scope.find(':'), c2 = scope.rfind(':');
  if (c1 != std::string::npos && c2 != c1) {
    nlohmann::json actions = nlohmann::json::array();
    std::string acts = scope.substr(c2 + 1);
    for (size_t p = 0; p != std::string::npos;) {
      size_t q = acts.find(',', p);
      actions.push_back(acts.substr(p, q == std::string::npos ? q : q - p));
      p = q == std::string::npos ? q : q + 1;
    }
    access.push_back({{"type", scope.substr(0, c1)},
                      {"name", scope.substr(c1 + 1, c2 - c1 - 1)},
                      {"actions", actions}});
  }
  long now = static_cast<long>(std::time(nullptr));
  nlohmann::json claims{{"iss", issuer_},
                        {"sub", "alice"},
                        {"aud", service_},
                        {"exp", now + 600},
                        {"nbf", now - 60},
                        {"iat", now},
                        {"jti", std::to_string(now) + std::to_string(requests_)},
                        {"access", access}};
  std::string signing = B64(header.dump(), true) + "." + B64(claims.dump(), true);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  size_t sig_len = 0;
  EVP_DigestSign(md, nullptr, &sig_len, reinterpret_cast<const unsigned char*>(signing.data()),
                 signing.size());
  std::string sig(sig_len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                 reinterpret_cast<const unsigned char*>(signing.data()), signing.size());
  sig.resize(sig_len);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return signing + "." + B64(sig, true);
}

void TokenServer::Serve() {
  while (!stop_) {
    int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    requests_++;
    std::string status = "200 OK", body;
    std::string want = "Authorization: Basic " + B64(creds_, false);
    if (req.find(want) == std::string::npos) {
      status = "401 Unauthorized";
      body = R"({"details":"bad credentials"})";
    } else {
      std::string scope;
      auto p = req.find("scope=");
      if (p != std::string::npos) {
        auto e = req.find_first_of("& ", p);
        char* un = curl_unescape(req.substr(p + 6, e - p - 6).c_str(), 0);
        scope = un;
        curl_free(un);
      }
      body = nlohmann::json{{"token", MakeToken(scope)}}.dump();
    }
    std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" +
                       "Content-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: close\r\n\r\n" + body;
    (void)!::write(c, resp.data(), resp.size());
    ::close(c);
  }
}

}  // namespace hp::testing
