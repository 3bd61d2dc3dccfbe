// hp/k8s: field errors as k8s.io/apimachinery/pkg/util/validation/field produces them.
//
// An Error carries Kubernetes' type ("FieldValueInvalid", ...), the field path
// ("spec.containers[0].image") and the value already rendered the way field.Error.ErrorBody
// renders it (strings quoted with Go's %q, bools and ints plain), so that ToString() is
// byte-for-byte the API server's message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hp::k8s::field {

enum class ErrorType {
  kNotFound,
  kRequired,
  kDuplicate,
  kInvalid,
  kNotSupported,
  kForbidden,
  kTooLong,
  kTooMany,
  kInternal
};

// "FieldValueInvalid", ... (metav1.CauseType).
const char* TypeName(ErrorType t);
// "Invalid value", "Required value", ... (ErrorType.String()).
const char* TypeString(ErrorType t);

// A value rendered as field.Error would print it.
struct Value {
  std::string text;  // already rendered: "\"abc\"", "false", "12"
  bool omitted = false;
};
Value Str(std::string_view s);  // Go %q
Value Bool(bool b);
Value Int(int64_t i);
Value Raw(std::string rendered);  // anything else, rendered by the caller (Stringer, %#v)

struct Error {
  ErrorType type = ErrorType::kInvalid;
  std::string field;
  Value value;
  std::string detail;

  // "Invalid value: false: hostNetwork must be true ..." (ErrorBody).
  std::string Body() const;
  // "spec.hostNetwork: Invalid value: false: ..." (Error()).
  std::string ToString() const;
};

using ErrorList = std::vector<Error>;

Error Invalid(std::string path, Value value, std::string detail);
Error Required(std::string path, std::string detail);
Error Forbidden(std::string path, std::string detail);
Error Duplicate(std::string path, Value value);
Error NotFound(std::string path, Value value);
Error NotSupported(std::string path, Value value, const std::vector<std::string>& valid);
Error TooLong(std::string path, int max_length);  // "must have at most N bytes"

// The aggregate message the API server puts in Status.message: one error as is, several as
// "[e1, e2]"; identical messages are dropped (field.ErrorList.ToAggregate).
std::string Aggregate(const ErrorList& errors);
// kubectl's rendering of an Invalid status (MultilineError): "The Pod \"x\" is invalid: e1" or
// "The Pod \"x\" is invalid: \n* e1\n* e2" (no trailing newline).
std::string KubectlInvalid(std::string_view kind, std::string_view name, const ErrorList& errors);

// Path helpers: Child("spec", "hostNetwork") → "spec.hostNetwork"; Index("a", 1) → "a[1]";
// Key("a", "cpu") → "a[cpu]".
std::string Child(std::string_view path, std::string_view name);
std::string Index(std::string_view path, size_t i);
std::string Key(std::string_view path, std::string_view key);

}  // namespace hp::k8s::field
