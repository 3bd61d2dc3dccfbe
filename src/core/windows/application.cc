#include "core/windows/application.h"

#include <optional>

#include "core/base/strings.h"
#include "core/windows/command_line.h"
#include "core/windows/path.h"

namespace hp::windows {
namespace {

struct Found {
  std::string path;
  bool directory = false;
};

std::vector<std::string> Candidates(std::string_view name) {
  if (HasExtension(name)) return {std::string(name)};
  return {std::string(name) + ".exe", std::string(name)};
}

// SearchPathW with ".exe", then the extension-less name: the first existing entry, file or
// directory.
std::optional<Found> Search(std::string_view name, const std::vector<std::string>& dirs,
                            const FileProbe& probe) {
  auto first = [&](const std::string& base) -> std::optional<Found> {
    for (const std::string& candidate : Candidates(name)) {
      std::string p = Clean(base.empty() ? candidate : JoinPath(base, candidate));
      FileKind kind = probe.Probe(p);
      if (kind != FileKind::kMissing) return Found{p, kind == FileKind::kDirectory};
    }
    return std::nullopt;
  };
  if (IsAbsolute(name) || IsDriveOrRootRelative(name)) return first("");
  for (const std::string& dir : dirs)
    if (auto f = first(dir)) return f;
  return std::nullopt;
}

}  // namespace

Result<Application> ResolveApplication(std::string_view command_line, const SearchPlaces& places,
                                       const FileProbe& probe) {
  std::vector<std::string> dirs;
  if (!places.working_dir.empty()) dirs.push_back(places.working_dir);
  for (std::string& d : SplitPathList(places.path_env)) dirs.push_back(std::move(d));
  for (const std::string& d : places.system_dirs) dirs.push_back(d);
  auto not_found = [&](std::string_view name) {
    return Err(ErrorCode::kNotFound, "executable \"{}\" of command line \"{}\" not found in: {}",
               name, command_line, Join(dirs, "; "));
  };
  auto directory = [&](const Found& f) {
    return Err(ErrorCode::kInvalidArgument,
               "found directory instead of executable \"{}\" for command line \"{}\"", f.path,
               command_line);
  };
  if (command_line.empty())
    return Err(ErrorCode::kInvalidArgument, "empty command line: nothing to run");

  if (command_line[0] == '"') {
    size_t end = command_line.find('"', 1);
    if (end == std::string_view::npos)
      return Err(ErrorCode::kInvalidArgument,
                 "no ending quotation mark found in command line \"{}\"", command_line);
    std::string_view name = command_line.substr(1, end - 1);
    auto found = Search(name, dirs, probe);
    if (!found) return not_found(name);
    if (found->directory) return directory(*found);
    return Application{found->path, std::string(command_line)};
  }

  // Unquoted: the name grows a token at a time; `end` is where the name tried ends.
  size_t end = 0;
  bool joined = false;
  for (;;) {
    while (end < command_line.size() && !IsBlank(command_line[end])) end++;
    std::string_view name = command_line.substr(0, end);
    auto found = Search(name, dirs, probe);
    if (found && !found->directory) {
      std::string line(command_line);
      if (joined) line = "\"" + std::string(name) + "\"" + std::string(command_line.substr(end));
      return Application{found->path, std::move(line)};
    }
    if (end >= command_line.size()) {
      if (found) return directory(*found);
      return not_found(command_line);
    }
    while (end < command_line.size() && IsBlank(command_line[end])) end++;
    joined = true;
  }
}

}  // namespace hp::windows
