#include "core/oci/cgroups_path.h"

#include "core/base/strings.h"

namespace hp::oci {

Result<std::string> ExpandSystemdSlice(std::string_view slice) {
  constexpr std::string_view kSuffix = ".slice";
  if (!EndsWith(slice, kSuffix) || slice.size() == kSuffix.size())
    return Err(ErrorCode::kInvalidArgument, "invalid slice name {}", Quote(slice));
  if (slice == "-.slice") return std::string("/");
  std::string_view name = slice.substr(0, slice.size() - kSuffix.size());
  if (name.find('/') != std::string_view::npos || name.front() == '-' || name.back() == '-' ||
      name.find("--") != std::string_view::npos)
    return Err(ErrorCode::kInvalidArgument, "invalid slice name {}", Quote(slice));
  std::string path;
  std::string prefix;
  for (const std::string& part : Split(name, '-')) {
    prefix += prefix.empty() ? part : "-" + part;
    path += "/" + prefix + std::string(kSuffix);
  }
  return path;
}

namespace {

Result<std::string> CleanAbsolute(std::string_view raw, std::string_view original) {
  std::string out;
  for (const std::string& part : Split(raw, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..")
      return Err(ErrorCode::kInvalidArgument, "invalid cgroupsPath {}: \"..\" is not allowed",
                 Quote(original));
    out += "/" + part;
  }
  if (out.empty())
    return Err(ErrorCode::kInvalidArgument,
               "invalid cgroupsPath {}: the root cgroup cannot hold a container", Quote(original));
  return out;
}

}  // namespace

Result<std::string> ResolveCgroupsPath(std::string_view cgroups_path, bool systemd,
                                       std::string_view id) {
  if (!systemd) {
    if (cgroups_path.empty()) return CleanAbsolute(id, id);
    if (cgroups_path.find(':') != std::string_view::npos && cgroups_path.front() != '/')
      return Err(
          ErrorCode::kInvalidArgument,
          "cgroupsPath {} is in the systemd form \"slice:prefix:name\": use --systemd-cgroup",
          Quote(cgroups_path));
    return CleanAbsolute(cgroups_path, cgroups_path);
  }
  std::string spec = cgroups_path.empty() ? fmt::format("system.slice:hostprocess:{}", id)
                                          : std::string(cgroups_path);
  std::vector<std::string> parts = Split(spec, ':');
  if (parts.size() != 3)
    return Err(ErrorCode::kInvalidArgument,
               "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, "
               "got {} instead",
               Quote(spec));
  const std::string slice = parts[0].empty() ? "system.slice" : parts[0];
  ASSIGN_OR_RETURN(std::string base, ExpandSystemdSlice(slice));
  const std::string& prefix = parts[1];
  const std::string& name = parts[2];
  if (name.empty())
    return Err(ErrorCode::kInvalidArgument, "invalid cgroupsPath {}: empty unit name", Quote(spec));
  std::string unit;
  if (EndsWith(name, ".slice")) {
    // The container is a slice of its own: its path is the slice's expansion.
    ASSIGN_OR_RETURN(std::string own, ExpandSystemdSlice(name));
    return CleanAbsolute(own, spec);
  }
  unit = prefix.empty() ? name + ".scope" : prefix + "-" + name + ".scope";
  if (unit.find('/') != std::string::npos)
    return Err(ErrorCode::kInvalidArgument, "invalid cgroupsPath {}: \"/\" in unit name",
               Quote(spec));
  return CleanAbsolute(base + "/" + unit, spec);
}

}  // namespace hp::oci
