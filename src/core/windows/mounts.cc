#include "core/windows/mounts.h"

#include "core/windows/path.h"

namespace hp::windows {

bool IsNamedPipe(std::string_view source) {
  return source.size() > 9 && IsSeparator(source[0]) && IsSeparator(source[1]) &&
         source[2] == '.' && IsSeparator(source[3]) &&
         EqualsIgnoreCase(source.substr(4, 4), "pipe") && IsSeparator(source[8]);
}

Result<std::string> MountLinkPath(std::string_view volume, std::string_view mount_path) {
  if (mount_path.empty()) return Err(ErrorCode::kInvalidArgument, "empty mountPath");
  std::string_view rest = mount_path;
  if (rest.size() >= 2 && rest[1] == ':') rest.remove_prefix(2);  // hcsshim's stripDriveLetter
  while (!rest.empty() && IsSeparator(rest.front())) rest.remove_prefix(1);
  if (EscapesBase(rest))
    return Err(ErrorCode::kInvalidArgument,
               "mountPath \"{}\" climbs out of the container volume", mount_path);
  std::string cleaned = Clean(rest);
  if (cleaned.empty() || cleaned == ".")
    return Err(ErrorCode::kInvalidArgument, "mountPath \"{}\" is the container volume itself",
               mount_path);
  return JoinPath(Clean(volume), cleaned);
}

}  // namespace hp::windows
