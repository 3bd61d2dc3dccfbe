// The test oracle for yaml::JsonToYaml (src/core/k8s/yaml_emit.cc): libyaml's own emitter driven
// with go-yaml v2's scalar styles, the Linux build's -o yaml until our emitter replaced it on
// both platforms. Kept as it was so that the comparison tests the layout against libyaml itself.
#include "unit/k8s/libyaml_emit_oracle.h"

#include <yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/k8s/yaml.h"

namespace hp::k8s::yaml::oracle {

// ---- writing ----

namespace {

int Append(void* data, unsigned char* buffer, size_t size) {
  static_cast<std::string*>(data)->append(reinterpret_cast<const char*>(buffer), size);
  return 1;
}

class Emitter {
 public:
  Emitter() {
    yaml_emitter_initialize(&e_);
    yaml_emitter_set_output(&e_, Append, &out_);
    yaml_emitter_set_unicode(&e_, 1);
  }
  ~Emitter() { yaml_emitter_delete(&e_); }
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  std::string Run(const nlohmann::json& j) {
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    Emit(ev);
    yaml_document_start_event_initialize(&ev, nullptr, nullptr, nullptr, 1);
    Emit(ev);
    Value(j);
    yaml_document_end_event_initialize(&ev, 1);
    Emit(ev);
    yaml_stream_end_event_initialize(&ev);
    Emit(ev);
    yaml_emitter_flush(&e_);
    return std::move(out_);
  }

 private:
  void Emit(yaml_event_t& ev) { yaml_emitter_emit(&e_, &ev); }  // consumes ev

  void Scalar(const std::string& text, yaml_scalar_style_t style) {
    yaml_event_t ev;
    auto* value = reinterpret_cast<yaml_char_t*>(const_cast<char*>(text.data()));
    if (!yaml_scalar_event_initialize(&ev, nullptr, nullptr, value, static_cast<int>(text.size()),
                                      1, 1, style)) {
      // Not UTF-8: invalid bytes become U+FFFD, as Go's encoding/json does.
      std::string fixed =
          nlohmann::json::parse(
              nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
              .get<std::string>();
      value = reinterpret_cast<yaml_char_t*>(fixed.data());
      if (!yaml_scalar_event_initialize(&ev, nullptr, nullptr, value,
                                        static_cast<int>(fixed.size()), 1, 1, style))
        return;
    }
    Emit(ev);
  }

  // go-yaml v2's parseTimestamp: a string that reads back as a timestamp
  // ("2006-1-2T15:4:5.999999999Z07:00", lower-case t too, "2006-1-2 15:4:5.999999999",
  // "2006-1-2") is quoted, as kubectl quotes `creationTimestamp: "2026-..."`.
  static bool IsTimestamp(const std::string& s) {
    if (s.size() < 5 || s[4] != '-' ||
        !std::all_of(s.begin(), s.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    static const std::regex kTimestamp(
        R"(\d{4}-\d{1,2}-\d{1,2}(([Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))|)"
        R"(( \d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,9})?))?)");
    return std::regex_match(s, kTimestamp);
  }

  // go-yaml v2's encoder: multi-line strings as literal blocks, plain when the text reads back
  // as a string (not a timestamp), else double-quoted. (The emitter falls back to a quoted style
  // itself when plain or literal cannot hold the text.)
  void String(const std::string& s) {
    yaml_scalar_style_t style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (s.find('\n') != std::string::npos) {
      style = YAML_LITERAL_SCALAR_STYLE;
    } else if (Resolve(s) == Plain::kString && !IsTimestamp(s)) {
      style = YAML_PLAIN_SCALAR_STYLE;
    }
    Scalar(s, style);
  }

  void Value(const nlohmann::json& j) {
    yaml_event_t ev;
    if (j.is_object()) {
      yaml_mapping_start_event_initialize(
          &ev, nullptr, nullptr, 1, j.empty() ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
      Emit(ev);
      for (const auto& [k, v] : j.items()) {
        String(k);
        Value(v);
      }
      yaml_mapping_end_event_initialize(&ev);
      Emit(ev);
    } else if (j.is_array()) {
      yaml_sequence_start_event_initialize(
          &ev, nullptr, nullptr, 1,
          j.empty() ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
      Emit(ev);
      for (const auto& v : j) Value(v);
      yaml_sequence_end_event_initialize(&ev);
      Emit(ev);
    } else if (j.is_string()) {
      String(j.get_ref<const std::string&>());
    } else if (j.is_null()) {
      Scalar("null", YAML_PLAIN_SCALAR_STYLE);
    } else {
      Scalar(j.dump(), YAML_PLAIN_SCALAR_STYLE);  // numbers, booleans
    }
  }

  yaml_emitter_t e_;
  std::string out_;
};

}  // namespace

std::string LibyamlJsonToYaml(const nlohmann::json& j) { return Emitter().Run(j); }

}  // namespace hp::k8s::yaml::oracle
