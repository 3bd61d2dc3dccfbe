// Internal to hp_k8s: the strict field-by-field decoder shared by decode*.cc.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/k8s/decode.h"
#include "core/k8s/yaml.h"

namespace hp::k8s::internal {

// State for decoding one object: where it comes from and what went wrong.
struct Ctx {
  std::string file;
  int document = 0;
  std::string object;  // `Pod "x"`
  std::vector<Diagnostic>* errors = nullptr;
  std::vector<Diagnostic>* warnings = nullptr;
  bool keep_raw = false;  // fill Object::raw_json

  Source At(const yaml::Node& n) const;
  void Error(const yaml::Node& n, std::string message);
  void Warn(const yaml::Node& n, std::string message);
};

std::string Field(const std::string& path, std::string_view key);  // "a" + "b" → "a.b"
std::string Index(const std::string& path, size_t i);              // "a[3]"

// Iterates a mapping. `handle(key, value, path)` returns false for a key it does not know;
// such a key is then a warning if it is listed in `ignored` (a field Kubernetes has that
// hostprocess does not use), else an "unknown field" error. A null node is an empty mapping;
// anything else but a mapping is a type error.
using FieldHandler =
    std::function<bool(std::string_view key, const yaml::Node& value, const std::string& path)>;
void Fields(Ctx& c, const yaml::Node& n, const std::string& path,
            std::initializer_list<std::string_view> ignored, const FieldHandler& handle);

// Scalars with JSON typing: plain YAML scalars that read as numbers or booleans are not
// strings, quoted scalars are always strings. A null leaves the output unchanged.
bool IsNullNode(const yaml::Node& n);
void GetString(Ctx& c, const yaml::Node& n, const std::string& path, std::string& out);
void GetString(Ctx& c, const yaml::Node& n, const std::string& path,
               std::optional<std::string>& out);
void GetBool(Ctx& c, const yaml::Node& n, const std::string& path, bool& out);
void GetBool(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<bool>& out);
void GetInt32(Ctx& c, const yaml::Node& n, const std::string& path, int32_t& out);
void GetInt32(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<int32_t>& out);
void GetInt64(Ctx& c, const yaml::Node& n, const std::string& path, std::optional<int64_t>& out);
void GetIntOrString(Ctx& c, const yaml::Node& n, const std::string& path, IntOrString& out);
void GetQuantity(Ctx& c, const yaml::Node& n, const std::string& path, Quantity& out);
void GetStringList(Ctx& c, const yaml::Node& n, const std::string& path,
                   std::vector<std::string>& out);
void GetStringMap(Ctx& c, const yaml::Node& n, const std::string& path, StringMap& out);
// Calls `each(item, path)` for each element of a sequence (null = empty).
void Items(Ctx& c, const yaml::Node& n, const std::string& path,
           const std::function<void(const yaml::Node&, const std::string&)>& each);

// The node as compact JSON text, with the decoder's JSON typing of scalars.
std::string ToJsonText(const yaml::Node& n);
// ToJsonText(n).size(), counted without building the text (for the API server's size limits).
size_t JsonTextSize(const yaml::Node& n);

void DecodeObjectMeta(Ctx& c, const yaml::Node& n, const std::string& path, ObjectMeta& out);
void DecodePodSpec(Ctx& c, const yaml::Node& n, const std::string& path, PodSpec& out);
void DecodeLabelSelector(Ctx& c, const yaml::Node& n, const std::string& path, LabelSelector& out);
void DecodeContainer(Ctx& c, const yaml::Node& n, const std::string& path, Container& out,
                     bool ephemeral);
void DecodeVolume(Ctx& c, const yaml::Node& n, const std::string& path, Volume& out);
void DecodeSecurityContext(Ctx& c, const yaml::Node& n, const std::string& path,
                           SecurityContext& out);
void DecodePodSecurityContext(Ctx& c, const yaml::Node& n, const std::string& path,
                              PodSecurityContext& out);

}  // namespace hp::k8s::internal
