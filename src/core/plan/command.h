// hp/plan: path rules of a HostProcess container (SPEC §4).
//
// The default working directory is the sandbox; a relative workingDir is inside the sandbox
// (created if missing, resolved inside it); an absolute one is a host path. The container's PATH
// variable = the manifest's PATH (else the host default) followed by the image's PATH entries
// mapped into the sandbox. What the command resolves to is process.h.
//
// The planner only looks at the file system through `Fs`, so tests use a fake tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::plan {

// Read-only questions the planner asks about files (the real one: stat, hp/sys OpenBelow).
class Fs {
 public:
  virtual ~Fs() = default;
  // A regular file (symlinks followed) with an execute bit.
  virtual bool IsExecutableFile(const std::string& path) const = 0;
  virtual bool IsDirectory(const std::string& path) const = 0;
  // `path` (image-absolute or relative) resolved below the directory `root` with every symlink
  // followed inside it: the host path of what it names, nullopt when nothing is there.
  virtual std::optional<std::string> ResolveInRoot(const std::string& root,
                                                   const std::string& path) const = 0;
  // Up to `max` bytes of a file from `offset` ("" when unreadable).
  virtual std::string Read(const std::string& path, size_t offset, size_t max) const = 0;
  // The names in a directory (empty when unreadable).
  virtual std::vector<std::string> ListDir(const std::string& path) const = 0;
};
const Fs& RealFs();

// Lexically cleans an absolute or relative path like Go's path.Clean ("a//b/../c" → "a/c").
std::string CleanPath(std::string_view path);

// The image's PATH ("/usr/bin:/bin") as clean image-absolute directories; relative and empty
// entries are dropped.
std::vector<std::string> ImagePathDirs(std::string_view image_path);

// Maps the image's PATH ("/usr/bin:/bin") into the sandbox ("<sandbox>usr/bin", ...). Relative
// and empty entries are dropped. `sandbox` ends with '/'.
std::vector<std::string> MapImagePath(std::string_view image_path, const std::string& sandbox);

// The search PATH: the manifest's PATH if set (else `host_default`), then the mapped image
// entries; duplicates keep their first place.
std::vector<std::string> SearchPath(const std::string* manifest_path, std::string_view host_default,
                                    const std::vector<std::string>& mapped_image_path);

struct WorkingDir {
  std::string path;         // absolute host path (lexical: resolved inside the sandbox later)
  bool create = false;      // relative workingDir: created inside the sandbox when missing
  bool in_sandbox = false;  // path is the sandbox or below it
};
// `working_dir` is already expanded. Relative paths that leave the sandbox ("../x") are errors.
Result<WorkingDir> ResolveWorkingDir(std::string_view working_dir, const std::string& sandbox);

}  // namespace hp::plan
