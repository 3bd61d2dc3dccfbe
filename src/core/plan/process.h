// hp/plan: what a HostProcess container actually executes (SPEC §4 "Command resolution"). The one
// implementation behind `run`, `apply`, `exec` and `hostprocess-runtime`.
//
// - A name without `/` is searched in the image's PATH directories inside the sandbox first (as
//   Windows searches the container volume first), then in the host's directories. `./x` and
//   `a/b` are relative to the working directory; an absolute path is the host's file, or the
//   image's when the host has none. A path below the sandbox resolves inside it (symlinks stay
//   in the image: hp/sys OpenBelow).
// - A dynamically linked ELF program found in the image runs through the image's own loader
//   (PT_INTERP inside the sandbox) with the image's library directories, so it never mixes with
//   the host's libraries; a static one runs as is; a host program is never touched.
// - A script whose `#!` interpreter only the image has runs with the image's interpreter.
// - "Not found" lists every place searched.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/plan/command.h"

namespace hp::plan {

enum class NotFoundWording {
  kNode,     // executable "x" not found; searched: "...", "..."
  kRuntime,  // runc's: exec: "x": executable file not found in $PATH (searched ...)
};

struct ProcessRequest {
  std::vector<std::string> argv;        // expanded; argv[0] is the command as written
  std::string sandbox;                  // absolute, with a trailing '/'
  std::vector<std::string> image_path;  // the image's PATH entries, image-absolute ("/usr/bin")
  std::vector<std::string> host_path;   // host directories, searched after the image's
  std::string cwd;                      // the working directory, resolved (host path)
  bool image_loader = true;             // false: exec image programs directly (annotation)
  NotFoundWording wording = NotFoundWording::kNode;
};

struct ProcessSpec {
  std::string executable;         // what execve() runs (host path)
  std::vector<std::string> argv;  // what execve() gets
  std::string program;            // the program named by the command (host path)
  std::string loader;             // the image loader it runs through ("" = none)
  std::string interpreter;        // the image interpreter of a script ("" = none)
};

Result<ProcessSpec> ResolveProcess(const ProcessRequest& req, const Fs& fs);

// The library directories of an image (its ld.so.conf with includes, then the standard ones),
// as host paths of the directories that exist. Exposed for tests and the bench.
std::vector<std::string> ImageLibraryDirs(const std::string& sandbox, const Fs& fs);

// The PT_INTERP of an ELF file (little-endian, 32 or 64 bit), "" for a static or non-ELF file.
std::string ElfInterpreter(const std::string& path, const Fs& fs);

}  // namespace hp::plan
