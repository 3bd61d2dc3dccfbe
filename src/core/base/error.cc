#include "core/base/result.h"

#include <cerrno>
#include <cstring>

namespace hp {

namespace {
ErrorCode CodeForErrno(int e) {
  switch (e) {
    case ENOENT:
      return ErrorCode::kNotFound;
    case EEXIST:
      return ErrorCode::kAlreadyExists;
    case EACCES:
    case EPERM:
      return ErrorCode::kPermissionDenied;
    case EINVAL:
      return ErrorCode::kInvalidArgument;
    case EAGAIN:
    case EBUSY:
      return ErrorCode::kUnavailable;
    case ENOSYS:
    case EOPNOTSUPP:
      return ErrorCode::kUnsupported;
    default:
      return ErrorCode::kUnknown;
  }
}
}  // namespace

Error Error::Sys(int sys_errno, std::string_view what) {
  return Error(fmt::format("{}: {}", what, std::strerror(sys_errno)), CodeForErrno(sys_errno),
               sys_errno);
}

std::string Error::ToString() const {
  std::string out;
  for (auto it = contexts_.rbegin(); it != contexts_.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += message_;
  return out;
}

}  // namespace hp
