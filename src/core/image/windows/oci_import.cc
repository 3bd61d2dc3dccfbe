#include "core/image/windows/oci_import.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/image/byte_source.h"
#include "core/image/digest.h"
#include "core/image/manifest.h"
#include "core/image/record.h"
#include "core/image/reference.h"
#include "core/image/tar_reader.h"
#include "core/image/windows/dir_images.h"
#include "core/image/windows/tar_unpack.h"
#include "core/image/windows_layer.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {
using nlohmann::json;

// Index, manifests, configs and docker's manifest.json are read whole: a bound keeps a damaged
// or hostile file from taking the memory.
constexpr size_t kMaxJson = 4 << 20;

// Where an image's members are: a layout directory, or a tarball's unpacked copy (`tarball`:
// errors then name the member as in the tarball, not in the temp directory that is gone by the
// time they are shown; the context names the tarball).
struct Source {
  std::string dir;
  bool tarball = false;

  std::string Path(std::string_view rel) const {
    std::string p = dir;
    for (const std::string& c : Split(rel, '/')) {
      if (c.empty()) continue;
      p += '\\';
      p += c;
    }
    return p;
  }
  std::string Shown(std::string_view rel) const {
    return fmt::format("\"{}\"", tarball ? std::string(rel) : Path(rel));
  }
};

Result<std::string> ReadMember(const Source& src, std::string_view rel) {
  std::string path = src.Path(rel);
  if (!sys::Exists(path)) return Err(ErrorCode::kNotFound, "{} is missing", src.Shown(rel));
  ASSIGN_OR_RETURN(std::string data, sys::ReadFileUpTo(path, kMaxJson));
  if (data.size() > kMaxJson)
    return Err(ErrorCode::kInvalidArgument, "{} is larger than {} bytes", src.Shown(rel), kMaxJson);
  return data;
}

std::string BlobName(std::string_view digest) {
  return "blobs/sha256/" + std::string(DigestHex(digest));
}

// The blob `digest` of the layout, checked against it. `what` says what it is ("manifest").
Result<std::string> ReadBlob(const Source& src, std::string_view digest, std::string_view what) {
  std::string rel = BlobName(digest);
  ASSIGN_OR_RETURN(std::string data, ReadMember(src, rel));
  if (Sha256Digest(data) != digest)
    return Err(ErrorCode::kInvalidArgument,
               "{} {} does not match its digest {} (damaged or altered): export the image again",
               what, src.Shown(rel), digest);
  return data;
}

// The digest a docker archive's member name carries: `blobs/sha256/<hex>` (docker 25 and
// later) or `<hex>.json` (a config, before); empty when it carries none (`<id>/layer.tar`).
std::string DigestInName(std::string_view rel) {
  std::vector<std::string> parts = Split(rel, '/');
  std::string hex;
  if (parts.size() == 3 && parts[0] == "blobs" && parts[1] == "sha256") hex = parts[2];
  if (parts.size() == 1 && parts[0].size() == 69 && parts[0].substr(64) == ".json")
    hex = parts[0].substr(0, 64);
  std::string digest = "sha256:" + hex;
  return IsValidDigest(digest) ? digest : "";
}

struct PlannedLayer {
  std::string rel;         // the member holding the layer
  std::string digest;      // its blob digest; empty when the source does not say (docker archive)
  std::string diff_id;     // from the image config: the sha256 of the uncompressed tar
  std::string media_type;  // from the manifest; empty: from the blob's first bytes
};

bool IsForeign(std::string_view media_type) {
  return media_type.find("foreign") != std::string_view::npos ||
         media_type.find("nondistributable") != std::string_view::npos;
}

// Reads layer `pl` once: checked against its digest and its diff id while it is applied to
// `files`.
Result<LayerRecord> ApplyLayer(const Source& src, const PlannedLayer& pl, const std::string& files,
                               LayerApplyState& state) {
  std::string shown = src.Shown(pl.rel);
  std::string path = src.Path(pl.rel);
  if (!sys::Exists(path)) {
    if (IsForeign(pl.media_type))
      return Err(ErrorCode::kNotFound,
                 "layer {} is missing: it is a foreign (non-distributable) layer, which the export "
                 "left out; export the image with its foreign layers",
                 shown);
    return Err(ErrorCode::kNotFound, "layer {} is missing", shown);
  }
  ASSIGN_OR_RETURN(auto file, FileSource::Open(path));
  HashingSource raw(*file);
  bool gzipped = false;
  ASSIGN_OR_RETURN(auto tar_bytes, Decompressed(raw, "layer " + shown, &gzipped));
  HashingSource diff(*tar_bytes);
  TarReader tar(diff, "layer " + shown);
  TRY(ApplyWindowsLayer(tar, files, shown, state));
  TRY(Drain(diff));  // the tar's padding after its end blocks
  TRY(Drain(raw));
  LayerRecord l;
  l.digest = raw.Digest();
  l.diff_id = diff.Digest();
  l.size = raw.bytes();
  if (!pl.digest.empty() && l.digest != pl.digest)
    return Err(ErrorCode::kInvalidArgument,
               "layer {} does not match its digest {} (damaged or altered): export the image "
               "again",
               shown, pl.digest);
  if (l.diff_id != pl.diff_id)
    return Err(ErrorCode::kInvalidArgument,
               "layer {}: its uncompressed content does not match the image config's diff id {} "
               "(damaged or altered): export the image again",
               shown, pl.diff_id);
  l.media_type = !pl.media_type.empty() ? pl.media_type
                 : gzipped              ? std::string(kMediaDockerLayer)
                                        : "application/vnd.docker.image.rootfs.diff.tar";
  return l;
}

std::vector<std::string> Warnings(const LayerApplyState& st, const std::string& name) {
  std::vector<std::string> out;
  if (st.symlinks > 0)
    out.push_back(fmt::format(
        "image {}: {} symbolic link(s) in its layers not made: links need a privilege the import "
        "does not take (and Wine cannot make them); nothing is in their place",
        name, st.symlinks));
  if (st.streams > 0)
    out.push_back(
        fmt::format("image {}: {} alternate data stream(s) not imported", name, st.streams));
  if (st.others > 0)
    out.push_back(
        fmt::format("image {}: {} device or FIFO entries below Files/ skipped", name, st.others));
  return out;
}

// Applies the layers into a fresh `.import-*` directory and renames it into place as the image
// `rec`; `finish` completes the record once the layers are known.
Result<ImportedImage> Build(const std::string& root, const Source& src, ImageRecord rec,
                            const std::vector<PlannedLayer>& layers,
                            const std::function<void(ImageRecord&)>& finish = {}) {
  ASSIGN_OR_RETURN(std::string tmp, MakeImportDir(root));
  ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
  std::string files = tmp + "\\Files";
  std::error_code ec;
  std::filesystem::create_directory(
      std::filesystem::path(std::u8string(files.begin(), files.end())), ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", files, ec.message());
  LayerApplyState state;
  for (const PlannedLayer& pl : layers) {
    ASSIGN_OR_RETURN(LayerRecord l, ApplyLayer(src, pl, files, state));
    rec.size += l.size;
    rec.layers.push_back(std::move(l));
  }
  if (finish) finish(rec);
  rec.created = Rfc3339(NowUnixSeconds());
  TRY(CommitImportDir(root, tmp, rec));
  rm.Dismiss();
  return ImportedImage{rec, Warnings(state, rec.name)};
}

Result<ImportedImage> FromLayout(const std::string& root, const std::string& norm,
                                 const Source& src, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string index_json, ReadMember(src, "index.json"));
  ASSIGN_OR_RETURN_CTX(auto entries, ParseIndex(index_json), "{}", src.Shown("index.json"));
  if (entries.empty())
    return Err(ErrorCode::kInvalidArgument, "{}: no images in the index", src.Shown("index.json"));
  ASSIGN_OR_RETURN(Platform plat, ParsePlatform(opts.platform));
  Descriptor desc = entries[0];
  if (entries.size() > 1) {
    ASSIGN_OR_RETURN(desc, SelectPlatform(entries, plat));
  }
  std::string manifest_json;
  for (int depth = 0;; ++depth) {
    ASSIGN_OR_RETURN(manifest_json, ReadBlob(src, desc.digest, "manifest"));
    ASSIGN_OR_RETURN_CTX(std::string mt, DetectMediaType(manifest_json), "manifest {}",
                         src.Shown(BlobName(desc.digest)));
    if (!IsIndexMediaType(mt)) break;
    if (depth > 3)
      return Err(ErrorCode::kInvalidArgument, "{}: indexes nested too deep",
                 src.Shown("index.json"));
    ASSIGN_OR_RETURN_CTX(auto sub, ParseIndex(manifest_json), "index {}",
                         src.Shown(BlobName(desc.digest)));
    ASSIGN_OR_RETURN(desc, SelectPlatform(sub, plat));
  }
  ASSIGN_OR_RETURN_CTX(Manifest m, ParseManifest(manifest_json), "manifest {}",
                       src.Shown(BlobName(desc.digest)));
  ASSIGN_OR_RETURN(std::string config_json, ReadBlob(src, m.config.digest, "image config"));
  ASSIGN_OR_RETURN_CTX(ParsedConfig pc, ParseImageConfig(config_json), "image config {}",
                       src.Shown(BlobName(m.config.digest)));
  if (pc.diff_ids.size() != m.layers.size())
    return Err(ErrorCode::kInvalidArgument, "manifest {}: {} layers but the config has {} diff ids",
               src.Shown(BlobName(desc.digest)), m.layers.size(), pc.diff_ids.size());
  ImageRecord rec;
  rec.name = norm;
  rec.config = pc.config;
  ApplyImportOptions(rec.config, opts);
  rec.id = m.config.digest;
  rec.manifest_digest = desc.digest;
  std::vector<PlannedLayer> layers;
  for (size_t i = 0; i < m.layers.size(); ++i)
    layers.push_back(
        {BlobName(m.layers[i].digest), m.layers[i].digest, pc.diff_ids[i], m.layers[i].media_type});
  return Build(root, src, std::move(rec), layers);
}

Result<ImportedImage> FromDockerArchive(const std::string& root, const std::string& norm,
                                        const Source& src, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string mj, ReadMember(src, "manifest.json"));
  std::string config_rel;
  std::vector<std::string> layer_rels;
  json m = json::parse(mj, nullptr, false);
  if (!m.is_array() || m.empty() || !m[0].is_object() || !m[0].contains("Config") ||
      !m[0]["Config"].is_string())
    return Err(ErrorCode::kInvalidArgument, "{}: not a docker archive's manifest (no image)",
               src.Shown("manifest.json"));
  config_rel = m[0]["Config"].get<std::string>();
  if (auto l = m[0].find("Layers"); l != m[0].end() && l->is_array())
    for (const auto& x : *l)
      if (x.is_string()) layer_rels.push_back(x.get<std::string>());
  for (const std::string& rel : layer_rels) {
    if (auto p = SplitArchiveName(rel); !p || p->empty())
      return Err(ErrorCode::kInvalidArgument, "{}: layer \"{}\" refused: {}",
                 src.Shown("manifest.json"), rel, p ? "an empty name" : p.error().message());
  }
  if (auto p = SplitArchiveName(config_rel); !p || p->empty())
    return Err(ErrorCode::kInvalidArgument, "{}: config \"{}\" refused: {}",
               src.Shown("manifest.json"), config_rel, p ? "an empty name" : p.error().message());
  ASSIGN_OR_RETURN(std::string config_json, ReadMember(src, config_rel));
  std::string id = Sha256Digest(config_json);
  if (std::string named = DigestInName(config_rel); !named.empty() && named != id)
    return Err(ErrorCode::kInvalidArgument,
               "image config {} does not match its digest {} (damaged or altered): export the "
               "image again",
               src.Shown(config_rel), named);
  ASSIGN_OR_RETURN_CTX(ParsedConfig pc, ParseImageConfig(config_json), "image config {}",
                       src.Shown(config_rel));
  if (pc.diff_ids.size() != layer_rels.size())
    return Err(ErrorCode::kInvalidArgument, "{}: {} layers but the config has {} diff ids",
               src.Shown("manifest.json"), layer_rels.size(), pc.diff_ids.size());
  ImageRecord rec;
  rec.name = norm;
  rec.config = pc.config;
  ApplyImportOptions(rec.config, opts);
  rec.id = id;
  std::vector<PlannedLayer> layers;
  for (size_t i = 0; i < layer_rels.size(); ++i)
    layers.push_back({layer_rels[i], DigestInName(layer_rels[i]), pc.diff_ids[i], ""});
  // The manifest the Linux import writes for a docker archive, so that both give one digest.
  size_t config_size = config_json.size();
  return Build(root, src, std::move(rec), layers, [config_size](ImageRecord& r) {
    json mlayers = json::array();
    for (const LayerRecord& l : r.layers)
      mlayers.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
    json man{
        {"schemaVersion", 2},
        {"mediaType", kMediaDockerManifest},
        {"config", {{"mediaType", kMediaDockerConfig}, {"digest", r.id}, {"size", config_size}}},
        {"layers", mlayers}};
    r.manifest_digest = Sha256Digest(man.dump());
  });
}

}  // namespace

Result<ImportedImage> ImportOciLayout(const std::string& root, const std::string& dir,
                                      std::string_view name, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(name));
  TRY(CheckImportPlatform(dir, opts));
  return FromLayout(root, norm, Source{dir, false}, opts).map_error([&](Error e) {
    return std::move(e).Context(fmt::format("import OCI layout \"{}\"", dir));
  });
}

Result<ImportedImage> ImportImageTarball(const std::string& root, const std::string& file,
                                         std::string_view name, const ImportOptions& opts) {
  ASSIGN_OR_RETURN(std::string norm, NormalImportName(name));
  TRY(CheckImportPlatform(file, opts));
  auto r = [&]() -> Result<ImportedImage> {
    ASSIGN_OR_RETURN(std::string tmp, MakeImportDir(root));
    ScopeExit rm([&] { (void)sys::RemoveAll(tmp); });
    {
      ASSIGN_OR_RETURN(auto in, FileSource::Open(file));
      ASSIGN_OR_RETURN(auto tar_bytes, Decompressed(*in, "tarball"));
      TarReader tar(*tar_bytes, "tarball");
      TRY(UnpackImageTarball(tar, tmp, "tarball"));
    }
    Source src{tmp, true};
    if (sys::Exists(tmp + "\\oci-layout")) return FromLayout(root, norm, src, opts);
    if (sys::Exists(tmp + "\\manifest.json")) return FromDockerArchive(root, norm, src, opts);
    return Err(ErrorCode::kInvalidArgument,
               "no image in it: neither an OCI image layout (oci-layout, index.json) nor a docker "
               "archive (manifest.json); make it with docker save or ctr export");
  }();
  return r.map_error(
      [&](Error e) { return std::move(e).Context(fmt::format("import \"{}\"", file)); });
}

}  // namespace hp::image
