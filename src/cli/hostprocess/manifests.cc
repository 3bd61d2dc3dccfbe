// Not a verb: the `-f` reader of apply, delete, run and validate (manifests.h).
#include "cli/hostprocess/manifests.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "core/base/strings.h"
#include "core/k8s/limits.h"
#include "core/sys/file.h"

namespace hp::cli {
namespace {

// An input is read up to the API server's request body limit and no further (docs/validate.md).
Status CheckInputSize(const std::string& source_name, const std::string& text) {
  if (text.size() <= k8s::kMaxRequestBodyBytes) return Ok();
  return Err(ErrorCode::kInvalidArgument, "{}: {} (an input is read up to that many bytes)",
             Quote(source_name), k8s::RequestEntityTooLargeMessage());
}

// The manifest files of a directory: its *.yaml, *.yml and *.json files by name, and with
// `recursive` those of its subdirectories in place, as Go's filepath.Walk visits them (kubectl
// -R).
Status ManifestFiles(const std::string& dir, bool recursive, std::vector<std::string>& files) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string full = EndsWith(dir, "/") ? dir + name : dir + "/" + name;
    if (sys::IsDir(full)) {
      if (recursive) TRY(ManifestFiles(full, true, files));
    } else if (EndsWith(name, ".yaml") || EndsWith(name, ".yml") || EndsWith(name, ".json")) {
      files.push_back(full);
    }
  }
  return Ok();
}

}  // namespace

Result<k8s::Decoded> DecodeManifest(const std::string& path, const k8s::DecodeOptions& options,
                                    bool recursive) {
  if (path == "-") {
    ASSIGN_OR_RETURN(std::string text, sys::ReadFdUpTo(0, k8s::kMaxRequestBodyBytes));
    TRY(CheckInputSize("-", text));
    return k8s::DecodeString(text, "-", options);
  }
  if (sys::IsDir(path)) {
    std::vector<std::string> files;
    TRY(ManifestFiles(path, recursive, files));
    if (files.empty())
      return Err(ErrorCode::kInvalidArgument,
                 "error reading {}: recognized file extensions are [.json .yaml .yml]",
                 Quote(path));
    return DecodeManifests(files, options);
  }
  ASSIGN_OR_RETURN(std::string text, sys::ReadFileUpTo(path, k8s::kMaxRequestBodyBytes));
  TRY(CheckInputSize(path, text));
  return k8s::DecodeString(text, path, options);
}

Result<k8s::Decoded> DecodeManifests(const std::vector<std::string>& paths,
                                     const k8s::DecodeOptions& options, bool recursive) {
  if (paths.size() == 1) return DecodeManifest(paths[0], options, recursive);
  k8s::Decoded all;
  std::vector<std::string> errors;
  for (const auto& p : paths) {
    auto r = DecodeManifest(p, options, recursive);
    if (!r) {
      errors.push_back(r.error().ToString());
      continue;
    }
    for (auto& o : r->objects) all.objects.push_back(std::move(o));
    for (auto& w : r->warnings) all.warnings.push_back(std::move(w));
  }
  if (!errors.empty()) return Err(Error(Join(errors, "\n"), ErrorCode::kInvalidArgument));
  return all;
}

Status SetNamespaceOfObjects(std::vector<k8s::Object>& objects, const std::string& ns, bool given) {
  for (k8s::Object& o : objects) {
    if (o.kind == k8s::Kind::kNamespace) continue;
    const std::string& own = o.metadata().namespace_;
    if (!own.empty()) {
      if (given && own != ns) {
        return Err(ErrorCode::kInvalidArgument,
                   "the namespace from the provided object \"{}\" does not match the namespace "
                   "\"{}\". You must pass '--namespace={}' to perform this operation.",
                   own, ns, own);
      }
      continue;
    }
    std::visit([&](auto& v) { v.metadata.namespace_ = ns; }, o.value);
    if (!o.raw_json.empty()) {
      nlohmann::json j = nlohmann::json::parse(o.raw_json, nullptr, false);
      if (j.is_object() && j["metadata"].is_object()) {
        j["metadata"]["namespace"] = ns;
        o.raw_json = j.dump();
        o.json_size = o.raw_json.size();
      }
    }
  }
  return Ok();
}

}  // namespace hp::cli
