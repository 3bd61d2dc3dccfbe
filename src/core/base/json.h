// hp/base: fast readers of JSON text, for the state files every command reads (a pod's record
// and status: `get pods` with 200 pods spent 60 % of its instructions in nlohmann's lexer, which
// copies every character into a token buffer; issue 16).
//
// `ParseJson` builds nlohmann::json with nlohmann's result, or none: it accepts only what
// nlohmann accepts (RFC 8259: no comments, no trailing commas, strict UTF-8, nothing but white
// space after the value) and builds the same value (integers as number_unsigned when not
// negative, else number_integer, and as a float when they overflow; the last of duplicate keys
// wins). What it does not take on (invalid text, a byte-order mark, nesting deeper than
// `kMaxJsonDepth`, a float out of range) gives nullopt, and `ParseJsonOrThrow` then asks
// nlohmann itself, so a caller sees nlohmann's value or nlohmann's exact error.
//
// `JsonPull` reads the same text value by value into typed fields, for a decoder that skips the
// tree (agent/pod_status.cc). It takes only the shape its caller asks for; on anything else the
// caller falls back to ParseJson and nlohmann's conversions, so what a file means never depends
// on which reader read it. tests/unit/base/json_test.cc and tests/fuzz/json compare them.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace hp {

inline constexpr int kMaxJsonDepth = 256;

std::optional<nlohmann::json> ParseJson(std::string_view text);

// ParseJson, else nlohmann::json::parse (its value, or its exception thrown: parse_error, or
// out_of_range for a number out of range).
nlohmann::json ParseJsonOrThrow(std::string_view text);

// Whether two values are the same value of the same types all the way down (nlohmann's == takes
// 1, 1u and 1.0 as equal; this does not, and tells 0.0 from -0.0): what the tests compare.
bool IdenticalJson(const nlohmann::json& a, const nlohmann::json& b);

// A pull reader: each call reads the next value if it is of the kind asked and returns true,
// else returns false (the reader is then spent: the caller gives up on this text).
class JsonPull {
 public:
  explicit JsonPull(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool String(std::string& out);
  bool Bool(bool& out);
  // An integer literal (no fraction, no exponent) within the type's range.
  bool Int(int64_t& out);
  bool Uint(uint64_t& out);
  template <typename T>
  bool Integer(T& out) {
    if constexpr (std::is_signed_v<T>) {
      int64_t v = 0;
      if (!Int(v) || v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
        return false;
      }
      out = static_cast<T>(v);
    } else {
      uint64_t v = 0;
      if (!Uint(v) || v > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
      out = static_cast<T>(v);
    }
    return true;
  }
  // Any value, read and dropped (checked as ParseJson checks it, but not built).
  bool Skip();
  // Any value, built as ParseJson builds it.
  bool Json(nlohmann::json& out);
  // An object: member(key) is called at each member's value, and must read it.
  template <typename F>
  bool Object(F&& member) {
    if (!Open('{')) return false;
    std::string key;
    bool more = false;
    if (!FirstMember(key, more)) return false;
    while (more) {
      if (!member(std::string_view(key)) || !NextMember(key, more)) return false;
    }
    return true;
  }
  // An array: item() is called at each element, and must read it.
  template <typename F>
  bool Array(F&& item) {
    if (!Open('[')) return false;
    bool more = false;
    if (!FirstItem(more)) return false;
    while (more) {
      if (!item() || !NextItem(more)) return false;
    }
    return true;
  }
  // Only white space is left.
  bool AtEnd();

 private:
  friend std::optional<nlohmann::json> ParseJson(std::string_view text);
  void SkipSpace();
  bool Word(std::string_view word);
  bool Open(char c);
  bool FirstMember(std::string& key, bool& more);
  bool NextMember(std::string& key, bool& more);
  bool Key(std::string& key, bool& more);
  bool FirstItem(bool& more);
  bool NextItem(bool& more);
  bool StringBody(std::string& s);
  size_t Utf8Sequence() const;
  bool Hex4(uint32_t& v);
  bool Escape(std::string& s);
  // Scans a number: [start, p_) is its text; `is_float` when it has a fraction or exponent.
  bool ScanNumber(const char*& start, bool& negative, bool& is_float);
  bool Value(nlohmann::json* out, int depth);
  bool Literal(std::string_view word, nlohmann::json value, nlohmann::json* out);
  bool Number(nlohmann::json* out);

  const char* p_;
  const char* end_;
  std::string scratch_;  // the strings Skip reads
};

}  // namespace hp
