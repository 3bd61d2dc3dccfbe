// Strict scalar/mapping helpers for the decoder: JSON typing over YAML nodes.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/k8s/decode_internal.h"

namespace hp::k8s::internal {

Source Ctx::At(const yaml::Node& n) const {
  Source s{file, 0, 0, document};
  yaml::Mark m = n.GetMark();
  if (m.line >= 0) {
    s.line = m.line + 1;
    s.column = m.column + 1;
  }
  return s;
}

void Ctx::Error(const yaml::Node& n, std::string message) {
  errors->push_back(Diagnostic{At(n), object, std::move(message)});
}
void Ctx::Warn(const yaml::Node& n, std::string message) {
  warnings->push_back(Diagnostic{At(n), object, std::move(message)});
}

std::string Field(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string r;
  r.reserve(path.size() + key.size() + 1);
  r += path;
  r += '.';
  r += key;
  return r;
}

std::string Index(const std::string& path, size_t i) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, i);
  std::string r;
  r.reserve(path.size() + static_cast<size_t>(end - digits) + 2);
  r += path;
  r += '[';
  r.append(digits, end);
  r += ']';
  return r;
}

bool IsNullNode(const yaml::Node& n) { return n.IsNull(); }

namespace {

enum class ScalarType { kString, kNumber, kBool, kNull };

ScalarType TypeOf(const yaml::Node& n) {
  if (!n.IsPlain()) {
    if (n.IsNull()) return ScalarType::kNull;  // undefined, or tagged !!null
    std::string_view tag = n.Tag();
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float")
      return ScalarType::kNumber;
    if (tag == "tag:yaml.org,2002:bool") return ScalarType::kBool;
    return ScalarType::kString;
  }
  switch (yaml::Resolve(n.Scalar())) {  // once per scalar: this is the decoder's hot path
    case yaml::Plain::kNull:
      return ScalarType::kNull;
    case yaml::Plain::kBool:
      return ScalarType::kBool;
    case yaml::Plain::kNumber:
      return ScalarType::kNumber;
    default:
      return ScalarType::kString;
  }
}

const char* JsonTypeName(const yaml::Node& n) {
  if (n.IsMap()) return "object";
  if (n.IsSequence()) return "array";
  switch (TypeOf(n)) {
    case ScalarType::kNumber:
      return "number";
    case ScalarType::kBool:
      return "bool";
    case ScalarType::kNull:
      return "null";
    default:
      return "string";
  }
}

void TypeError(Ctx& c, const yaml::Node& n, const std::string& path, std::string_view want) {
  std::string got = JsonTypeName(n);
  if (n.IsScalar()) got += " " + Quote(n.Scalar());
  c.Error(n, fmt::format("{}: cannot unmarshal {} into a field of type {}", path, got, want));
}

bool ParseInteger(std::string_view s, int64_t& out) {
  std::string t;
  for (char ch : s)
    if (ch != '_') t += ch;
  std::string_view v = t;
  bool neg = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  int base = 10;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o' || v[1] == 'b')) {
    base = v[1] == 'x' ? 16 : (v[1] == 'o' ? 8 : 2);
    v.remove_prefix(2);
  } else if (v.size() > 1 && v[0] == '0' && v.find_first_not_of("01234567") == v.npos) {
    base = 8;  // YAML 1.1, as kubectl reads manifests: `defaultMode: 0440` is 288
  }
  if (v.empty()) return false;
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), u, base);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  if (!neg && u > static_cast<uint64_t>(INT64_MAX)) return false;
  if (neg && u > static_cast<uint64_t>(INT64_MAX) + 1) return false;
  out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return true;
}

// A float with an integral value (1.0, 1e3) is accepted for int fields, as encoding/json does
// not: it rejects them. We follow encoding/json: only integers.
bool GetInteger(Ctx& c, const yaml::Node& n, const std::string& path, int64_t& out,
                std::string_view type, int64_t min, int64_t max) {
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kNumber) {
    TypeError(c, n, path, type);
    return false;
  }
  if (!ParseInteger(n.Scalar(), out)) {
    c.Error(n, fmt::format("{}: cannot unmarshal number {} into a field of type {}", path,
                           n.Scalar(), type));
    return false;
  }
  if (out < min || out > max) {
    c.Error(n, fmt::format("{}: cannot unmarshal number {} into a field of type {}", path,
                           n.Scalar(), type));
    return false;
  }
  return true;
}

}  // namespace

void Fields(Ctx& c, const yaml::Node& n, const std::string& path,
            std::initializer_list<std::string_view> ignored, const FieldHandler& handle) {
  if (IsNullNode(n)) return;
  if (!n.IsMap()) {
    TypeError(c, n, path.empty() ? "(root)" : path, "object");
    return;
  }
  std::vector<std::pair<std::string_view, int>> seen;
  for (size_t i = 0, size = n.size(); i < size; i++) {
    const yaml::Node k = n.Key(i);
    const yaml::Node value = n.Value(i);
    if (!k.IsScalar()) {
      c.Error(k, fmt::format("{}: mapping keys must be strings", path.empty() ? "(root)" : path));
      continue;
    }
    std::string_view key = k.Scalar();
    bool dup = false;
    for (const auto& [name, line] : seen) {
      if (name == key) {
        c.Error(k, fmt::format("mapping key {} already defined at line {}", Quote(key), line));
        dup = true;
      }
    }
    if (dup) continue;
    seen.emplace_back(key, k.GetMark().line + 1);
    std::string sub = Field(path, key);
    if (handle(key, value, sub)) continue;
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) {
      if (!IsNullNode(value))
        c.Warn(k,
               fmt::format("field {} is not supported by hostprocess and is ignored", Quote(sub)));
    } else {
      c.Error(k, fmt::format("strict decoding error: unknown field {}", Quote(sub)));
    }
  }
}

void GetString(Ctx& c, const yaml::Node& n, const std::string& path, std::string& out) {
  if (IsNullNode(n)) return;
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kString) {
    TypeError(c, n, path, "string");
    return;
  }
  out = std::string(n.Scalar());
}

void GetString(Ctx& c, const yaml::Node& n, const std::string& path,
               std::optional<std::string>& out) {
  if (IsNullNode(n)) return;
  std::string s;
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kString) {
    TypeError(c, n, path, "string");
    return;
  }
  GetString(c, n, path, s);
  out = std::move(s);
}

void GetBool(Ctx& c, const yaml::Node& n, const std::string& path, bool& out) {
  if (IsNullNode(n)) return;
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kBool ||
      yaml::Resolve(n.Scalar()) != yaml::Plain::kBool) {
    TypeError(c, n, path, "bool");
    return;
  }
  out = yaml::BoolValue(n.Scalar());
}

void GetBool(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<bool>& out) {
  if (IsNullNode(n)) return;
  bool b = false;
  size_t before = c.errors->size();
  GetBool(c, n, path, b);
  if (c.errors->size() == before) out = b;
}

void GetInt32(Ctx& c, const yaml::Node& n, const std::string& path, int32_t& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) out = static_cast<int32_t>(v);
}

void GetInt32(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<int32_t>& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) out = static_cast<int32_t>(v);
}

void GetInt64(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<int64_t>& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int64", INT64_MIN, INT64_MAX)) out = v;
}

void GetIntOrString(Ctx& c, const yaml::Node& n, const std::string& path, IntOrString& out) {
  if (IsNullNode(n)) return;
  if (n.IsScalar() && TypeOf(n) == ScalarType::kString) {
    out.is_string = true;
    out.str_value = std::string(n.Scalar());
    return;
  }
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) {
    out.is_string = false;
    out.int_value = static_cast<int32_t>(v);
  }
}

void GetQuantity(Ctx& c, const yaml::Node& n, const std::string& path, Quantity& out) {
  if (IsNullNode(n)) return;
  ScalarType t = n.IsScalar() ? TypeOf(n) : ScalarType::kNull;
  if (!n.IsScalar() || (t != ScalarType::kString && t != ScalarType::kNumber)) {
    TypeError(c, n, path, "Quantity");
    return;
  }
  auto q = ParseQuantity(TrimSpace(n.Scalar()));
  if (!q) {
    c.Error(n, fmt::format("{}: {}", path, q.error().message()));
    return;
  }
  out = std::move(*q);
}

void Items(Ctx& c, const yaml::Node& n, const std::string& path,
           const std::function<void(const yaml::Node&, const std::string&)>& each) {
  if (IsNullNode(n)) return;
  if (!n.IsSequence()) {
    TypeError(c, n, path, "array");
    return;
  }
  for (size_t i = 0, size = n.size(); i < size; i++) each(n.Item(i), Index(path, i));
}

void GetStringList(Ctx& c, const yaml::Node& n, const std::string& path,
                   std::vector<std::string>& out) {
  Items(c, n, path, [&](const yaml::Node& item, const std::string& p) {
    std::string s;
    GetString(c, item, p, s);
    out.push_back(std::move(s));
  });
}

void GetStringMap(Ctx& c, const yaml::Node& n, const std::string& path, StringMap& out) {
  Fields(c, n, path, {}, [&](std::string_view key, const yaml::Node& v, const std::string& p) {
    std::string s;
    GetString(c, v, p, s);
    out.emplace_back(std::string(key), std::move(s));
    return true;
  });
}

namespace {

// A scalar as JSON: the decoder's typing (plain numbers and booleans are not strings).
nlohmann::json ScalarJson(const yaml::Node& n) {
  std::string text(n.Scalar());
  switch (TypeOf(n)) {
    case ScalarType::kNull:
      return nullptr;
    case ScalarType::kBool:
      return yaml::BoolValue(text);
    case ScalarType::kNumber: {
      int64_t i = 0;
      if (ParseInteger(text, i)) return i;
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (end && *end == '\0' && std::isfinite(d)) return d;
      return text;  // .inf / .nan have no JSON form
    }
    default:
      return text;
  }
}

nlohmann::json ToJson(const yaml::Node& n) {
  if (n.IsMap()) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0, size = n.size(); i < size; i++)
      o[std::string(n.Key(i).Scalar())] = ToJson(n.Value(i));
    return o;
  }
  if (n.IsSequence()) {
    nlohmann::json a = nlohmann::json::array();
    for (size_t i = 0, size = n.size(); i < size; i++) a.push_back(ToJson(n.Item(i)));
    return a;
  }
  return ScalarJson(n);
}

// The length of a JSON string literal as nlohmann::json dumps it (quotes and escapes; UTF-8
// kept as is: the YAML reader has already refused bytes that are not UTF-8).
size_t JsonStringSize(std::string_view s) {
  size_t size = 2;
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\' || ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' ||
        ch == '\t') {
      size += 2;
    } else if (ch < 0x20) {
      size += 6;  // a six-byte escape
    } else {
      size += 1;
    }
  }
  return size;
}

}  // namespace

std::string ToJsonText(const yaml::Node& n) {
  // Invalid UTF-8 becomes U+FFFD, as in Go's encoding/json.
  return ToJson(n).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

size_t JsonTextSize(const yaml::Node& n) {
  if (n.IsMap()) {
    size_t size = 2 + (n.size() > 0 ? n.size() - 1 : 0);  // {} and commas
    for (size_t i = 0, count = n.size(); i < count; i++)
      size += JsonStringSize(n.Key(i).Scalar()) + 1 + JsonTextSize(n.Value(i));
    return size;
  }
  if (n.IsSequence()) {
    size_t size = 2 + (n.size() > 0 ? n.size() - 1 : 0);
    for (size_t i = 0, count = n.size(); i < count; i++) size += JsonTextSize(n.Item(i));
    return size;
  }
  if (TypeOf(n) == ScalarType::kString) return JsonStringSize(n.Scalar());
  return ScalarJson(n).dump().size();
}

}  // namespace hp::k8s::internal
