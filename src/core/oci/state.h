// hp/oci: the runtime's state directory, kept as runc keeps it: `<root>/<id>/state.json`
// (plus `<root>/<id>/exec.fifo` while the container is "created").
//
// state.json is written to a temp file and renamed, so a crash leaves either the old or the new
// state. Every command that reads-then-acts on a container holds a POSIX lock on
// `<root>/<id>/.lock` for its whole duration (ContainerLock), so concurrent `start`/`kill`/
// `delete` serialize (a process lock: the init forked by `create` does not inherit it).
// A directory without state.json (a `create` that crashed) is stale: `create` reuses the id
// and `delete` removes it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"
#include "core/oci/spec.h"

namespace hp::oci {

// What `start`, `delete` and `exec` need of config.json, kept at create as runc keeps the config
// in its state: the bundle is not read again (its config.json may have changed or gone since),
// and containerd's config (8.6 KB with its default seccomp profile) is decoded once per
// container rather than by each command.
struct CreatedConfig {
  std::string oci_version;
  std::vector<Hook> start_container, poststart, poststop;
  bool seccomp = false;  // the filter compiled at create is in <dir>/seccomp.bin
};

// What the runtime remembers about one container between invocations.
struct ContainerState {
  std::string id;
  std::string bundle;   // absolute
  std::string rootfs;   // absolute, no trailing slash: the sandbox
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;    // runc prints "" for root-owned containers
  pid_t init_pid = 0;
  uint64_t init_start_time = 0;  // /proc/<pid>/stat field 22: detects pid reuse
  std::string cgroup_path;       // resolved cgroupsPath ("/a/b")
  bool systemd_cgroup = false;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> mounts;  // mount points we made under the sandbox, in mount order
  bool started = false;             // `start` completed (exec.fifo consumed)
  // Absent in the intent log and in a state written by a runtime before this field: the
  // commands read the bundle's config.json then.
  std::optional<CreatedConfig> config;
};

std::string EncodeState(const ContainerState& s);
Result<ContainerState> DecodeState(std::string_view json);

// A valid container id, as runc checks it: [A-Za-z0-9][A-Za-z0-9_+.-]*, at most 1024 chars.
Status ValidateId(std::string_view id);

// An exclusive lock on `<root>/<id>/.lock` held for as long as the object lives.
class ContainerLock {
 public:
  ContainerLock() = default;
  explicit ContainerLock(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string Dir(const std::string& id) const { return root_ + "/" + id; }
  std::string StatePath(const std::string& id) const { return Dir(id) + "/state.json"; }
  std::string FifoPath(const std::string& id) const { return Dir(id) + "/exec.fifo"; }
  // The intent log: what `create` is about to make (cgroup path, each mount point before it is
  // mounted, init's pid once it exists), written before it acts, kept for the container's life.
  // `delete`/`kill` fall back to it when state.json is missing (a killed create) or unreadable.
  std::string IntentPath(const std::string& id) const { return Dir(id) + "/intent.json"; }
  // The seccomp filter compiled at create (internal::EncodeSeccompEntry), which every exec loads.
  std::string SeccompPath(const std::string& id) const { return Dir(id) + "/seccomp.bin"; }

  // Makes `<root>/<id>/` and locks it. kAlreadyExists ("container with id exists: X") when a
  // container with that id has a state.json; a stale directory is taken over.
  Result<ContainerLock> CreateAndLock(const std::string& id);
  // Locks an existing container. kNotFound ("container does not exist") when there is none.
  Result<ContainerLock> Lock(const std::string& id);
  Result<ContainerState> Load(const std::string& id) const;
  Status Save(const ContainerState& s) const;
  Result<ContainerState> LoadIntent(const std::string& id) const;
  Status SaveIntent(const ContainerState& s) const;
  // Removes `<root>/<id>/` (held lock stays valid until dropped).
  Status Remove(const std::string& id) const;
  // Ids with a state.json, sorted.
  Result<std::vector<std::string>> List() const;

 private:
  std::string root_;
};

}  // namespace hp::oci
