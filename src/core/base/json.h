// hp/base: a fast reader of JSON text into nlohmann::json, for the state files every command
// reads (a pod's record and status: `get pods` with 200 pods spent 60 % of its instructions in
// nlohmann's lexer, which copies every character into a token buffer; issue 16).
//
// Same result as nlohmann::json::parse, or none: `ParseJson` accepts only what nlohmann accepts
// (RFC 8259: no comments, no trailing commas, strict UTF-8, nothing but white space after the
// value) and builds the same value (integers as number_unsigned when not negative, else
// number_integer, and as a float when they overflow; the last of duplicate keys wins). What it
// does not take on (invalid text, a byte-order mark, nesting deeper than `kMaxJsonDepth`, a
// float out of range) gives nullopt, and `ParseJsonOrThrow` then asks nlohmann itself, so a
// caller sees nlohmann's value or nlohmann's exact error. tests/unit/base/json_test.cc and
// tests/fuzz/json compare the two on every input.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace hp {

inline constexpr int kMaxJsonDepth = 256;

std::optional<nlohmann::json> ParseJson(std::string_view text);

// ParseJson, else nlohmann::json::parse (its value, or its exception thrown: parse_error, or
// out_of_range for a number out of range).
nlohmann::json ParseJsonOrThrow(std::string_view text);

// Whether two values are the same value of the same types all the way down (nlohmann's == takes
// 1, 1u and 1.0 as equal; this does not, and tells 0.0 from -0.0): what the tests compare.
bool IdenticalJson(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace hp
