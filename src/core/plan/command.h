// hp/plan: where a HostProcess container's program and working directory are.
//
// SPEC §4: the default working directory is the sandbox; a relative workingDir is inside the
// sandbox (created if missing, never escaping it); an absolute one is a host path. A command
// name without `/` is searched in PATH; `./x` and `a/b` are relative to the working directory;
// an absolute path is a host path. PATH = the manifest's PATH (else the host default) followed by
// the image's PATH entries mapped into the sandbox. "Not found" errors list every place searched.
//
// These functions only look at the file system through `Fs`, so tests use a fake tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::plan {

// Read-only questions the planner asks about files (the real one uses stat/access).
class Fs {
 public:
  virtual ~Fs() = default;
  // A regular file (symlinks followed) with an execute bit.
  virtual bool IsExecutableFile(const std::string& path) const = 0;
  virtual bool IsDirectory(const std::string& path) const = 0;
};
const Fs& RealFs();

// Lexically cleans an absolute or relative path like Go's path.Clean ("a//b/../c" → "a/c").
std::string CleanPath(std::string_view path);

// Maps the image's PATH ("/usr/bin:/bin") into the sandbox ("<sandbox>usr/bin", ...). Relative
// and empty entries are dropped. `sandbox` ends with '/'.
std::vector<std::string> MapImagePath(std::string_view image_path, const std::string& sandbox);

// The search PATH: the manifest's PATH if set (else `host_default`), then the mapped image
// entries; duplicates keep their first place.
std::vector<std::string> SearchPath(const std::string* manifest_path, std::string_view host_default,
                                    const std::vector<std::string>& mapped_image_path);

struct WorkingDir {
  std::string path;         // absolute host path
  bool create = false;      // relative workingDir: created inside the sandbox when missing
  bool in_sandbox = false;  // path is the sandbox or below it
};
// `working_dir` is already expanded. Relative paths that leave the sandbox ("../x") are errors.
Result<WorkingDir> ResolveWorkingDir(std::string_view working_dir, const std::string& sandbox);

// Resolves argv[0] to an absolute executable path. `working_dir` is the resolved directory.
Result<std::string> ResolveCommand(std::string_view name, const std::vector<std::string>& path,
                                   const std::string& working_dir, const Fs& fs);

}  // namespace hp::plan
