// Test helper: the inputs `hostprocess import` takes (an OCI image layout, a `docker save`
// archive) built at run time from TarBuilder layers, as a list of files that a test writes
// into a directory or packs into a tarball.
#pragma once

#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/image/digest.h"
#include "core/image/manifest.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"

namespace hp::testing {

using Files = std::vector<std::pair<std::string, std::string>>;  // relative path, content

struct BuiltLayer {
  std::string blob;     // as stored (compressed or not)
  std::string digest;   // of `blob`
  std::string diff_id;  // of the uncompressed tar
  std::string media_type;
};

// A gzip blob carries the time it was built: build a layer once and reuse it, or digests differ.
inline BuiltLayer MakeLayer(const TarBuilder& b, TarBuilder::Filter f = TarBuilder::Filter::kGzip) {
  BuiltLayer l;
  l.blob = b.Build(f);
  l.digest = image::Sha256Digest(l.blob);
  l.diff_id = image::Sha256Digest(b.Build());
  l.media_type = f == TarBuilder::Filter::kGzip   ? "application/vnd.oci.image.layer.v1.tar+gzip"
                 : f == TarBuilder::Filter::kZstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                                  : "application/vnd.oci.image.layer.v1.tar";
  return l;
}

struct ImageSpec {
  std::vector<BuiltLayer> layers;
  nlohmann::json config = nlohmann::json::object();  // Env, Entrypoint, Cmd, WorkingDir, ...
  std::string architecture = image::ParsePlatform("")->architecture;
  std::string os = "linux";
};

inline std::string ConfigJson(const ImageSpec& s) {
  nlohmann::json diff_ids = nlohmann::json::array();
  for (const auto& l : s.layers) diff_ids.push_back(l.diff_id);
  return nlohmann::json{{"architecture", s.architecture},
                        {"os", s.os},
                        {"config", s.config},
                        {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
      .dump();
}

inline std::string ManifestJson(const ImageSpec& s) {
  std::string config = ConfigJson(s);
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : s.layers)
    layers.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.blob.size()}});
  return nlohmann::json{{"schemaVersion", 2},
                        {"mediaType", image::kMediaOciManifest},
                        {"config",
                         {{"mediaType", image::kMediaOciConfig},
                          {"digest", image::Sha256Digest(config)},
                          {"size", config.size()}}},
                        {"layers", layers}}
      .dump();
}

inline std::string BlobName(const std::string& digest) {
  return "blobs/sha256/" + std::string(image::DigestHex(digest));
}

// An OCI image layout: oci-layout, index.json and every blob. With more than one spec the
// index lists one manifest per spec with its platform.
inline Files OciLayoutFiles(const std::vector<ImageSpec>& specs) {
  Files f{{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"}};
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& s : specs) {
    std::string config = ConfigJson(s), manifest = ManifestJson(s);
    f.emplace_back(BlobName(image::Sha256Digest(config)), config);
    f.emplace_back(BlobName(image::Sha256Digest(manifest)), manifest);
    for (const auto& l : s.layers) f.emplace_back(BlobName(l.digest), l.blob);
    nlohmann::json d{{"mediaType", image::kMediaOciManifest},
                     {"digest", image::Sha256Digest(manifest)},
                     {"size", manifest.size()},
                     {"annotations", {{"org.opencontainers.image.ref.name", "v1"}}}};
    if (specs.size() > 1) d["platform"] = {{"os", s.os}, {"architecture", s.architecture}};
    manifests.push_back(d);
  }
  f.emplace_back("index.json", nlohmann::json{{"schemaVersion", 2},
                                              {"mediaType", image::kMediaOciIndex},
                                              {"manifests", manifests}}
                                   .dump());
  return f;
}

// `docker save` (legacy layout): manifest.json, <hex>.json config, <n>/layer.tar per layer.
inline Files DockerArchiveFiles(const ImageSpec& s, const std::string& repo_tag = "x/y:z") {
  std::string config = ConfigJson(s);
  std::string config_name = std::string(image::DigestHex(image::Sha256Digest(config))) + ".json";
  Files f{{config_name, config}};
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < s.layers.size(); ++i) {
    std::string name = "layer" + std::to_string(i) + "/layer.tar";
    f.emplace_back("layer" + std::to_string(i) + "/VERSION", "1.0");
    f.emplace_back(name, s.layers[i].blob);
    layers.push_back(name);
  }
  f.emplace_back("manifest.json",
                 nlohmann::json::array(
                     {{{"Config", config_name}, {"RepoTags", {repo_tag}}, {"Layers", layers}}})
                     .dump());
  return f;
}

inline void WriteFiles(const std::string& dir, const Files& files) {
  for (const auto& [rel, data] : files) {
    std::string path = dir + "/" + rel;
    (void)sys::MkdirAll(path.substr(0, path.rfind('/')));
    (void)sys::WriteFile(path, data);
  }
}

inline TarBuilder FilesTar(const Files& files) {
  TarBuilder b;
  for (const auto& [rel, data] : files) b.File(rel, data);
  return b;
}

}  // namespace hp::testing
