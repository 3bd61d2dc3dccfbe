#include "core/image/registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/image/digest.h"
#include "core/image/http.h"
#include "core/image/manifest.h"
#include "core/image/reference.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {
using nlohmann::json;

constexpr size_t kMaxManifest = 4 << 20;

std::string HostOnly(const std::string& domain) {
  if (StartsWith(domain, "[")) return domain.substr(1, domain.find(']') - 1);
  return domain.substr(0,
                       domain.rfind(':') == std::string::npos ? domain.size() : domain.rfind(':'));
}

bool IsLoopbackLiteral(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  struct in_addr a;
  return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
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

std::string Base64Decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return {};
  out.resize(static_cast<size_t>(n));
  while (!in.empty() && in.back() == '=' && !out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

bool Retryable(long status) { return status == 429 || status >= 500; }

// One registry + repository, with the auth state shared by the download threads.
class Session {
 public:
  Session(std::string base, std::string repo, std::string creds, const PullOptions& opts)
      : base_(std::move(base)), repo_(std::move(repo)), creds_(std::move(creds)), opts_(opts) {}

  // GET with auth (answers a 401 challenge once per request) and retries with back-off for
  // network errors and 5xx/429. `prepare` runs before every attempt (resume offsets).
  Result<HttpResponse> Get(const std::string& path, HttpRequest req,
                           const std::function<void(HttpRequest&)>& prepare = {}) {
    req.url = base_ + "/v2/" + repo_ + path;
    req.max_bytes_per_second = opts_.max_bytes_per_second;
    auto delay = opts_.backoff;
    Error last;
    for (int attempt = 0; attempt <= opts_.retries; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(delay);
        delay *= 2;
      }
      HttpRequest r = req;
      if (prepare) prepare(r);
      auto resp = Send(r);
      if (resp && resp->status == 401) {
        TRY(Authenticate(resp->headers["www-authenticate"]));
        if (prepare) {
          r = req;
          prepare(r);
        }
        resp = Send(r);
      }
      if (!resp) {
        last = resp.error();
        if (last.code() != ErrorCode::kUnavailable) break;
        continue;
      }
      if (Retryable(resp->status) && attempt < opts_.retries) {
        last = Error(fmt::format("GET \"{}\": HTTP {}", req.url, resp->status),
                     ErrorCode::kUnavailable);
        continue;
      }
      return resp;
    }
    return tl::unexpected(last.Context(fmt::format("after {} attempts", opts_.retries + 1)));
  }

 private:
  Result<HttpResponse> Send(HttpRequest r) {
    {
      std::lock_guard lk(mu_);
      if (!auth_.empty()) r.headers.push_back(auth_);
    }
    return HttpGet(r);
  }

  Status Authenticate(const std::string& header) {
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
                 base_, header);
    std::string scope = ch.count("scope") ? ch["scope"] : "repository:" + repo_ + ":pull";
    std::string url = ch["realm"];
    url += (url.find('?') == std::string::npos ? "?" : "&");
    if (!ch["service"].empty()) url += "service=" + UrlEscape(ch["service"]) + "&";
    url += "scope=" + UrlEscape(scope);
    HttpRequest tr;
    tr.url = url;
    tr.basic_auth = creds_;
    tr.max_body = 1 << 20;
    ASSIGN_OR_RETURN(HttpResponse resp, HttpGet(tr));
    if (resp.status != 200)
      return Err(ErrorCode::kPermissionDenied, "token server \"{}\": HTTP {}: {}", ch["realm"],
                 resp.status, resp.body.substr(0, 200));
    try {
      json j = json::parse(resp.body);
      std::string tok = j.value("token", "");
      if (tok.empty()) tok = j.value("access_token", "");
      if (tok.empty()) return Err(ErrorCode::kPermissionDenied, "token server gave no token");
      auth_ = "Authorization: Bearer " + tok;
    } catch (const json::exception& e) {
      return Err(ErrorCode::kPermissionDenied, "token server \"{}\": {}", ch["realm"], e.what());
    }
    return Ok();
  }

  static std::string Base64Encode(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    out.resize(static_cast<size_t>(n));
    return out;
  }

  std::string base_, repo_, creds_;
  const PullOptions& opts_;
  std::mutex mu_;
  std::string auth_;
};

std::string AcceptHeader() {
  return fmt::format("Accept: {}, {}, {}, {}", kMediaOciIndex, kMediaOciManifest, kMediaDockerList,
                     kMediaDockerManifest);
}

struct Counters {
  std::atomic<int> downloaded{0}, present{0};
  std::atomic<int64_t> bytes{0}, resumed{0};
};

// Downloads blob `d` into the store once: per-blob lock, resume from the partial file,
// digest verified before the blob becomes visible.
Status FetchBlob(Store& store, Session& s, const Descriptor& d, const PullOptions& opts,
                 Counters& c) {
  return store.WithLock("blob-" + std::string(DigestHex(d.digest)), [&]() -> Status {
    if (store.HasBlob(d.digest)) {
      c.present++;
      if (opts.progress) opts.progress({d.digest, d.size, d.size, true});
      return Ok();
    }
    std::string partial = store.PartialPath(d.digest);
    ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(partial, O_RDWR | O_CREAT, 0600));
    Sha256 hash;
    int64_t have = 0;
    bool first_prepare = true;
    auto prepare = [&](HttpRequest& r) {
      // Re-hash what is on disk: it is the prefix we ask the server to continue.
      hash.Final();
      have = 0;
      std::string buf(1 << 20, '\0');
      ::lseek(fd.get(), 0, SEEK_SET);
      while (true) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n <= 0) break;
        hash.Update(buf.data(), static_cast<size_t>(n));
        have += n;
      }
      if (d.size > 0 && have > d.size) {  // garbage: start over
        (void)!::ftruncate(fd.get(), 0);
        hash.Final();
        have = 0;
      }
      if (first_prepare && have > 0) c.resumed += have;
      first_prepare = false;
      r.range_from = have > 0 ? have : -1;
    };
    int64_t written = 0;
    HttpRequest req;
    req.on_start = [&](long status) {
      if (status == 200 && have > 0) {  // Range ignored: the whole blob follows
        (void)!::ftruncate(fd.get(), 0);
        ::lseek(fd.get(), 0, SEEK_SET);
        hash.Final();
        have = 0;
      }
    };
    req.sink = [&](const char* p, size_t n) -> bool {
      if (d.size > 0 && have + written + static_cast<int64_t>(n) > d.size) return false;
      if (!sys::WriteAll(fd.get(), std::string_view(p, n))) return false;
      hash.Update(p, n);
      written += static_cast<int64_t>(n);
      c.bytes += static_cast<int64_t>(n);
      if (opts.progress) opts.progress({d.digest, have + written, d.size, false});
      return true;
    };
    auto wrapped_prepare = [&](HttpRequest& r) {
      prepare(r);
      written = 0;
      ::lseek(fd.get(), have, SEEK_SET);
    };
    ASSIGN_OR_RETURN(HttpResponse resp, s.Get("/blobs/" + d.digest, req, wrapped_prepare));
    if (resp.aborted)
      return Err(ErrorCode::kInvalidArgument,
                 "blob \"{}\": registry sent more than the {} bytes "
                 "announced",
                 d.digest, d.size);
    if (resp.status == 416) {  // our partial is complete or bogus: start over next time
      ::unlink(partial.c_str());
      return Err(ErrorCode::kUnavailable, "blob \"{}\": range not satisfiable", d.digest);
    }
    if (resp.status != 200 && resp.status != 206)
      return Err(resp.status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                 "blob \"{}\": HTTP {}: {}", d.digest, resp.status, resp.body.substr(0, 200));
    std::string got = hash.Final();
    if (got != d.digest) {
      ::unlink(partial.c_str());
      return Err(ErrorCode::kInvalidArgument,
                 "blob \"{}\": digest mismatch: the registry sent content with digest \"{}\" "
                 "(nothing stored)",
                 d.digest, got);
    }
    fd.reset();
    TRY(store.CommitBlobFile(partial, d.digest));
    c.downloaded++;
    if (opts.progress) opts.progress({d.digest, d.size, d.size, true});
    return Ok();
  });
}

Result<std::string> FetchManifest(Session& s, const std::string& ref, const std::string& expect) {
  HttpRequest req;
  req.headers.push_back(AcceptHeader());
  req.max_body = kMaxManifest;
  ASSIGN_OR_RETURN(HttpResponse resp, s.Get("/manifests/" + ref, req));
  if (resp.status == 404)
    return Err(ErrorCode::kNotFound, "manifest \"{}\" not found: {}", ref,
               resp.body.substr(0, 200));
  if (resp.status != 200)
    return Err(ErrorCode::kUnavailable, "manifest \"{}\": HTTP {}: {}", ref, resp.status,
               resp.body.substr(0, 200));
  std::string got = Sha256Digest(resp.body);
  if (!expect.empty() && got != expect)
    return Err(ErrorCode::kInvalidArgument,
               "manifest \"{}\": digest mismatch: expected \"{}\", got \"{}\"", ref, expect, got);
  return resp.body;
}

}  // namespace

Result<std::string> LookupCredentials(const std::string& config_path, const std::string& registry) {
  if (!sys::Exists(config_path)) return std::string();
  ASSIGN_OR_RETURN(std::string data, sys::ReadFile(config_path));
  try {
    json j = json::parse(data);
    json auths = j.contains("auths") && j["auths"].is_object() ? j["auths"] : json::object();
    for (auto& [key, v] : auths.items()) {
      std::string k = key;
      for (const char* p : {"https://", "http://"})
        if (StartsWith(k, p)) k = k.substr(std::strlen(p));
      k = k.substr(0, k.find('/'));
      if (k == "index.docker.io" || k == "registry-1.docker.io") k = "docker.io";
      if (k != registry || !v.is_object()) continue;
      if (v.contains("auth")) {
        std::string dec = Base64Decode(v.value("auth", ""));
        if (dec.find(':') == std::string::npos)
          return Err(ErrorCode::kInvalidArgument, "docker config \"{}\": bad auth for \"{}\"",
                     config_path, key);
        return dec;
      }
      if (v.contains("username")) return v.value("username", "") + ":" + v.value("password", "");
    }
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "docker config \"{}\": {}", config_path, e.what());
  }
  return std::string();
}

Result<PullResult> Pull(Store& store, std::string_view ref_in, const PullOptions& opts) {
  ASSIGN_OR_RETURN(Reference ref, ParseReference(ref_in));
  ASSIGN_OR_RETURN(Platform plat, ParsePlatform(opts.platform));
  std::string host = ref.RegistryHost();
  std::string h = HostOnly(host);
  std::string scheme = "https";
  if (IsLoopbackLiteral(h)) {
    scheme = "http";
  } else if (opts.insecure) {
    if (!ResolvesOnlyToLoopback(h))
      return Err(ErrorCode::kPermissionDenied,
                 "--insecure: refusing plain HTTP to \"{}\", which is not a loopback registry",
                 host);
    scheme = "http";
  }
  std::string cfg = opts.auth_config;
  if (cfg.empty()) {
    const char* dc = std::getenv("DOCKER_CONFIG");
    const char* home = std::getenv("HOME");
    cfg = dc && *dc ? std::string(dc) + "/config.json"
                    : std::string(home ? home : "/root") + "/.docker/config.json";
  }
  ASSIGN_OR_RETURN(std::string creds, LookupCredentials(cfg, ref.domain));
  ASSIGN_OR_RETURN(UniqueFd gc_lock, store.SharedGcLock());
  Session s(scheme + "://" + host, ref.path, creds, opts);
  auto ctx = [&](Error e) {
    return std::move(e).Context(fmt::format("pull \"{}\"", ref.String()));
  };

  std::string want = ref.digest.empty() ? ref.tag : ref.digest;
  auto body = FetchManifest(s, want, ref.digest);
  if (!body) return tl::unexpected(ctx(body.error()));
  std::string manifest_json = *body;
  std::string manifest_digest = Sha256Digest(manifest_json);
  auto mt = DetectMediaType(manifest_json);
  if (!mt) return tl::unexpected(ctx(mt.error()));
  if (IsIndexMediaType(*mt)) {
    auto entries = ParseIndex(manifest_json);
    if (!entries) return tl::unexpected(ctx(entries.error()));
    auto d = SelectPlatform(*entries, plat);
    if (!d) return tl::unexpected(ctx(d.error()));
    auto sub = FetchManifest(s, d->digest, d->digest);
    if (!sub) return tl::unexpected(ctx(sub.error()));
    manifest_json = *sub;
    manifest_digest = d->digest;
  }
  auto m = ParseManifest(manifest_json);
  if (!m) return tl::unexpected(ctx(m.error()));

  Counters c;
  PullResult out;
  auto cst = FetchBlob(store, s, m->config, opts, c);
  if (!cst) return tl::unexpected(ctx(cst.error()));
  auto config_json = store.ReadBlob(m->config.digest);
  if (!config_json) return tl::unexpected(ctx(config_json.error()));
  auto pc = ParseImageConfig(*config_json);
  if (!pc) return tl::unexpected(ctx(pc.error()));
  if (pc->diff_ids.size() != m->layers.size())
    return Err(ctx(Error(fmt::format("{} layers but {} diff ids in the config", m->layers.size(),
                                     pc->diff_ids.size()),
                         ErrorCode::kInvalidArgument)));

  // Layers in parallel; each is verified, then unpacked once.
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  std::optional<Error> first_err;
  auto worker = [&] {
    while (true) {
      size_t i = next++;
      if (i >= m->layers.size()) return;
      {
        std::lock_guard lk(err_mu);
        if (first_err) return;
      }
      Status st = FetchBlob(store, s, m->layers[i], opts, c);
      if (st)
        st = store.EnsureLayerUnpacked(
            {m->layers[i].digest, pc->diff_ids[i], m->layers[i].media_type, m->layers[i].size});
      if (!st) {
        std::lock_guard lk(err_mu);
        if (!first_err) first_err = st.error();
      }
    }
  };
  std::vector<std::thread> threads;
  int n = std::max(1, std::min<int>(opts.parallel, static_cast<int>(m->layers.size())));
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_err) return Err(ctx(*first_err));

  auto md = store.WriteBlob(manifest_json, manifest_digest);
  if (!md) return tl::unexpected(ctx(md.error()));
  ImageRecord rec;
  rec.name = ref.String();
  rec.id = m->config.digest;
  rec.manifest_digest = manifest_digest;
  rec.config = pc->config;
  for (size_t i = 0; i < m->layers.size(); ++i) {
    rec.layers.push_back(
        {m->layers[i].digest, pc->diff_ids[i], m->layers[i].media_type, m->layers[i].size});
    rec.size += m->layers[i].size;
  }
  TRY(store.PutImage(rec));
  auto stored = store.Resolve(rec.name);
  if (!stored) return tl::unexpected(ctx(stored.error()));
  out.image = *stored;
  out.blobs_downloaded = c.downloaded;
  out.blobs_present = c.present;
  out.bytes_downloaded = c.bytes;
  out.bytes_resumed = c.resumed;
  return out;
}

}  // namespace hp::image
