// yaml::JsonToYaml (our emitter, the one both platforms ship) against libyaml's emitter driven as
// go-yaml v2 drives it (libyaml_emit_oracle.cc, Linux only): byte for byte on table cases (every
// style decision, folding around the width, unicode, control bytes, invalid UTF-8, nesting, empty
// containers, the objects `get -o yaml` prints) and on seeded generated and mutated values. A
// test stops at the first difference and shows both texts.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/k8s/yaml.h"
#include "unit/k8s/libyaml_emit_oracle.h"

namespace hp::k8s {
namespace {

using nlohmann::json;

std::string Shown(const json& j) {
  return j.dump(-1, ' ', true, json::error_handler_t::replace);  // ASCII, invalid bytes as U+FFFD
}

// Compares the two emitters on `j`; on a difference, fails with both texts.
::testing::AssertionResult Same(const json& j) {
  std::string ours = yaml::JsonToYaml(j);
  std::string libyaml = yaml::oracle::LibyamlJsonToYaml(j);
  if (ours == libyaml) return ::testing::AssertionSuccess();
  size_t at = 0;
  while (at < ours.size() && at < libyaml.size() && ours[at] == libyaml[at]) at++;
  return ::testing::AssertionFailure()
         << "for " << Shown(j) << "\nfirst difference at byte " << at << "\n--- libyaml ---\n"
         << libyaml << "\n--- ours ---\n"
         << ours << "\n--- (as JSON strings) ---\nlibyaml: " << Shown(json(libyaml))
         << "\nours:    " << Shown(json(ours));
}

// `s` as a root scalar, a mapping value and key, a sequence item, an item in a sequence in a
// mapping, deeper in a pod-like object, and a long key's value.
std::vector<json> Contexts(const std::string& s) {
  return {json(s),
          json{{"k", s}},
          json{{s, "v"}},
          json::array({s}),
          json{{"spec", {{"containers", json::array({json{{"args", json::array({s, s})}}})}}}},
          json{{s, json{{"a", s}}}},
          json{{s, json::array({s})}},
          json{{s, json::object()}},
          json::array({json::array({s})}),
          json{{std::string(130, 'k'), s}}};
}

void ExpectSameEverywhere(const std::vector<std::string>& texts) {
  for (const std::string& s : texts)
    for (const json& j : Contexts(s)) ASSERT_TRUE(Same(j));
}

TEST(YamlEmit, StylesAsLibyamlPicksThem) {
  ExpectSameEverywhere({
      "",
      "x",
      "null",
      "Null",
      "~",
      "true",
      "yes",
      "on",
      "Off",
      "y",
      "n",
      "1",
      "-1",
      "0x1F",
      "0o7",
      "0b101",
      "1_000",
      "1e3",
      "1.5",
      ".5",
      ".inf",
      "-.inf",
      ".nan",
      "+1",
      "123abc",
      "2026-11-22",
      "2026-11-22T10:00:00Z",
      "2026-1-2t3:4:5.123456789+01:00",
      "2026-11-22 10:00:00",
      "2026-11-22T10:00:00",
      "2026-11-22 10:00:00Z",
      "2026-11-22T10:00:00.1234567890Z",
      "2026-11-22T10:00:00+1:00",
      "20261-11-22",
      "2026-111-22",
      "sleep-3600",
      // indicators first, inside, last
      "-",
      "--",
      "---",
      "--- x",
      "...",
      "....",
      "- x",
      "-x",
      "?",
      "? x",
      "?x",
      ":",
      ": x",
      ":x",
      "a: b",
      "a:b",
      "a:",
      "a :",
      "#",
      "# x",
      "a #b",
      "a#b",
      "a #",
      ",",
      "a,b",
      "[",
      "a[b]",
      "]",
      "{",
      "a{b}",
      "}",
      "&a",
      "*a",
      "!a",
      "!!str",
      "|",
      ">",
      "'",
      "a'b",
      "'a'",
      "\"",
      "a\"b",
      "%",
      "@",
      "`",
      "a`",
      "a@b",
      "a%b",
      "\\",
      "a\\b",
      "a\\",
      // spaces and breaks
      " ",
      "  ",
      " a",
      "a ",
      "a  b",
      " a ",
      "\n",
      "\n\n",
      "a\n",
      "a\n\n",
      "a\n\n\n",
      "\na",
      "\n\na\n",
      "a\nb",
      "a\n b",
      "a \nb",
      " a\nb",
      "a\nb ",
      "a\nb\n",
      "a\r\nb",
      "\r",
      "a\rb",
      "a\tb",
      "\t",
      "a\t",
      "a\n\tb",
      "a\n\n b\n",
      // unicode, line separators, the BOM, controls
      "é",
      "日本語",
      "a\xc2\xa0"
      "b",
      "\xc2\xa0",
      "a\xc2\x85"
      "b",
      "a\xe2\x80\xa8"
      "b",
      "a\xe2\x80\xa9"
      "b\n",
      "a\xe2\x80\xa8",
      "\xe2\x80\xa8",
      "\xef\xbb\xbf"
      "a",
      "a\xef\xbb\xbf",
      "a\xef\xbf\xbd",
      "\xef\xbf\xbe",
      "\xef\xbf\xbf",
      "\xee\x80\x80",
      "\xed\x9f\xbf",
      "\xf0\x9f\x98\x80",
      "a \xf0\x9f\x98\x80 b",
      std::string("a\0b", 3),
      std::string(1, '\0'),
      "\x01",
      "\x07\x08\x0b\x0c\x1b",
      "\x7f",
      "a\x1f",
      // invalid UTF-8, and what libyaml takes where Go would not
      "\x80",
      "a\xff",
      "\xc3",
      "a\xc3(",
      "\xe2\x82",
      "\xc0\x80",
      "\xe0\x80\x80",
      "\xf8\x88\x80",
      "\xed\xa0\x80",
      "\xed\xbf\xbf",
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",
      "\xf7\xbf\xbf\xbf",
      "a\xed\xa0\x80\nb",
  });
}

// Folding: plain, single- and double-quoted text whose spaces fall on either side of column 80,
// at several depths; single spaces, double spaces, a space at the end.
TEST(YamlEmit, FoldsAtTheWidthAsLibyaml) {
  std::vector<std::string> texts;
  for (int n = 60; n <= 100; n++) {
    std::string word(static_cast<size_t>(n), 'w');
    texts.push_back(word + " b c d");
    texts.push_back(word + "  b   c");
    texts.push_back(word + " 'q' b");
    texts.push_back("'" + word + " b c'");  // single-quoted (a leading quote)
    texts.push_back(word + " b\tc");        // double-quoted (a tab)
    texts.push_back(word + " \"b\"  c d");
    texts.push_back(word + " b \n");
    texts.push_back(word + " b\nc " + word + " d");
    texts.push_back("x " + word + " \xe2\x80\xa8 y " + word + " z");  // LS: single-quoted breaks
    texts.push_back(word + " \xc3\xa9 \xc3\xa9 b");
    texts.push_back(word + " ");
  }
  std::string words;
  for (int i = 0; i < 60; i++) words += "word" + std::to_string(i) + (i % 7 == 0 ? "  " : " ");
  texts.push_back(words);
  texts.push_back(words + "\t");
  texts.push_back("'" + words);
  for (const std::string& s : texts) {
    for (const json& j : Contexts(s)) ASSERT_TRUE(Same(j));
    json deep = s;
    for (int d = 0; d < 12; d++) {
      deep = d % 2 ? json::array({deep}) : json{{"k" + std::to_string(d), deep}};
      ASSERT_TRUE(Same(deep));
    }
  }
}

// Every code point in a text (a sample past U+3000), surrogates and past U+10FFFF as libyaml
// takes them, alone, between letters and in a long line.
TEST(YamlEmit, EscapesAndPrintsCodePointsAsLibyaml) {
  auto utf8 = [](uint32_t c) {
    std::string s;
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xE0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
  };
  std::vector<uint32_t> points;
  for (uint32_t c = 0; c < 0x3000; c++) points.push_back(c);
  for (uint32_t c = 0x3000; c < 0x1FFFFF; c += c < 0x10000 ? 13 : 997) points.push_back(c);
  for (uint32_t c : {0xD7FFu, 0xD800u, 0xDBFFu, 0xDC00u, 0xDFFFu, 0xE000u, 0xFDD0u, 0xFEFFu,
                     0xFFFDu, 0xFFFEu, 0xFFFFu, 0x10000u, 0x10FFFFu, 0x110000u, 0x1FFFFFu})
    points.push_back(c);
  std::string long_line(85, 'a');
  for (uint32_t c : points) {
    std::string ch = utf8(c);
    for (const std::string& s : {ch, "a" + ch + "b", "a " + ch, long_line + " " + ch + " b"}) {
      ASSERT_TRUE(Same(json{{"k", s}}));
      ASSERT_TRUE(Same(json{{s, 1}}));
    }
  }
  for (int b = 0; b < 256; b++) {  // every byte, alone and after a letter
    std::string ch(1, static_cast<char>(b));
    ASSERT_TRUE(Same(json{{"k", ch}, {ch, "a" + ch}}));
  }
}

TEST(YamlEmit, NestingAndEmptyContainersAsLibyaml) {
  json empties =
      json{{"m", json::object()},
           {"s", json::array()},
           {"l", json::array({json::object(), json::array(), json::array({json::array()}),
                              json{{"e", json::object()}}})}};
  ASSERT_TRUE(Same(empties));
  ASSERT_TRUE(Same(json::object()));
  ASSERT_TRUE(Same(json::array()));
  ASSERT_TRUE(Same(json::array({json::array({json::array({1, 2}), 3}), json::object()})));
  ASSERT_TRUE(Same(json{{std::string(129, 'k'), json::array({1})}}));
  ASSERT_TRUE(Same(json{{std::string(128, 'k'), json::array({1})}}));
  ASSERT_TRUE(Same(json{{"a\nb", json{{"c", json::array({json{{"d\n", "e\n"}}})}}}}));
  ASSERT_TRUE(Same(json{{"a\nb", json::array({json::object()})}, {"c", 1}}));
  for (int depth : {1, 2, 10, 45, 200}) {
    json maps = "leaf value with some words";
    json lists = maps;
    json mixed = "multi\nline\n\n";
    for (int d = 0; d < depth; d++) {
      maps = json{{"k", maps}, {"z", d}};
      lists = json::array({lists, d});
      mixed = d % 3 == 0   ? json{{"key number " + std::to_string(d), mixed}}
              : d % 3 == 1 ? json::array({mixed, json::object()})
                           : json{{std::string(130, 'x'), mixed}};
    }
    ASSERT_TRUE(Same(maps));
    ASSERT_TRUE(Same(lists));
    ASSERT_TRUE(Same(mixed));
  }
}

TEST(YamlEmit, NumbersAndLiteralsAsLibyaml) {
  for (const char* text : {"0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808",
                           "18446744073709551615", "0.1", "-0.0", "1e300", "1.5e-7", "3.14159",
                           "true", "false", "null", "123456789012345678901234567890"}) {
    json v = json::parse(text);
    ASSERT_TRUE(Same(v));
    ASSERT_TRUE(Same(json{{"v", v}, {"l", json::array({v, v})}}));
  }
}

// The objects `get -o yaml` prints: a DaemonSet's pod with its status, a List of them.
json PodLike() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "hpc-7d9fx", "namespace": "default", "uid": "0b1e7c9e-4a4e-4c0e-9d0b-5b6f4b2f3a10",
      "creationTimestamp": "2026-11-22T10:00:00Z", "generation": 1, "resourceVersion": "1795341600000000",
      "labels": {"name": "privileged-daemonset", "controller-revision-hash": "6b5d9c8f7"},
      "annotations": {"microsoft.com/hostprocess-inherit-user": "true", "note": "yes"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "privileged-daemonset",
        "controller": true, "blockOwnerDeletion": true}]},
    "spec": {"nodeName": "node-1", "hostNetwork": true, "restartPolicy": "Always",
      "securityContext": {"windowsOptions": {"hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM"}},
      "containers": [{"name": "powershell", "image": "mcr.microsoft.com/powershell:lts-nanoserver-1809",
        "command": ["powershell.exe", "-Command", "Start-Sleep 2147483"],
        "args": ["--config=C:\\hpc\\config.yaml", "echo hello; echo $env:CONTAINER_SANDBOX_MOUNT_POINT",
                 "a long argument that goes on and on past the width of eighty columns so that libyaml folds it"],
        "env": [{"name": "PORT", "value": "8080"}, {"name": "EMPTY", "value": ""},
                {"name": "SCRIPT", "value": "line one\nline two\n"}],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {}},
        "volumeMounts": [], "terminationMessagePath": "/dev/termination-log"}],
      "tolerations": [{"operator": "Exists", "effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure"}],
      "nodeSelector": {"kubernetes.io/os": "windows"}},
    "status": {"phase": "Running", "hostIP": "10.0.0.4", "podIP": "10.0.0.4", "podIPs": [{"ip": "10.0.0.4"}],
      "startTime": "2026-11-22T10:00:01Z", "qosClass": "Burstable",
      "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
        "lastTransitionTime": "2026-11-22T10:00:03Z"}],
      "containerStatuses": [{"name": "powershell", "ready": true, "restartCount": 3, "started": true,
        "state": {"running": {"startedAt": "2026-11-22T10:00:02Z"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "exit status 1\n",
          "startedAt": "2026-11-22T09:59:00Z", "finishedAt": "2026-11-22T09:59:30Z"}},
        "containerID": "hostprocess://0123456789abcdef", "imageID": "sha256:abc"}]}
  })");
}

TEST(YamlEmit, ObjectsGetPrintsAsLibyaml) {
  json pod = PodLike();
  ASSERT_TRUE(Same(pod));
  json list = {{"apiVersion", "v1"},
               {"kind", "List"},
               {"items", json::array({pod, pod})},
               {"metadata", {{"resourceVersion", ""}}}};
  ASSERT_TRUE(Same(list));
}

// ---- generated and mutated values (seeded: the same values every run) ----

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string Text() {
    static const char* const kPieces[] = {"a",
                                          "word",
                                          " ",
                                          "  ",
                                          ":",
                                          ": ",
                                          "#",
                                          " #",
                                          "-",
                                          "- ",
                                          "?",
                                          "'",
                                          "\"",
                                          "\\",
                                          "\n",
                                          "\n\n",
                                          "\r",
                                          "\t",
                                          "\xc2\x85",
                                          "\xe2\x80\xa8",
                                          "\xe2\x80\xa9",
                                          "\xc3\xa9",
                                          "\xe6\x97\xa5",
                                          "\xf0\x9f\x98\x80",
                                          "\xef\xbb\xbf",
                                          "\xc2\xa0",
                                          "\x7f",
                                          "\x01",
                                          "\x80",
                                          "\xff",
                                          "\xc3",
                                          "\xed\xa0\x80",
                                          "\xf4\x90\x80\x80",
                                          "true",
                                          "null",
                                          "1",
                                          "0x1f",
                                          "1e3",
                                          "2026-01-02",
                                          "T10:00:00Z",
                                          " 10:00:00",
                                          "---",
                                          "...",
                                          "{",
                                          "}",
                                          "[",
                                          "]",
                                          ",",
                                          "&",
                                          "*",
                                          "!",
                                          "|",
                                          ">",
                                          "%",
                                          "@",
                                          "`",
                                          "~",
                                          "="};
    std::string s;
    size_t pieces = Below(8) == 0 ? Below(30) : Below(6);
    for (size_t i = 0; i < pieces; i++) {
      if (Below(5) == 0) {
        s += std::string(Below(90) + 1, static_cast<char>('a' + Below(26)));
      } else {
        s += kPieces[Below(std::size(kPieces))];
      }
    }
    if (Below(50) == 0) s += std::string(1, '\0');
    return s;
  }

  json Scalar() {
    switch (Below(8)) {
      case 0:
        return nullptr;
      case 1:
        return Below(2) == 0;
      case 2:
        return static_cast<int64_t>(rng_());
      case 3:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      default:
        return Text();
    }
  }

  json Value(int depth) {
    size_t kind = depth >= 4 ? 2 : Below(3);
    if (kind == 2) return Scalar();
    size_t n = Below(5) == 0 ? 0 : Below(4) + 1;
    if (kind == 0) {
      json o = json::object();
      for (size_t i = 0; i < n; i++) {
        std::string key = Below(10) == 0 ? std::string(120 + Below(20), 'k') : Text();
        o[key] = Value(depth + 1);
      }
      return o;
    }
    json a = json::array();
    for (size_t i = 0; i < n; i++) a.push_back(Value(depth + 1));
    return a;
  }

  // One change to a string somewhere in `j`: a piece inserted, a byte replaced or dropped.
  void Mutate(json& j) {
    if (j.is_string()) {
      std::string s = j.get<std::string>();
      size_t at = s.empty() ? 0 : Below(s.size() + 1);
      switch (Below(3)) {
        case 0:
          s.insert(at, Text());
          break;
        case 1:
          if (at < s.size()) s[at] = static_cast<char>(Below(256));
          break;
        default:
          if (at < s.size()) s.erase(at, 1);
      }
      j = s;
    } else if (j.is_object() && !j.empty()) {
      auto it = j.begin();
      std::advance(it, static_cast<ptrdiff_t>(Below(j.size())));
      if (Below(4) == 0) {  // the key instead
        json value = *it;
        std::string key = it.key();
        j.erase(it);
        j[key + Text()] = value;
      } else {
        Mutate(*it);
      }
    } else if (j.is_array() && !j.empty()) {
      Mutate(j[Below(j.size())]);
    }
  }

 private:
  std::mt19937_64 rng_;
};

TEST(YamlEmit, GeneratedValuesAsLibyaml) {
  Generator g(20261122);
  for (int i = 0; i < 6000; i++) ASSERT_TRUE(Same(g.Value(0))) << "value " << i;
}

TEST(YamlEmit, MutatedObjectsAsLibyaml) {
  Generator g(14);
  json pod = PodLike();
  for (int i = 0; i < 3000; i++) {
    json j = pod;
    for (size_t n = g.Below(4) + 1; n > 0; n--) g.Mutate(j);
    ASSERT_TRUE(Same(j)) << "mutation " << i;
  }
}

}  // namespace
}  // namespace hp::k8s
