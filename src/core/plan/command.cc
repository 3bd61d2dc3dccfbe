#include "core/plan/command.h"

#include <algorithm>

#include "core/base/strings.h"

namespace hp::plan {
std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string> out;
  for (const std::string& part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!rooted) {
        out.push_back("..");
      }
      continue;
    }
    out.push_back(part);
  }
  std::string joined = Join(out, "/");
  if (rooted) return "/" + joined;
  return joined.empty() ? "." : joined;
}

std::vector<std::string> ImagePathDirs(std::string_view image_path) {
  std::vector<std::string> out;
  for (const std::string& entry : Split(image_path, ':')) {
    if (!entry.empty() && entry[0] == '/') out.push_back(CleanPath(entry));
  }
  return out;
}

std::vector<std::string> MapImagePath(std::string_view image_path, const std::string& sandbox) {
  std::vector<std::string> out;
  std::string base = sandbox;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const std::string& clean : ImagePathDirs(image_path)) {
    out.push_back(clean == "/" ? base + "/" : base + clean);
  }
  return out;
}

std::vector<std::string> SearchPath(const std::string* manifest_path, std::string_view host_default,
                                    const std::vector<std::string>& mapped_image_path) {
  std::vector<std::string> out;
  auto add = [&](const std::string& dir) {
    if (dir.empty()) return;
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
  };
  for (const std::string& d : Split(manifest_path ? *manifest_path : host_default, ':')) add(d);
  for (const std::string& d : mapped_image_path) add(d);
  return out;
}

Result<WorkingDir> ResolveWorkingDir(std::string_view working_dir, const std::string& sandbox) {
  WorkingDir wd;
  if (working_dir.empty()) {
    wd.path = sandbox;
    wd.in_sandbox = true;
    return wd;
  }
  if (working_dir[0] == '/') {
    wd.path = CleanPath(working_dir);
    std::string base = CleanPath(sandbox);
    wd.in_sandbox = wd.path == base || StartsWith(wd.path, base + "/");
    return wd;
  }
  std::string rel = CleanPath(working_dir);
  if (rel == ".." || StartsWith(rel, "../")) {
    return Err(ErrorCode::kInvalidArgument,
               "workingDir \"{}\" is outside the container volume \"{}\"", working_dir, sandbox);
  }
  wd.path = rel == "." ? sandbox : sandbox + rel;
  wd.create = rel != ".";
  wd.in_sandbox = true;
  return wd;
}

}  // namespace hp::plan
