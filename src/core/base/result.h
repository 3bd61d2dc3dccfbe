// hp/base: the error type every layer returns, and the Result<T> built on it.
//
// Errors are values. An Error carries a message, an optional errno and a chain of context
// strings added as it travels up ("create container \"x\": mount \"/a\": Permission denied").
// The library never prints or exits: CLIs decide how to show errors.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace hp {

enum class ErrorCode {
  kUnknown,
  kInvalidArgument,  // bad input from a user: manifest, flag, path
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kUnavailable,         // transient: network, busy lock
  kInternal,
  kUnsupported,
};

class Error {
 public:
  Error() = default;
  explicit Error(std::string message, ErrorCode code = ErrorCode::kUnknown, int sys_errno = 0)
      : message_(std::move(message)), code_(code), errno_(sys_errno) {}

  // An error from a system call: `what` names the call and its object, e.g. `open "/a"`.
  static Error Sys(int sys_errno, std::string_view what);

  // Adds an outer context: ToString() prints contexts outermost first, joined by ": ".
  Error& Context(std::string context) & {
    contexts_.push_back(std::move(context));
    return *this;
  }
  Error&& Context(std::string context) && {
    contexts_.push_back(std::move(context));
    return std::move(*this);
  }

  const std::string& message() const { return message_; }
  ErrorCode code() const { return code_; }
  int sys_errno() const { return errno_; }
  // Context strings, innermost first.
  const std::vector<std::string>& contexts() const { return contexts_; }
  std::string ToString() const;

 private:
  std::string message_;
  ErrorCode code_ = ErrorCode::kUnknown;
  int errno_ = 0;
  std::vector<std::string> contexts_;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline Status Ok() { return {}; }

// Builds an error result: `return Err(ErrorCode::kNotFound, "image \"{}\" not found", ref);`
template <typename... Args>
tl::unexpected<Error> Err(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return tl::unexpected<Error>(Error(fmt::format(f, std::forward<Args>(args)...), code));
}
template <typename... Args>
tl::unexpected<Error> Err(fmt::format_string<Args...> f, Args&&... args) {
  return tl::unexpected<Error>(Error(fmt::format(f, std::forward<Args>(args)...)));
}
inline tl::unexpected<Error> Err(Error e) { return tl::unexpected<Error>(std::move(e)); }
// A system-call failure for the current errno: `return SysErr("mkdir \"{}\"", path);`
template <typename... Args>
tl::unexpected<Error> SysErr(fmt::format_string<Args...> f, Args&&... args) {
  int e = errno;
  return tl::unexpected<Error>(Error::Sys(e, fmt::format(f, std::forward<Args>(args)...)));
}
template <typename... Args>
tl::unexpected<Error> SysErrN(int sys_errno, fmt::format_string<Args...> f, Args&&... args) {
  return tl::unexpected<Error>(Error::Sys(sys_errno, fmt::format(f, std::forward<Args>(args)...)));
}

}  // namespace hp

// TRY(expr): evaluates a Result; on error returns it from the enclosing function. The value, if
// any, is discarded. TRY_CTX adds a formatted context to the error.
#define HP_CONCAT_INNER(a, b) a##b
#define HP_CONCAT(a, b) HP_CONCAT_INNER(a, b)

#define TRY(...)                                                            \
  do {                                                                      \
    auto&& hp_try_result_ = (__VA_ARGS__);                                  \
    if (!hp_try_result_) return ::tl::unexpected(std::move(hp_try_result_).error()); \
  } while (0)

#define TRY_CTX(expr, ...)                                                         \
  do {                                                                             \
    auto&& hp_try_result_ = (expr);                                                \
    if (!hp_try_result_)                                                           \
      return ::tl::unexpected(                                                     \
          std::move(hp_try_result_).error().Context(::fmt::format(__VA_ARGS__)));  \
  } while (0)

// ASSIGN_OR_RETURN(auto x, expr): declares/assigns the value of a Result or returns its error.
#define ASSIGN_OR_RETURN(lhs, ...) \
  HP_ASSIGN_OR_RETURN_IMPL(HP_CONCAT(hp_aor_, __LINE__), lhs, __VA_ARGS__)
#define HP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, ...)                  \
  auto tmp = (__VA_ARGS__);                                      \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error());     \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN_CTX(lhs, expr, ...) \
  HP_ASSIGN_OR_RETURN_CTX_IMPL(HP_CONCAT(hp_aor_, __LINE__), lhs, expr, __VA_ARGS__)
#define HP_ASSIGN_OR_RETURN_CTX_IMPL(tmp, lhs, expr, ...)                                       \
  auto tmp = (expr);                                                                            \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error().Context(::fmt::format(__VA_ARGS__))); \
  lhs = std::move(*tmp)
