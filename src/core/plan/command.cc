#include "core/plan/command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/base/strings.h"

namespace hp::plan {
namespace {

class RealFsImpl : public Fs {
 public:
  bool IsExecutableFile(const std::string& path) const override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return (st.st_mode & 0111) != 0;
  }
  bool IsDirectory(const std::string& path) const override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
};

std::string JoinPath(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return dir + std::string(name);
  return dir + "/" + std::string(name);
}

}  // namespace

const Fs& RealFs() {
  static const RealFsImpl fs;
  return fs;
}

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

std::vector<std::string> MapImagePath(std::string_view image_path, const std::string& sandbox) {
  std::vector<std::string> out;
  if (image_path.empty()) return out;
  std::string base = sandbox;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const std::string& entry : Split(image_path, ':')) {
    if (entry.empty() || entry[0] != '/') continue;
    std::string clean = CleanPath(entry);
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
  wd.path = rel == "." ? sandbox : JoinPath(sandbox, rel);
  wd.create = rel != ".";
  wd.in_sandbox = true;
  return wd;
}

Result<std::string> ResolveCommand(std::string_view name, const std::vector<std::string>& path,
                                   const std::string& working_dir, const Fs& fs) {
  if (name.empty()) return Err(ErrorCode::kInvalidArgument, "empty command");
  std::vector<std::string> tried;
  if (name[0] == '/') {
    std::string p = CleanPath(name);
    if (fs.IsExecutableFile(p)) return p;
    tried.push_back(p);
  } else if (name.find('/') != std::string_view::npos) {
    std::string p = CleanPath(JoinPath(working_dir, name));
    if (fs.IsExecutableFile(p)) return p;
    tried.push_back(p);
  } else {
    for (const std::string& dir : path) {
      std::string p = JoinPath(dir, name);
      if (fs.IsExecutableFile(p)) return p;
      tried.push_back(p);
    }
  }
  std::vector<std::string> quoted;
  for (const std::string& t : tried) quoted.push_back(Quote(t));
  if (name.find('/') == std::string_view::npos && path.empty()) {
    return Err(ErrorCode::kNotFound, "executable \"{}\" not found: PATH is empty", name);
  }
  return Err(ErrorCode::kNotFound, "executable \"{}\" not found; searched: {}", name,
             Join(quoted, ", "));
}

}  // namespace hp::plan
