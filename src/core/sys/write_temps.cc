// RemoveAtomicWriteTemps: platform-neutral (both nodes' WriteFileAtomic name their temp files
// "<path>.tmp-XXXXXX").
#include <string>

#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::sys {

Status RemoveAtomicWriteTemps(const std::string& dir, std::string_view name) {
  if (!IsDir(dir)) return Ok();
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  const std::string mark = std::string(name) + ".tmp-";
  for (const std::string& n : names) {
    bool temp = name.empty() ? n.find(mark) != std::string::npos : StartsWith(n, mark);
    if (temp) TRY(RemoveFile(dir + kPathSeparator + n));
  }
  return Ok();
}

}  // namespace hp::sys
