// hp/windows: which file a container's command line starts, as hcsshim's job containers find
// it (internal/jobcontainers/path.go) and CreateProcess expects it. Pure: the file system is
// reached through a FileProbe, so the rules are tested on every platform against a table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::windows {

enum class FileKind { kMissing, kFile, kDirectory };

class FileProbe {
 public:
  virtual ~FileProbe() = default;
  // What `path` (absolute, cleaned, `\` separators) is.
  virtual FileKind Probe(const std::string& path) const = 0;
};

struct SearchPlaces {
  std::string working_dir;               // searched first (the sandbox by default)
  std::string path_env;                  // the container's PATH value, `;`-separated
  std::vector<std::string> system_dirs;  // then System32, System, Windows (as hcsshim)
};

struct Application {
  std::string path;          // the file to start (CreateProcessW's lpApplicationName)
  std::string command_line;  // the command line, its program name quoted when it had to be
};

// Resolves the program of `command_line`:
//   - a first token in quotes is the name, as written (no joining), up to the closing quote;
//   - otherwise the blank-separated tokens are tried one at a time, joined with a space
//     (`C:\Program Files\x` tries `C:\Program`, then `C:\Program Files\x`); when a joined name
//     is found, the command line gets it in quotes;
//   - a name without an extension is looked for as `name.exe`, then as `name` (a binary
//     without extension runs, `.exe` wins in the same directory);
//   - an absolute name (drive or UNC) is probed as it is; a relative one (`x`, `.\x`, `a\x`)
//     in the working directory, then each PATH directory, then the system directories;
//   - the first match is the answer: a directory there is an error, not a reason to go on.
// Errors name the command line and every directory searched.
Result<Application> ResolveApplication(std::string_view command_line, const SearchPlaces& places,
                                       const FileProbe& probe);

}  // namespace hp::windows
