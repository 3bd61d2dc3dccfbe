// hp/base ParseJson against nlohmann::json::parse: on every input either the same value (type by
// type: unsigned, integer and float kept apart, keys in order, the sign of a zero) or no value
// where nlohmann would not give one. Hand-picked edge cases, then a deterministic mutation run
// over a real pod status; tests/fuzz/json does the same on any bytes.
#include "core/base/json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/mutate.h"

namespace hp {
namespace {

using nlohmann::json;

// The property: ParseJson agrees with nlohmann or declines. Returns whether ParseJson took it.
// JsonPull::Skip reads the same texts without building them: it takes exactly what ParseJson
// takes.
bool Agrees(const std::string& text) {
  std::optional<json> ours = ParseJson(text);
  JsonPull skipper(text);
  bool skipped = skipper.Skip() && skipper.AtEnd();
  EXPECT_EQ(skipped, ours.has_value()) << "Skip and ParseJson disagree on: " << text;
  json theirs;
  bool theirs_ok = true;
  try {
    theirs = json::parse(text);
  } catch (const json::exception&) {
    theirs_ok = false;
  }
  if (ours) {
    EXPECT_TRUE(theirs_ok) << "accepted what nlohmann refuses: " << text;
    if (theirs_ok) {
      EXPECT_TRUE(IdenticalJson(*ours, theirs)) << text << "\nours:   " << ours->dump();
    }
  }
  // Whatever the reader declines, ParseJsonOrThrow still gives nlohmann's value or error.
  bool fallback_ok = true;
  try {
    EXPECT_TRUE(IdenticalJson(ParseJsonOrThrow(text), theirs)) << text;
  } catch (const json::exception&) {
    fallback_ok = false;
  }
  EXPECT_EQ(fallback_ok, theirs_ok) << text;
  return ours.has_value();
}

TEST(ParseJson, TakesWhatNlohmannTakesWithTheSameValue) {
  const std::vector<std::string> taken = {
      "{}",
      "[]",
      " \t\r\n{ } \n",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "1",
      "-1",
      "0.0",
      "-0.0",
      "1.5e3",
      "1E-2",
      "2e+8",
      "18446744073709551615",
      "-9223372036854775808",
      "18446744073709551616",  // overflows uint64: a float, as nlohmann reads it
      "-9223372036854775809",  // overflows int64: a float
      "123456789012345678901234567890",
      "0.1",
      "3.141592653589793238462643383279",
      "1e-310",                   // subnormal: taken (std::from_chars took it)
      "2.4703282292062328e-324",  // rounds up to the smallest subnormal
      // longer than ParseDouble's buffer on the stack
      "0.1000000000000000055511151231257827021181583404541015625000000000000000001",
      R"("")",
      R"("a\"b\\c\/d\b\f\n\r\t")",
      R"("\u0000")",
      R"("\u00e9\u20AC")",
      R"("\ud83d\ude00")",
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
      R"({"b":1,"a":[1,2,{"c":null}],"d":{"e":"f"}})",
      R"({"a":1,"a":2})",
      R"({"a":{"x":1},"a":[true]})",
      R"([[[[[]]]]])",
      R"([1,-2,3.5,"x",true,false,null])",
  };
  for (const std::string& t : taken) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(Agrees(t)) << "declined valid JSON: " << t;
  }
}

TEST(ParseJson, DeclinesWhatNlohmannRefusesOrWhatItLeavesToIt) {
  const std::vector<std::string> declined = {
      "",
      " ",
      "{",
      "}",
      "[",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\"}",
      "{\"a\" 1}",
      "{a:1}",
      "[1 2]",
      "01",
      "-",
      "-a",
      "1.",
      ".5",
      "1e",
      "1e+",
      "+1",
      "0x10",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "true false",
      "{} x",
      "\"abc",
      "\"a\x01\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\u12G4\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\xc3\"",
      "\"\xc0\x80\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xff\"",
      "// c\n{}",
      "{} /* c */",
      std::string("{}\0", 3),
      "\xef\xbb\xbf{}",  // a byte-order mark: nlohmann skips it
      "1e400",
      "-1e400",                   // out of range: nlohmann's error
      "1e-400",                   // below a double's range: left to nlohmann (0 there)
      "2.4703282292062327e-324",  // rounds down to 0: the same
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'),
  };
  for (const std::string& t : declined) {
    SCOPED_TRACE(t);
    EXPECT_FALSE(Agrees(t)) << "took: " << t;
  }
  // Just inside the depth limit it is taken.
  EXPECT_TRUE(Agrees(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
}

// Strings are scanned sixteen bytes at a time: each byte that ends a plain run (a quote, an
// escape, a control character, UTF-8 good and bad, DEL and the bytes around 0x20 and 0x80) at
// every place of the first blocks of a string and of the text, and strings that end where a
// block ends or just past it.
TEST(ParseJson, StringsAgreeWhereverTheirSpecialBytesFall) {
  const std::vector<std::string> specials = {
      "\\\"", "\\\\",     "\\n",          "\\u00e9",          "\x01", "\x1f", " ",    "!",
      "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xc3", "\xff", "\"",
      "\t"};
  int taken = 0;
  for (const std::string& special : specials) {
    for (size_t before = 0; before < 40; before++) {
      for (size_t after : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}}) {
        std::string body = std::string(before, 'a') + special + std::string(after, 'b');
        for (const std::string& text : {"\"" + body + "\"", "[\"" + body + "\", 1]",
                                        std::string(before % 7, ' ') + "{\"" + body + "\": 2}"}) {
          SCOPED_TRACE(::testing::PrintToString(text));
          if (Agrees(text)) taken++;
          if (HasFailure()) return;
        }
      }
    }
  }
  EXPECT_GT(taken, 1000);  // the valid ones, read to their values, not only refusals
}

// White space: runs of every length up to 49, of each kind of JSON white space, ended by a token
// or by a byte that is not JSON white space (a vertical tab, a form feed, a NUL: refused).
TEST(ParseJson, WhiteSpaceRunsOfEveryLength) {
  int taken = 0;
  for (size_t n = 0; n < 50; n++) {
    std::string run;
    for (size_t i = 0; i < n; i++) run += " \n\r\t"[(i * 7 + n) % 4];
    for (const std::string& text :
         {"[" + run + "1" + run + "]", run + "{\"a\":" + run + "true}" + run,
          "[" + run + std::string("\v") + "1]", "[1," + run + std::string(1, '\0') + "]",
          run + "\f" + run + "null"}) {
      SCOPED_TRACE(::testing::PrintToString(text));
      if (Agrees(text)) taken++;
      if (HasFailure()) return;
    }
  }
  EXPECT_EQ(taken, 100);  // the two valid texts of each length, and none of the others
}

TEST(ParseJson, AgreesWithNlohmannOnMutatedStatus) {
  // A status as a supervisor writes it (nlohmann's dump(1)), then bytes replaced, inserted and
  // removed at random (a fixed seed: the same inputs every run).
  const std::string status = json::parse(R"({
    "containers": [{"containerId": "hostprocess://0123abcd", "image": "busybox:1",
      "name": "c", "pid": 4242, "ready": true, "restartCount": 3, "started": true,
      "state": {"exitCode": 0, "finishedAt": 0, "kind": "running", "message": "",
                "reason": "", "signal": 0, "startedAt": 1764921600}}],
    "events": [{"count": 1, "first": 1764921600, "from": "kubelet",
                "message": "Started container c \u00e9\u20ac", "reason": "Started",
                "type": "Normal"}],
    "phase": "Running", "ready": true, "supervisorPid": 77, "supervisorStart": 18446744073709551615,
    "score": -1.25e-3, "updated": -17})")
                                 .dump(1);
  ASSERT_TRUE(Agrees(status));
  std::mt19937 rng(20261205);
  const std::string alphabet = "{}[]\":,\\ \n0123456789-+.eEtrufalsn\x01\xc3\xa9\xff";
  int taken = 0;
  for (int i = 0; i < 3000; i++) {
    std::string t = hp::testing::Mutate(status, rng, alphabet, 3);
    if (Agrees(t)) taken++;
    if (HasFailure()) break;
  }
  // Many mutations (inside strings, white space) leave valid JSON: those must be taken, so
  // the run did check values, not only refusals.
  EXPECT_GT(taken, 100);
}

}  // namespace
}  // namespace hp
