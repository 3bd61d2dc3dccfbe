#include "core/image/registry.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/strings.h"
#include "core/image/blob_fetch.h"
#include "core/image/digest.h"
#include "core/image/http.h"
#include "core/image/manifest.h"
#include "core/image/pull_target.h"
#include "core/image/reference.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {
using nlohmann::json;

std::string HostOnly(const std::string& domain) {
  if (StartsWith(domain, "[")) return domain.substr(1, domain.find(']') - 1);
  return domain.substr(0,
                       domain.rfind(':') == std::string::npos ? domain.size() : domain.rfind(':'));
}

std::string AcceptHeader() {
  return fmt::format("Accept: {}, {}, {}, {}", kMediaOciIndex, kMediaOciManifest, kMediaDockerList,
                     kMediaDockerManifest);
}

Result<std::string> FetchManifest(Session& s, const std::string& ref, const std::string& expect,
                                  std::chrono::milliseconds timeout) {
  HttpRequest req;
  req.headers.push_back(AcceptHeader());
  req.max_body = kMaxManifestBytes;
  ASSIGN_OR_RETURN(HttpResponse resp, s.Get("/manifests/" + ref, req, Clock::now() + timeout));
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
        std::string dec = Base64Decode(v.value("auth", "")).value_or("");
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

namespace {

// Text in errors may come from the registry (bodies, media types, JSON parser messages).
Error Printable(const Error& e) {
  Error out(EscapeControls(e.message()), e.code(), e.sys_errno());
  for (const auto& c : e.contexts()) out.Context(EscapeControls(c));
  return out;
}

// What a manifest announces, checked before anything is downloaded.
Status CheckSizes(const Manifest& m, const PullOptions& opts) {
  if (m.config.size > kMaxConfigBytes)
    return Err(ErrorCode::kInvalidArgument, "config \"{}\": {} bytes (the limit is {})",
               m.config.digest, m.config.size, kMaxConfigBytes);
  for (const auto& l : m.layers)
    if (l.size > opts.max_layer_bytes)
      return Err(ErrorCode::kInvalidArgument,
                 "layer \"{}\": {} bytes, more than --max-layer-size ({} bytes)", l.digest, l.size,
                 opts.max_layer_bytes);
  return Ok();
}

Result<PullResult> PullImpl(PullTarget& target, std::string_view ref_in, const PullOptions& opts) {
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
  std::string cfg = opts.auth_config.empty() ? DefaultDockerConfig() : opts.auth_config;
  ASSIGN_OR_RETURN(std::string creds, LookupCredentials(cfg, ref.domain));
  Session s(scheme + "://" + host, ref.path, creds, opts);
  auto ctx = [&](Error e) {
    return std::move(e).Context(fmt::format("pull \"{}\"", ref.String()));
  };

  std::string want = ref.digest.empty() ? ref.tag : ref.digest;
  auto body = FetchManifest(s, want, ref.digest, opts.timeout);
  if (!body) return tl::unexpected(ctx(body.error()));
  std::string manifest_json = *body;
  std::string manifest_digest = Sha256Digest(manifest_json);
  std::string index_digest;
  auto mt = DetectMediaType(manifest_json);
  if (!mt) return tl::unexpected(ctx(mt.error()));
  if (IsIndexMediaType(*mt)) {
    auto entries = ParseIndex(manifest_json);
    if (!entries) return tl::unexpected(ctx(entries.error()));
    auto d = SelectPlatform(*entries, plat);
    if (!d) return tl::unexpected(ctx(d.error()));
    auto sub = FetchManifest(s, d->digest, d->digest, opts.timeout);
    if (!sub) return tl::unexpected(ctx(sub.error()));
    manifest_json = *sub;
    index_digest = manifest_digest;
    manifest_digest = d->digest;
  }
  auto m = ParseManifest(manifest_json);
  if (!m) return tl::unexpected(ctx(m.error()));
  if (auto st = CheckSizes(*m, opts); !st) return tl::unexpected(ctx(st.error()));

  PullResult out;
  if (auto kept = target.KeptImage(ref.String(), manifest_digest)) {
    out.image = std::move(*kept);
    out.blobs_present = static_cast<int>(m->layers.size()) + 1;  // as if its blobs were found
    return out;
  }
  FetchCounters c;
  auto cst = FetchBlob(target, s, m->config, opts, c);
  if (!cst) return tl::unexpected(ctx(cst.error()));
  auto config_json = target.ReadBlob(m->config.digest);
  if (!config_json) return tl::unexpected(ctx(config_json.error()));
  auto pc = ParseImageConfig(*config_json);
  if (!pc) return tl::unexpected(ctx(pc.error()));
  if (!opts.platform.empty() && !IsIndexMediaType(*mt) &&
      (pc->config.os != plat.os || pc->config.architecture != plat.architecture))
    return Err(ctx(Error(fmt::format("the image is for \"{}/{}\", not the requested \"{}\"",
                                     pc->config.os, pc->config.architecture, opts.platform),
                         ErrorCode::kNotFound)));
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
      Status st = FetchBlob(target, s, m->layers[i], opts, c);
      if (st)
        st = target.LayerFetched(
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

  ImageRecord rec;
  rec.name = ref.String();
  rec.id = m->config.digest;
  rec.manifest_digest = manifest_digest;
  rec.index_digest = index_digest;
  rec.config = pc->config;
  for (size_t i = 0; i < m->layers.size(); ++i) {
    rec.layers.push_back(
        {m->layers[i].digest, pc->diff_ids[i], m->layers[i].media_type, m->layers[i].size});
    rec.size += m->layers[i].size;
  }
  auto stored = target.Commit(manifest_json, rec);
  if (!stored) return tl::unexpected(ctx(stored.error()));
  out.image = *stored;
  out.blobs_downloaded = c.downloaded;
  out.blobs_present = c.present;
  out.bytes_downloaded = c.bytes;
  out.bytes_resumed = c.resumed;
  return out;
}

}  // namespace

Result<PullResult> PullInto(PullTarget& target, std::string_view ref, const PullOptions& opts) {
  return PullImpl(target, ref, opts).map_error(Printable);
}

}  // namespace hp::image
