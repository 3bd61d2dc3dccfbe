// Detection of the cgroup hierarchies (v1, v2, hybrid) and /proc/self/cgroup parsing.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "core/base/strings.h"
#include "core/job/cgroup.h"
#include "core/sys/file.h"

namespace hp::job {

std::string_view CgroupKindName(CgroupKind kind) {
  switch (kind) {
    case CgroupKind::kV1:
      return "v1";
    case CgroupKind::kV2:
      return "v2";
    case CgroupKind::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

std::string_view V1MountName(std::string_view hierarchy) {
  constexpr std::string_view kNamed = "name=";
  return StartsWith(hierarchy, kNamed) ? hierarchy.substr(kNamed.size()) : hierarchy;
}

Result<CgroupFs> CgroupFs::Detect(const std::string& root) {
  CgroupFs fs;
  fs.root = root;
  if (sys::Exists(root + "/cgroup.controllers")) {
    fs.kind = CgroupKind::kV2;
    fs.unified = root;
    ASSIGN_OR_RETURN_CTX(std::string ctrls, sys::ReadFile(root + "/cgroup.controllers"),
                         "detect cgroups under \"{}\"", root);
    for (const std::string& c : Split(std::string(TrimSpace(ctrls)), ' '))
      if (!c.empty()) fs.controllers[c] = root;
    return fs;
  }
  for (const char* c : kV1Controllers) {
    std::string dir = root + "/" + std::string(V1MountName(c));
    if (!sys::Exists(dir + "/cgroup.procs")) continue;
    // A symlink to a co-mounted hierarchy ("cpu" → "cpu,cpuacct") names the same directory.
    // Its target is a sibling as mounts make it: read directly (one lstat and one readlink; a
    // realpath here cost four readlinks per hierarchy at every process start); any other link
    // is resolved whole.
    struct stat st;
    if (::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlink(dir.c_str(), target, sizeof target - 1);
      std::string_view t(target, n > 0 ? static_cast<size_t>(n) : 0);
      char real[PATH_MAX];
      if (!t.empty() && t.find('/') == std::string_view::npos && t != "." && t != "..")
        dir = root + "/" + std::string(t);
      else if (::realpath(dir.c_str(), real) &&
               std::string_view(real).substr(0, root.size()) == root)
        dir = real;
    }
    fs.controllers[c] = dir;
  }
  if (sys::Exists(root + "/unified/cgroup.controllers")) {
    fs.kind = CgroupKind::kHybrid;
    fs.unified = root + "/unified";
    return fs;
  }
  if (fs.controllers.empty())
    return Err(ErrorCode::kUnsupported, "no cgroup hierarchy found under \"{}\"", root);
  fs.kind = CgroupKind::kV1;
  return fs;
}

std::map<std::string, std::string> ParseProcCgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const std::string& line : Split(text, '\n')) {
    auto a = line.find(':');
    if (a == std::string::npos) continue;
    auto b = line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (ctrls.empty()) {
      out[""] = path;
      continue;
    }
    for (const std::string& c : Split(ctrls, ',')) out[c] = path;
  }
  return out;
}

}  // namespace hp::job
