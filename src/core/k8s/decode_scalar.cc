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

Source Ctx::At(const YAML::Node& n) const {
  Source s{file, 0, 0, document};
  YAML::Mark m = n.Mark();
  if (m.line >= 0) {
    s.line = m.line + 1;
    s.column = m.column + 1;
  }
  return s;
}

void Ctx::Error(const YAML::Node& n, std::string message) {
  errors->push_back(Diagnostic{At(n), object, std::move(message)});
}
void Ctx::Warn(const YAML::Node& n, std::string message) {
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

std::string Index(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }

bool IsNullNode(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return true;
  if (n.IsScalar() && n.Tag() == "?") {
    const std::string& s = n.Scalar();
    return s == "~" || s == "null" || s == "Null" || s == "NULL";
  }
  return false;
}

namespace {

enum class ScalarType { kString, kNumber, kBool, kNull };

bool IsBoolWord(const std::string& s, bool* value) {
  static const char* const kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                      "True", "TRUE", "on",  "On",  "ON"};
  static const char* const kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                       "False", "FALSE", "off", "Off", "OFF"};
  for (const char* w : kTrue)
    if (s == w) return *value = true, true;
  for (const char* w : kFalse)
    if (s == w) return *value = false, true;
  return false;
}

// YAML 1.1 numbers as go-yaml resolves them (ints incl. 0x/0o, floats, .inf/.nan).
bool IsNumberWord(std::string_view s) {
  if (s.empty()) return false;
  std::string t;
  for (char ch : s)
    if (ch != '_') t += ch;
  std::string_view v = t;
  if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf" || v == "-.inf" || v == ".nan" ||
      v == ".NaN" || v == ".NAN")
    return true;
  if (v[0] == '+' || v[0] == '-') v.remove_prefix(1);
  if (v.empty()) return false;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'o' || v[1] == 'b')) {
    for (char ch : v.substr(2))
      if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
    return true;
  }
  size_t i = 0, digits = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) i++, digits++;
  if (i < v.size() && v[i] == '.') {
    i++;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) i++, digits++;
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    i++;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) i++;
    size_t ed = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) i++, ed++;
    if (ed == 0) return false;
  }
  return i == v.size();
}

ScalarType TypeOf(const YAML::Node& n) {
  if (IsNullNode(n)) return ScalarType::kNull;
  if (n.Tag() != "?") {
    const std::string& tag = n.Tag();
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float")
      return ScalarType::kNumber;
    if (tag == "tag:yaml.org,2002:bool") return ScalarType::kBool;
    return ScalarType::kString;
  }
  bool b;
  if (IsBoolWord(n.Scalar(), &b)) return ScalarType::kBool;
  if (IsNumberWord(n.Scalar())) return ScalarType::kNumber;
  return ScalarType::kString;
}

const char* JsonTypeName(const YAML::Node& n) {
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

void TypeError(Ctx& c, const YAML::Node& n, const std::string& path, std::string_view want) {
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
bool GetInteger(Ctx& c, const YAML::Node& n, const std::string& path, int64_t& out,
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

void Fields(Ctx& c, const YAML::Node& n, const std::string& path,
            std::initializer_list<std::string_view> ignored, const FieldHandler& handle) {
  if (IsNullNode(n)) return;
  if (!n.IsMap()) {
    TypeError(c, n, path.empty() ? "(root)" : path, "object");
    return;
  }
  std::vector<std::pair<std::string, int>> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node k = it->first;
    const YAML::Node value = it->second;
    if (!k.IsScalar()) {
      c.Error(k, fmt::format("{}: mapping keys must be strings", path.empty() ? "(root)" : path));
      continue;
    }
    const std::string& key = k.Scalar();
    bool dup = false;
    for (const auto& [name, line] : seen) {
      if (name == key) {
        c.Error(k, fmt::format("mapping key {} already defined at line {}", Quote(key), line));
        dup = true;
      }
    }
    if (dup) continue;
    seen.emplace_back(key, k.Mark().line + 1);
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

void GetString(Ctx& c, const YAML::Node& n, const std::string& path, std::string& out) {
  if (IsNullNode(n)) return;
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kString) {
    TypeError(c, n, path, "string");
    return;
  }
  out = n.Scalar();
}

void GetString(Ctx& c, const YAML::Node& n, const std::string& path,
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

void GetBool(Ctx& c, const YAML::Node& n, const std::string& path, bool& out) {
  if (IsNullNode(n)) return;
  bool b = false;
  if (!n.IsScalar() || TypeOf(n) != ScalarType::kBool || !IsBoolWord(n.Scalar(), &b)) {
    if (n.IsScalar() && n.Tag() == "tag:yaml.org,2002:bool") {
      out = n.as<bool>(false);
      return;
    }
    TypeError(c, n, path, "bool");
    return;
  }
  out = b;
}

void GetBool(Ctx& c, const YAML::Node& n, const std::string& path, std::optional<bool>& out) {
  if (IsNullNode(n)) return;
  bool b = false;
  size_t before = c.errors->size();
  GetBool(c, n, path, b);
  if (c.errors->size() == before) out = b;
}

void GetInt32(Ctx& c, const YAML::Node& n, const std::string& path, int32_t& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) out = static_cast<int32_t>(v);
}

void GetInt32(Ctx& c, const YAML::Node& n, const std::string& path, std::optional<int32_t>& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) out = static_cast<int32_t>(v);
}

void GetInt64(Ctx& c, const YAML::Node& n, const std::string& path, std::optional<int64_t>& out) {
  if (IsNullNode(n)) return;
  int64_t v;
  if (GetInteger(c, n, path, v, "int64", INT64_MIN, INT64_MAX)) out = v;
}

void GetIntOrString(Ctx& c, const YAML::Node& n, const std::string& path, IntOrString& out) {
  if (IsNullNode(n)) return;
  if (n.IsScalar() && TypeOf(n) == ScalarType::kString) {
    out.is_string = true;
    out.str_value = n.Scalar();
    return;
  }
  int64_t v;
  if (GetInteger(c, n, path, v, "int32", INT32_MIN, INT32_MAX)) {
    out.is_string = false;
    out.int_value = static_cast<int32_t>(v);
  }
}

void GetQuantity(Ctx& c, const YAML::Node& n, const std::string& path, Quantity& out) {
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

void Items(Ctx& c, const YAML::Node& n, const std::string& path,
           const std::function<void(const YAML::Node&, const std::string&)>& each) {
  if (IsNullNode(n)) return;
  if (!n.IsSequence()) {
    TypeError(c, n, path, "array");
    return;
  }
  size_t i = 0;
  for (auto it = n.begin(); it != n.end(); ++it, ++i) {
    const YAML::Node item = *it;
    each(item, Index(path, i));
  }
}

void GetStringList(Ctx& c, const YAML::Node& n, const std::string& path,
                   std::vector<std::string>& out) {
  Items(c, n, path, [&](const YAML::Node& item, const std::string& p) {
    std::string s;
    GetString(c, item, p, s);
    out.push_back(std::move(s));
  });
}

void GetStringMap(Ctx& c, const YAML::Node& n, const std::string& path, StringMap& out) {
  Fields(c, n, path, {}, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
    std::string s;
    GetString(c, v, p, s);
    out.emplace_back(std::string(key), std::move(s));
    return true;
  });
}

namespace {

nlohmann::json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& item : n) a.push_back(ToJson(item));
    return a;
  }
  switch (TypeOf(n)) {
    case ScalarType::kNull:
      return nullptr;
    case ScalarType::kBool: {
      bool b = false;
      IsBoolWord(n.Scalar(), &b);
      if (n.Tag() != "?") b = n.as<bool>(false);
      return b;
    }
    case ScalarType::kNumber: {
      int64_t i = 0;
      if (ParseInteger(n.Scalar(), i)) return i;
      char* end = nullptr;
      double d = std::strtod(n.Scalar().c_str(), &end);
      if (end && *end == '\0' && std::isfinite(d)) return d;
      return n.Scalar();  // .inf / .nan have no JSON form
    }
    default:
      return n.Scalar();
  }
}

}  // namespace

std::string ToJsonText(const YAML::Node& n) {
  // Invalid UTF-8 becomes U+FFFD, as in Go's encoding/json.
  return ToJson(n).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hp::k8s::internal
