#include "core/k8s/field.h"

#include <fmt/format.h>

#include <set>

#include "core/base/strings.h"

namespace hp::k8s::field {

const char* TypeName(ErrorType t) {
  switch (t) {
    case ErrorType::kNotFound:
      return "FieldValueNotFound";
    case ErrorType::kRequired:
      return "FieldValueRequired";
    case ErrorType::kDuplicate:
      return "FieldValueDuplicate";
    case ErrorType::kInvalid:
      return "FieldValueInvalid";
    case ErrorType::kNotSupported:
      return "FieldValueNotSupported";
    case ErrorType::kForbidden:
      return "FieldValueForbidden";
    case ErrorType::kTooLong:
      return "FieldValueTooLong";
    case ErrorType::kTooMany:
      return "FieldValueTooMany";
    case ErrorType::kInternal:
      return "InternalError";
  }
  return "";
}

const char* TypeString(ErrorType t) {
  switch (t) {
    case ErrorType::kNotFound:
      return "Not found";
    case ErrorType::kRequired:
      return "Required value";
    case ErrorType::kDuplicate:
      return "Duplicate value";
    case ErrorType::kInvalid:
      return "Invalid value";
    case ErrorType::kNotSupported:
      return "Unsupported value";
    case ErrorType::kForbidden:
      return "Forbidden";
    case ErrorType::kTooLong:
      return "Too long";
    case ErrorType::kTooMany:
      return "Too many";
    case ErrorType::kInternal:
      return "Internal error";
  }
  return "";
}

Value Str(std::string_view s) { return Value{Quote(s)}; }
Value Bool(bool b) { return Value{b ? "true" : "false"}; }
Value Int(int64_t i) { return Value{std::to_string(i)}; }
Value Raw(std::string rendered) { return Value{std::move(rendered)}; }

std::string Error::Body() const {
  std::string s = TypeString(type);
  bool with_value = type != ErrorType::kRequired && type != ErrorType::kForbidden &&
                    type != ErrorType::kTooLong && type != ErrorType::kInternal && !value.omitted;
  if (with_value) s += ": " + value.text;
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string Error::ToString() const { return field + ": " + Body(); }

Error Invalid(std::string path, Value value, std::string detail) {
  return Error{ErrorType::kInvalid, std::move(path), std::move(value), std::move(detail)};
}
Error Required(std::string path, std::string detail) {
  return Error{ErrorType::kRequired, std::move(path), Str(""), std::move(detail)};
}
Error Forbidden(std::string path, std::string detail) {
  return Error{ErrorType::kForbidden, std::move(path), Str(""), std::move(detail)};
}
Error Duplicate(std::string path, Value value) {
  return Error{ErrorType::kDuplicate, std::move(path), std::move(value), ""};
}
Error NotFound(std::string path, Value value) {
  return Error{ErrorType::kNotFound, std::move(path), std::move(value), ""};
}
Error NotSupported(std::string path, Value value, const std::vector<std::string>& valid) {
  std::string detail;
  if (!valid.empty()) {
    std::vector<std::string> quoted;
    for (const auto& v : valid) quoted.push_back(Quote(v));
    detail = "supported values: " + Join(quoted, ", ");
  }
  return Error{ErrorType::kNotSupported, std::move(path), std::move(value), std::move(detail)};
}
Error TooLong(std::string path, int max_length) {
  return Error{ErrorType::kTooLong, std::move(path), Str(""),
               fmt::format("must have at most {} bytes", max_length)};
}

std::string Aggregate(const ErrorList& errors) {
  std::vector<std::string> msgs;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string m = e.ToString();
    if (seen.insert(m).second) msgs.push_back(std::move(m));
  }
  if (msgs.empty()) return "";
  if (msgs.size() == 1) return msgs[0];
  return "[" + Join(msgs, ", ") + "]";
}

std::string KubectlInvalid(std::string_view kind, std::string_view name, const ErrorList& errors) {
  std::string prefix = fmt::format("The {} {} is invalid", kind, Quote(name));
  std::vector<std::string> msgs;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string m = e.ToString();
    if (seen.insert(m).second) msgs.push_back(std::move(m));
  }
  if (msgs.empty()) return prefix;
  if (msgs.size() == 1) return prefix + ": " + msgs[0];
  std::string out = prefix + ": ";
  for (const auto& m : msgs) out += "\n* " + m;
  return out;
}

std::string Child(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return fmt::format("{}.{}", path, name);
}
std::string Index(std::string_view path, size_t i) { return fmt::format("{}[{}]", path, i); }
std::string Key(std::string_view path, std::string_view key) {
  return fmt::format("{}[{}]", path, key);
}

}  // namespace hp::k8s::field
