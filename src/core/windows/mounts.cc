#include "core/windows/mounts.h"

#include <vector>

#include "core/windows/path.h"

namespace hp::windows {

bool IsNamedPipe(std::string_view source) {
  return source.size() > 9 && IsSeparator(source[0]) && IsSeparator(source[1]) &&
         source[2] == '.' && IsSeparator(source[3]) &&
         EqualsIgnoreCase(source.substr(4, 4), "pipe") && IsSeparator(source[8]);
}

namespace {

// The components of `path`, split at both separators.
std::vector<std::string_view> Parts(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || IsSeparator(path[i])) {
      if (i > start) out.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool IsDeviceName(std::string_view part) {
  std::string_view base = part.substr(0, part.find('.'));
  for (std::string_view d : {"con", "prn", "aux", "nul", "conin$", "conout$"})
    if (EqualsIgnoreCase(base, d)) return true;
  if (base.size() == 4 &&
      (EqualsIgnoreCase(base.substr(0, 3), "com") || EqualsIgnoreCase(base.substr(0, 3), "lpt")))
    return base[3] >= '0' && base[3] <= '9';
  return false;
}

// Why Windows would not read `part` as written ("" when it would).
std::string_view Unreadable(std::string_view part) {
  if (part == "." || part == "..") return "";
  if (part.back() == '.' || part.back() == ' ')
    return "ends in a dot or a space, which Windows drops";
  for (char c : part) {
    if (c == ':') return "holds ':' (an alternate data stream)";
    if (static_cast<unsigned char>(c) < 0x20 ||
        std::string_view("*?\"<>|").find(c) != std::string_view::npos)
      return "holds a character Windows does not allow in a name";
  }
  if (IsDeviceName(part)) return "is a DOS device name";
  return "";
}

}  // namespace

Status CheckHostPathSource(std::string_view path) {
  if (!IsAbsolute(path))
    return Err(ErrorCode::kInvalidArgument,
               "hostPath \"{}\" is not a full path (C:\\... or \\\\server\\share\\...)", path);
  for (std::string_view part : Parts(path))
    if (part == "..")
      return Err(ErrorCode::kInvalidArgument, "hostPath \"{}\" has a '..' component", path);
  return Ok();
}

bool IsSameOrBelow(std::string_view inner, std::string_view outer) {
  if (inner.size() < outer.size() || !EqualsIgnoreCase(inner.substr(0, outer.size()), outer))
    return false;
  return inner.size() == outer.size() || IsSeparator(inner[outer.size()]);
}

Result<std::string> MountLinkPath(std::string_view volume, std::string_view mount_path) {
  if (mount_path.empty()) return Err(ErrorCode::kInvalidArgument, "empty mountPath");
  std::string_view rest = mount_path;
  if (rest.size() >= 2 && rest[1] == ':') rest.remove_prefix(2);  // hcsshim's stripDriveLetter
  while (!rest.empty() && IsSeparator(rest.front())) rest.remove_prefix(1);
  for (std::string_view part : Parts(rest)) {
    if (std::string_view why = Unreadable(part); !why.empty())
      return Err(ErrorCode::kInvalidArgument, "mountPath \"{}\": \"{}\" {}", mount_path, part, why);
  }
  if (EscapesBase(rest))
    return Err(ErrorCode::kInvalidArgument, "mountPath \"{}\" climbs out of the container volume",
               mount_path);
  std::string cleaned = Clean(rest);
  if (cleaned.empty() || cleaned == ".")
    return Err(ErrorCode::kInvalidArgument, "mountPath \"{}\" is the container volume itself",
               mount_path);
  return JoinPath(Clean(volume), cleaned);
}

}  // namespace hp::windows
