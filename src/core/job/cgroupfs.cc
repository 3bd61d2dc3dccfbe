// Detection of the cgroup hierarchies (v1, v2, hybrid) and /proc/self/cgroup parsing.
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
    std::string dir = root + "/" + c;
    if (sys::Exists(dir + "/cgroup.procs")) fs.controllers[c] = dir;
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
