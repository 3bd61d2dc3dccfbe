// hp/agent: the node's desired state, one store for both nodes (Linux and Windows): what was
// applied, kept across reboots, one JSON file per object:
//
//   <root>/desired/<kind>/<ns>_<name>.json    {"object": <the object as applied>, "created": ...}
//
// `kind` is the resource's plural (daemonsets, pods, configmaps, secrets, serviceaccounts,
// namespaces); a node may keep more fields beside "object" (Windows: its volume root). Every file
// is written through a temp file and a rename, durably (fsync of the file and its directory;
// FlushFileBuffers and a write-through move on Windows): "a reboot restores what was applied"
// holds after a power cut too. Paths use the platform's separator (sys::kPathSeparator).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::agent {

// A file of the store's own (a regular file, written whole and renamed into place): its text,
// in one read when it fits 16 KiB.
Result<std::string> ReadStateFile(const std::string& path);
// `text`, read from `path`, as JSON (ParseJsonOrThrow); the error names the file.
Result<nlohmann::json> ParseJsonText(const std::string& path, std::string_view text);
Result<nlohmann::json> ReadJsonFile(const std::string& path);
// `durable`: the file and its directory entry reach the disk before this returns.
Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& value,
                           bool durable = false);

// The integer `key` of `object`, or `fallback` when `object` is no object or the member is
// missing or of another type (a damaged file must not throw).
int64_t IntFieldOr(const nlohmann::json& object, const char* key, int64_t fallback);

// The object of a stored record as it was applied: without the metadata the store adds
// (generation, resourceVersion).
nlohmann::json AppliedObject(const nlohmann::json& record);

// What storing `raw` over `existing` (the stored record, nullopt when there is none) does, by the
// API server's rules: "created", "configured", or "unchanged" when `same` (the caller's equality
// of `raw` and AppliedObject(*existing)); the record to write, with the first apply's "created"
// time, metadata.generation bumped by a change of the spec, and a new metadata.resourceVersion
// (null when unchanged: nothing is written).
struct DesiredWrite {
  std::string verb;
  nlohmann::json record;
};
DesiredWrite PlanDesiredWrite(nlohmann::json raw, const std::optional<nlohmann::json>& existing,
                              bool same);

class DesiredObjects {
 public:
  explicit DesiredObjects(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string DesiredDir() const;
  // The file of the object `key` ("<ns>_<name>") of `kind`.
  std::string DesiredPath(const std::string& kind, const std::string& key) const;

  // Stores `v` ({"object": ..., ...}) durably, making the kind's directory when missing.
  Status PutDesired(const std::string& kind, const std::string& key, const nlohmann::json& v);
  // One object of a batch: its kind, its key and its record (read during the call only).
  struct Put {
    std::string kind, key;
    const nlohmann::json* record;
  };
  // Stores every record as PutDesired does, in order, with one flush of each kind's directory
  // (sys::WriteFilesAtomic): an apply of 100 objects waits for 101 flushes instead of 200. On an
  // error the objects stored before it stay stored.
  Status PutDesired(const std::vector<Put>& puts);
  // nullopt when there is no such file; an error (naming it) when it is not a stored object.
  Result<std::optional<nlohmann::json>> GetDesired(const std::string& kind,
                                                   const std::string& key) const;
  // Sorted by key. An unreadable or malformed file is skipped (added to `bad` when given).
  struct Unreadable {
    std::string kind, key, error;
  };
  Result<std::vector<nlohmann::json>> ListDesired(const std::string& kind,
                                                  std::vector<Unreadable>* bad = nullptr) const;
  // The keys of the stored objects of `kind` (their files, `<key>.json`, in name order), without
  // reading them (a damaged one too): what ListDesired reads.
  Result<std::vector<std::string>> ListDesiredKeys(const std::string& kind) const;
  // Removes the object's file; one that is not there is no error.
  Status DeleteDesired(const std::string& kind, const std::string& key);
  // Removes the temp files of writers killed before their rename in desired/ and its kinds (the
  // caller holds the node's lock: no live writer has one).
  Status RemoveStaleDesiredTempFiles();

 protected:
  std::string Join(const std::string& dir, const std::string& name) const;

  std::string root_;
};

}  // namespace hp::agent
