// The YAML front end (k8s/yaml.h) and the decoder's pieces: the tree libyaml's events build,
// what a node reports (marks, plain or quoted, tags), aliases, go-yaml's depth rule, the split
// of large inputs across threads (the same result as one piece), and -o yaml's writer.
#include "core/k8s/yaml.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/k8s/decode.h"
#include "core/k8s/yaml_internal.h"
#include "core/sys/file.h"

namespace hp::k8s {
namespace {

yaml::Tree MustParse(const std::string& text) {
  yaml::Tree t;
  yaml::ParseError e;
  EXPECT_TRUE(yaml::Parse(text, t, e)) << e.message;
  return t;
}

// Reads `text` with the fast path and with libyaml: what the fast path takes, libyaml must read,
// to the same tree. Returns {taken by the fast path, read by libyaml}.
struct BothReads {
  bool taken = false;
  bool libyaml_reads = false;
};
BothReads ReadBoth(const std::string& text) {
  yaml::Tree fast, reference;
  yaml::ParseError e;
  BothReads r;
  r.libyaml_reads = yaml::internal::LibyamlParse(text, reference, e, 0);
  r.taken = yaml::internal::FastParse(text, fast, 0);
  if (r.taken) {
    EXPECT_TRUE(r.libyaml_reads) << text;
    if (r.libyaml_reads) EXPECT_EQ(yaml::internal::TreeDifference(fast, reference), "") << text;
  }
  return r;
}

TEST(Yaml, NodesKeepTheirKindTextStyleTagAndMark) {
  yaml::Tree t =
      MustParse("a: 1\nb: \"1\"\nc: !!int \"2\"\nd:\n  - x\n  - 'y'\ne: {f: ~, g: ''}\nh:\n");
  ASSERT_EQ(t.documents(), 1u);
  yaml::Node root = t.Document(0);
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.size(), 5u + 1u);
  EXPECT_TRUE(root.Get("a").IsPlain());
  EXPECT_EQ(root.Get("a").Scalar(), "1");
  EXPECT_FALSE(root.Get("b").IsPlain());
  EXPECT_EQ(root.Get("b").Tag(), "");
  EXPECT_EQ(root.Get("c").Tag(), "tag:yaml.org,2002:int");
  yaml::Node d = root.Get("d");
  ASSERT_TRUE(d.IsSequence());
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.Item(1).Scalar(), "y");
  EXPECT_EQ(d.Item(1).GetMark().line, 5);  // 0-based
  EXPECT_EQ(d.Item(1).GetMark().column, 4);
  EXPECT_TRUE(root.Get("e").Get("f").IsNull());
  EXPECT_FALSE(root.Get("e").Get("g").IsNull());  // a quoted empty string is a string
  EXPECT_TRUE(root.Get("h").IsNull());            // no value
  EXPECT_FALSE(root.Get("missing").IsDefined());
  EXPECT_TRUE(root.Get("missing").IsNull());
  EXPECT_EQ(root.Key(3).Scalar(), "d");
}

TEST(Yaml, ResolvesPlainScalarsAsYaml11) {
  EXPECT_EQ(yaml::Resolve(""), yaml::Plain::kNull);
  EXPECT_EQ(yaml::Resolve("~"), yaml::Plain::kNull);
  EXPECT_EQ(yaml::Resolve("NULL"), yaml::Plain::kNull);
  EXPECT_EQ(yaml::Resolve("yes"), yaml::Plain::kBool);
  EXPECT_EQ(yaml::Resolve("Off"), yaml::Plain::kBool);
  EXPECT_TRUE(yaml::BoolValue("on"));
  EXPECT_FALSE(yaml::BoolValue("N"));
  for (const char* n : {"0", "-12", "1_000", "0x1F", "0o17", "1.5", ".5", "1e3", "-.inf", ".NaN"})
    EXPECT_EQ(yaml::Resolve(n), yaml::Plain::kNumber) << n;
  for (const char* s : {"1e", "e3", ".", "0x", "v1", "1.2.3", "truee", "busybox"})
    EXPECT_EQ(yaml::Resolve(s), yaml::Plain::kString) << s;
}

TEST(Yaml, AnAliasIsItsAnchoredNode) {
  yaml::Tree t = MustParse("a: &x {k: v}\nb: *x\n---\nc: 1\n");
  ASSERT_EQ(t.documents(), 2u);
  yaml::Node root = t.Document(0);
  EXPECT_EQ(root.Get("b").Get("k").Scalar(), "v");
  EXPECT_EQ(root.Get("b").GetMark().line, 0);  // the anchored node, where it is written
  EXPECT_EQ(t.Document(1).Get("c").Scalar(), "1");
}

TEST(Yaml, ErrorsCarryGoYamlsWordsAndThePosition) {
  yaml::Tree t;
  yaml::ParseError e;
  EXPECT_FALSE(yaml::Parse("a: b: c\n", t, e));
  EXPECT_EQ(e.message, "mapping values are not allowed in this context");
  EXPECT_EQ(e.mark.line, 0);
  EXPECT_EQ(e.mark.column, 4);
  EXPECT_FALSE(yaml::Parse("a: *nope\n", t, e));
  EXPECT_EQ(e.message, "unknown anchor 'nope' referenced");
  EXPECT_FALSE(yaml::Parse("x: 1\n\n- y\n", t, e, 10));
  EXPECT_EQ(e.mark.line, 12);  // first_line is added
}

TEST(Yaml, NestingDeeperThanGoYamlsLimitIsRefused) {
  std::string deep(10001, '[');
  yaml::Tree t;
  yaml::ParseError e;
  EXPECT_FALSE(yaml::Parse(deep, t, e));
  EXPECT_EQ(e.message, "exceeded max depth of 10000");
  std::string ok = std::string(100, '[') + std::string(100, ']');
  EXPECT_TRUE(yaml::Parse(ok, t, e)) << e.message;
}

// The fast path (yaml_fast.cc) reads what it accepts exactly as libyaml does: the same tree,
// marks included (empty values take the mark after their `:` or `-`, empty documents the next
// token's). What it does not know goes to libyaml.
struct FastCase {
  const char* text;
  bool fast;  // the fast path takes it
};
const FastCase kFastCases[] = {
    {"a:\nb: 1\n", true},
    {"a:", true},
    {"- \n- a\n-\n", true},
    {"---\n---\n# c\n---", true},
    {"x:\n  y:\n  z:\n    - \n    -\nw: [a, \"b\", {c: d}]\n", true},
    {"k: v # c\n# top\nl: \"q\\\"x\\\\y\\n\" \nm: 'it''s'\n", true},
    {"- a: 1\n  b:\n  - c\n  -\n- {}\n- []\n-   d: 2\n", true},
    {"  a: 1\n  b: 2\n", true},
    {"a: -1\nb: -c\nc: [-d, e f, 1]\nd: a:b\ne: http://x:80/p\n", true},
    {"---  # c\na: 1\n--- \nb: 2\n", true},
    {"a:\n# c\n  b: 1\n", true},
    {"-\n  - a\n", true},
    {"a: [ ]\nb: { }\nc: \"\"\nd: ''\n", true},
    {"a: |\n  x\n  y\n\n  z\n\n\nb: |-\n    p\n\nc: |+\n  k\n\n\nd:\n- |\n  s\n   more\n  \n"
     "     \n  last\n- x\ne: | # c\n  f\n",
     true},
    {"a:\n  b: |\n    x\n  c: |\n    # not a comment\n    y\n# a comment\n", true},
    {"- a: |\n    x\n  b: 1\n", true},
    // CRLF and CR are line breaks as LF is (a scalar's breaks are read as LF), and a CR alone
    // before LF is two.
    {"a: b\r\nc:\r\n- d # c\r\n\r\n# e\r\n---\r\nf: 'g'\r\n", true},
    {"a: b\rc:\r- d # c\r\r# e\r---\rf: 'g'\r", true},
    {"a: 1\r\r\nb: 2\n\rc: 3\r\n\r\nd:", true},
    {"a: |\r\n  x\r\n\r\n  y\r\nb: |+\r  z\r\r\rc: \"\\r\"\r", true},
    {"{\r\n  \"a\": [\r\n    1,\r\n    \"b\"\r\n  ]\r\n}\r\n", true},
    {"---\r\n---\r# c\r\n---", true},
    // UTF-8: columns count characters, a BOM at the start is not one.
    {"a: caf\xc3\xa9\n", true},
    {"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87: [a, {\xd0\xb1: \xd0\xb2}] # \xc3\xb6\nx: '\xc3\xbc'\n"
     "\xe6\x97\xa5\xe6\x9c\xac: \"\xe8\xaa\x9e\" # \xe6\xb3\xa8\n",
     true},
    {"\xf0\x9f\x98\x80: [1, \"\xf0\x9f\x98\x80\", x\xc2\xa0y]\nz:\n- \xc3\xa9: {a: b}\n", true},
    {"a: |\n  \xc3\xbc\n  x\nb: \xe2\x82\xac\n", true},
    {"\xef\xbb\xbf"
     "a: [b]\n",
     true},
    {"\xef\xbb\xbf---\n\xef\xbb\xbf\n", false},  // a BOM at a line's start is skipped
    {"a: \xef\xbb\xbf\n", false},                // and elsewhere it is text: left to libyaml
    {"a: \xc3\n", false},                        // malformed UTF-8 is libyaml's error
    {"a: \xc3\x28\n", false},
    {"a: \xc0\xaf\n", false},  // overlong
    {"a: \xe0\x80\xaf\n", false},
    {"a: \xed\xa0\x80\n", false},      // a surrogate
    {"a: \xf4\x90\x80\x80\n", false},  // above U+10FFFF
    {"a: \xc2\x80\n", false},          // a C1 control
    {"a: \xef\xbf\xbe\n", false},      // U+FFFE
    {"a: \x7f\n", false},
    {"a: \x01\n", false},
    {"a: x\xc2\x85y\n", false},  // NEL, LS and PS are line breaks in libyaml
    {"a: x\xe2\x80\xa8y\n", false},
    {"a: x\xe2\x80\xa9y\n", false},
    {"\xff\xfe"
     "a",
     false},  // UTF-16's BOMs
    {"\xfe\xff"
     "a",
     false},
    // Block scalars (more in BlockScalarsAsLibyamlReadsThem).
    {"a: |2\n   x\n", true},
    {"a: >\n  x\n", true},
    {"a: >-\n  x\n  y\n\n  z\n   w\n  v\n\n\nb:\n  >+2 # c\n    p\nc: |\n  q", true},
    {"a: |0\n  x\n", false},      // libyaml's error
    {"a: |\n   \n  x\n", false},  // a blank line more indented than the first: an error
    {"a: |x\n  x\n", false},
    // Multi-line plain and quoted scalars (more in MultiLineScalarsAsLibyamlReadsThem).
    {"a: x\n  y\n", true},
    {"a: \"x\n  y\"\n", true},
    {"a: x\n\n  y # c\n  # d\nb: 'p\n\n q ''r''\n  '\nc: \"\\\n  "
     "s\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\e\\0\"\n",
     true},
    {"- a\n b\n- \"c\n\"\n", true},
    {"a\nb\n---\n'c\nd'\n", true},
    {"a: x\n  y: z\n", false},  // a key over two lines: libyaml's error
    {"- \"a\n  b\": c\n", false},
    {"a:\n\"x\\\n\": s\n", false},  // an escaped line break, then the quote (found by fuzzing)
    {"a:\n\"aaa`aaaaaa\t\t\\\n\": s\n", false},
    {"a: \"x\n---\ny\"\n", false},  // a document marker in a quoted scalar: an error
    {"a: \"x\\'\"\n", false},       // an unknown escape
    {"a: \"\\U00110000\"\n", false},
    {"a: \"x\n", false},
    // Tabs where libyaml skips them: after a value or a key's `:`, inside scalars, before a
    // comment, in flow collections; not in indentation or after `-`, where a key may start.
    {"a:\tb\t# c\nb: x\ty \t\nc\t: 'd'\t\n'e'\t: [f,\tg]\t#\th\ni: \"j\tk\\\tl\"\n", true},
    {"a: |\n  x\ty\n  \tz\nb: >\n p\n \tq\n r\n---\t# c\nr\n", true},
    {"a:\t\nb: x\n \ty\nc: 'p\n\t q'\n", true},
    {"\ta: b\n", false},  // libyaml's errors
    {"- \tb\n", false},
    {"-\tb\n", false},
    {"a: 1\n\t\nb: 2\n", false},
    {"a: x\n\ty\n", false},
    {"a: |\n\tx\n", false},
    {"a: |\n  \tx\n", false},
    {"a: 1\n  \t# c\nb: 2\n", false},  // read by libyaml: the plain scalar takes the tab
    // A tab no deeper than the block collection in a plain scalar's continuation line is libyaml's
    // error in a flow collection too (found by the fuzz target).
    {"a: [x\n\ty]\n", false},
    {"- {b: x\n\ty}\n", false},
    {"iVersommanz: [ 1,\t\xde\x86\n\t\t\xde\x86\nc]\r", false},
    {"[x\n\ty]\n", true},
    {"a: [x\n \ty, 1,\n\tz]\n", true},
    // Flow collections over lines anywhere, comments in them, a node on a `---` line (more in
    // FlowCollectionsOverLinesAsLibyamlReadsThem).
    {"x: [a\n  b]\ny: [b,\n  c]\nz: [1,\n2]\n", true},
    {"a:\n  b: [c, # c\nd]\n- {a: 1 # c\n}\n", false},
    {"a:\n  b: [c, # c\nd]\n  e: {a: 1 # c\n}\n", true},
    {"- {a: 1,\n   b: [2,\n 3]}\n- [\n# c\n]\n", true},
    {"--- a\n--- 'b'\n--- |\n  x\n--- [a,\n b]\n--- >-\n x\n--- \"y\"\n--- a\nb\n", true},
    {"--- a: b\n", false},  // libyaml's errors
    {"--- - a\n", false},
    {"x: [a,\nb: c]\n", false},  // a single-pair mapping in a sequence
    // Anchors, aliases and tags (more in PropertiesAndAliasesAsLibyamlReadsThem).
    {"a: &x 1\nb: *x\n", true},
    {"a: !!str 1\n", true},
    {"&m a: &v [1, !t {b: c}]\nc: *m\nd: !!map\n  e: !\nf: &s\n  - x\ng: *s\nh: [*v, &e , *e]\n",
     true},
    {"--- !!set\n? a\n", false},
    {"a: *x\n", false},          // an unknown anchor: go-yaml's error
    {"a: &x [1, *x]\n", false},  // an alias inside its own anchor
    {"a: !x!y z\n", false},      // an undefined tag handle
    {"a: !<tag:x> z\n", false},  // verbatim tags are left to libyaml
    {"a: &x &y z\n", false},
    // Left to libyaml: complex keys, document ends.
    {"? b\n", false},
    {"a: b\n...\n", false},
    {"a: 1\n  b: 2\n", false},
    {"a: {b:c}\n", false},
    {"a: \"\\ud83d\\ude00\"\n", false},  // a JSON surrogate pair: libyaml refuses it
    // JSON: `"key":value` in flow mappings, \uXXXX escapes, a root collection over lines.
    {"a: \"\\u00e9\\u4e2d\\u0041\"\n", true},
    {"{\"a\":1,\"b\":[true,null,-2.5e3,\"x\\\"y\\\\z\\n\\/\"],\"c\":{},\"d\":[]}\n", true},
    {"x: {\"a\":\"b\"}\n", true},
    {"{\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"a\": 1,\n      \"b\":\n        "
     "\"c\"\n    },\n    []\n  ]\n}\n",
     true},
    {"[\n1,\n  2\n]\n", true},
    {"---\n{\"a\": 1}\n---\n[\n 2\n]\n", true},
    {"[a\n b]\n", true},       // a plain scalar folded over lines
    {"{a:1}\n", false},        // a plain key: `a:1` is one scalar
    {"[1,\n---\n]\n", false},  // a document marker inside
    {"[\"a\":1]\n", false},    // a single-pair mapping in a sequence
};

TEST(YamlFast, ReadsWhatItTakesAsLibyamlDoes) {
  for (const FastCase& c : kFastCases) {
    yaml::Tree fast, reference;
    yaml::ParseError e;
    bool taken = yaml::internal::FastParse(c.text, fast, 0);
    EXPECT_EQ(taken, c.fast) << c.text;
    bool valid = yaml::internal::LibyamlParse(c.text, reference, e, 0);
    if (taken) {
      EXPECT_TRUE(valid) << c.text << e.message;
      if (valid) EXPECT_EQ(yaml::internal::TreeDifference(fast, reference), "") << c.text;
    }
    // Parse takes either way to libyaml's tree, or its error.
    yaml::Tree parsed;
    yaml::ParseError parse_error;
    if (yaml::Parse(c.text, parsed, parse_error) != valid) {
      ADD_FAILURE() << "Parse and libyaml disagree on " << c.text;
      continue;
    }
    if (valid) {
      EXPECT_EQ(yaml::internal::TreeDifference(parsed, reference), "") << c.text;
    } else {
      EXPECT_EQ(parse_error.message, e.message) << c.text;
    }
  }
}

// Block scalars in every context, with every header and the bodies that exercise libyaml's
// rules (leading and trailing empty lines, more indented lines, lines of spaces, no final line
// break): the fast path takes each one libyaml takes, with the same tree, and declines the rest.
TEST(YamlFast, BlockScalarsAsLibyamlReadsThem) {
  struct Context {
    const char* before;  // the header goes after it
    int indent;          // libyaml's indentation there: the parent collection's column
    const char* after;   // the next node of the parent, at its indentation
  };
  const Context kContexts[] = {
      {"k: ", 0, "n: 1\n"},
      {"- ", 0, "- n\n"},
      {"a:\n  b: ", 2, "  n: 1\n"},
      {"a:\n- ", 0, "- n\n"},
      {"- a: ", 2, "  n: 1\n"},
      {"k:\n  ", 0, "n: 1\n"},
      {"a:\n  - x\n  - ", 2, "  - n\n"},
  };
  const char* const kHeaders[] = {"|",   ">",   "|-",  ">-",  "|+",    ">+",     "|1", ">2",
                                  "|2-", ">-2", "|+3", "|4+", "| # c", ">-  #c", "|#c"};
  // Lines under the block's indentation (` ` adds one more); "" an empty line.
  const std::vector<std::vector<std::string>> kBodies = {
      {"x"},
      {"x", "y"},
      {"x", "", "y"},
      {"x", " y", "z"},
      {"", "x"},
      {"x", "", ""},
      {"x ", "  y", "", "z", "w"},
      {"x", " ", "y"},
      {" x", "y"},
      {"x", "", " ", "y", " z", "", "w"},
      {""},
      {"a", "b", "", "", " c", "d"},
  };
  int taken = 0, cases = 0;
  for (const Context& c : kContexts) {
    for (const char* header : kHeaders) {
      int given = 0;  // an explicit indentation indicator
      for (const char* h = header; *h && *h != ' ' && *h != '#'; h++)
        if (*h >= '1' && *h <= '9') given = *h - '0';
      std::string indentation(given ? c.indent + given : c.indent + 2, ' ');
      for (const auto& body : kBodies) {
        for (const char* end : {"", "last"}) {
          std::string text = std::string(c.before) + header + "\n";
          for (const std::string& line : body)
            text += (line.empty() ? "" : indentation) + line + "\n";
          if (*end) text += c.after;
          if (!*end && text.back() == '\n' && body.back() != "") text.pop_back();  // no final break
          cases++;
          BothReads r = ReadBoth(text);
          if (r.taken) {
            taken++;
          } else {
            EXPECT_FALSE(r.libyaml_reads) << "declined what libyaml reads:\n" << text;
          }
        }
      }
    }
  }
  EXPECT_GT(taken, cases * 3 / 4);
}

// Plain, single- and double-quoted scalars over several lines in every context: continuation
// lines more, as much and less indented than the parent, empty lines, blanks around line
// breaks, comments, escaped line breaks, and what could end them (`: `, ` #`, `- `, `---`).
// The fast path takes each one libyaml takes, with the same tree, and declines the rest.
TEST(YamlFast, MultiLineScalarsAsLibyamlReadsThem) {
  struct Context {
    const char* before;  // the scalar's first line goes after it
    int indent;          // libyaml's indentation there: the parent collection's column
    const char* after;   // the next node of the parent, at its indentation
  };
  const Context kContexts[] = {
      {"k: ", 0, "n: 1\n"},     {"- ", 0, "- n\n"},      {"a:\n  b: ", 2, "  n: 1\n"},
      {"- a: ", 2, "  n: 1\n"}, {"k:\n  ", 0, "n: 1\n"}, {"a:\n- ", 0, "- n\n"},
      {"", -1, "---\nn\n"},     {"---\n", -1, "...\n"},
  };
  // A scalar's lines; the lines after the first are indented as the case says ("" stays empty).
  const std::vector<std::vector<std::string>> kScalars = {
      {"x", "y"},
      {"x", "", "y"},
      {"x  ", "y  "},
      {"x", "", "", "y z"},
      {"x # c", "y"},
      {"x", "# c", "y"},
      {"x", "y # c"},
      {"x", "- y"},
      {"x", "y: z"},
      {"x", "'y' \"z\" [a] {b} &c *d !e |f >g %h @i `j"},
      {"x:y", "z#w", "-v", ":u"},
      {"x", "---"},
      {"x", "--- y"},
      {"x", "..."},
      {"'x", "y'"},
      {"'x", "", "y'"},
      {"'x  ", "  y ''z'''"},
      {"'", "'"},
      {"'x", "", "", "'"},
      {"'x", "y'", "z"},
      {"'x", "y': z"},
      {"'x", "---", "'"},
      {"\"x", "y\""},
      {"\"x\\", "y\""},
      {"\"x \\", "  y\""},
      {"\"x\\", "", "y\""},
      {"\"x\\ty  ", "", "  \\\"z\""},
      {"\"\\", "\""},
      {"\"x", "\\ y\" # c"},
      {"\"x", "y\"z"},
  };
  int taken = 0, cases = 0;
  for (const Context& c : kContexts) {
    for (int offset : {-1, 0, 1, 2}) {  // continuation lines at the parent's column + offset
      int column = c.indent + offset;
      if (column < 0) continue;
      for (const auto& lines : kScalars) {
        for (bool next : {false, true}) {
          std::string text = std::string(c.before) + lines[0] + "\n";
          for (size_t i = 1; i < lines.size(); i++)
            text += (lines[i].empty() ? "" : std::string(column, ' ')) + lines[i] + "\n";
          if (next) text += c.after;
          cases++;
          BothReads r = ReadBoth(text);
          if (r.taken) {
            taken++;
          } else if (text.find("\n...") == text.npos) {  // the fast path reads no document end
            EXPECT_FALSE(r.libyaml_reads) << "declined what libyaml reads:\n" << text;
          }
        }
      }
    }
  }
  EXPECT_GT(taken, cases / 2);
}

// A tab in place of each space, and before each line break, of manifests (and of documents with
// every kind of scalar and flow collections): wherever the fast path takes one it gives
// libyaml's tree, and it declines what libyaml reads only for a tab in a line's indentation.
TEST(YamlFast, TabsAsLibyamlReadsThem) {
  std::vector<std::string> texts = {
      "a: b c # d\n'e f': \"g h\"\ni: [j, k l, {m: n}]\no:\n- p q\n-  r: s  # t\n   u: v\n",
      "a: |\n  x y\n   z\nb: >-\n  p q\n\n  r\nc: x\n  y  z\n\n  w\nd: 'p\n  q'\n",
      "{\"a\": [1, 2],\n \"b\": {\"c\": \"d e\"}\n}\n",
  };
  for (const char* name : {"examples/privileged-daemonset.yaml",
                           "tests/data/k8s/hostprocess-pod-no-hostnetwork.yaml"}) {
    auto text = sys::ReadFile(std::string(HP_SOURCE_DIR) + "/" + name);
    ASSERT_TRUE(text) << name;
    texts.push_back(*text);
  }
  int taken = 0, outside_indentation = 0;
  for (const std::string& text : texts) {
    for (size_t i = 0; i < text.size(); i++) {
      if (text[i] != ' ' && text[i] != '\n') continue;
      std::string mutant = text;
      if (text[i] == ' ') {
        mutant[i] = '\t';
      } else {
        mutant.insert(i, "\t");
      }
      size_t line_start =
          mutant.rfind('\n', i) == std::string::npos ? 0 : mutant.rfind('\n', i) + 1;
      bool in_indentation = mutant.find_first_not_of(" \t", line_start) > i;
      outside_indentation += !in_indentation;
      BothReads r = ReadBoth(mutant);
      if (r.taken) {
        taken++;
      } else if (!in_indentation) {
        EXPECT_FALSE(r.libyaml_reads) << "declined what libyaml reads:\n" << mutant;
      }
    }
  }
  EXPECT_GT(taken, outside_indentation * 3 / 4);
}

// Flow collections broken over lines at every blank and after every indicator, the next line
// indented 0, 1 or 4 columns, with or without a comment before the break: the fast path takes
// each one libyaml takes, with the same tree, and declines the rest.
TEST(YamlFast, FlowCollectionsOverLinesAsLibyamlReadsThem) {
  const char* const kTexts[] = {
      "a: [b, c d, 'e', \"f\", {g: h, i: [j]}]\nk: 1\n",
      "- {a: 1, b: [2, 3], c: {d: e}}\n- x\n",
      "{\"a\": [1, \"b\"], \"c\": {\"d\": null}}\n",
      "x:\n  y: [p, {q: r}]\n  z: []\n",
      "--- [a, {b: c}]\n--- {}\n",
  };
  int taken = 0, cases = 0;
  for (std::string text : kTexts) {
    for (size_t i = 0; i < text.size(); i++) {
      char ch = text[i];
      bool blank = ch == ' ', after = ch == ',' || ch == '[' || ch == '{' || ch == ':',
           before = ch == ']' || ch == '}';
      if (!blank && !after && !before) continue;
      for (const char* comment : {"", " # c"}) {
        for (int indentation : {0, 1, 4}) {
          std::string line_break = comment + ("\n" + std::string(indentation, ' '));
          std::string mutant = text;
          if (blank) {
            mutant.replace(i, 1, line_break);
          } else {
            mutant.insert(after ? i + 1 : i, line_break);
          }
          cases++;
          BothReads r = ReadBoth(mutant);
          if (r.taken) {
            taken++;
          } else {
            EXPECT_FALSE(r.libyaml_reads) << "declined what libyaml reads:\n" << mutant;
          }
        }
      }
    }
  }
  EXPECT_GT(taken, cases / 2);
}

// Anchors and tags, alone, together and on their own line, on every kind of node in every
// context, and aliases of the anchored node after it: the fast path takes each one libyaml
// takes, with the same tree, and declines the rest.
TEST(YamlFast, PropertiesAndAliasesAsLibyamlReadsThem) {
  struct Context {
    const char* before;  // the properties go after it
    const char* after;   // more of the parent, with an alias of `a`
  };
  const Context kContexts[] = {
      {"k: ", "n: *a\n"},
      {"- ", "- *a\n"},
      {"a:\n  b: ", "  n: *a\n"},
      {"- a: ", "  n: *a\n"},
      {"k:\n  ", "n: *a\n"},
      {"a:\n- ", "- *a\n"},
      {"", ""},
      {"--- ", "--- *a\n"},
      {"x: [", ", *a]\n"},
      {"x: {k: ", ", n: *a}\n"},
  };
  const char* const kProperties[] = {"&a ",       "!!str ", "!t ",     "! ",       "&a !!map ",
                                     "!!seq &a ", "&a\n",   "!!str\n", "&a # c\n", "!e!x ",
                                     "&a\t",      "&a &b ", "!<x> "};
  const char* const kNodes[] = {"x",          "'x y'",      "[x, y]",    "{p: q}",
                                "|\n  lit\n", "\n  p: q\n", "\n  - v\n", "\n- v\n",
                                "",           "p: q\n",     "*a",        "\n\n  q\n"};
  int taken = 0, cases = 0;
  for (const Context& c : kContexts) {
    for (const char* properties : kProperties) {
      for (const char* node : kNodes) {
        std::string text = std::string(c.before) + properties + node;
        if (text.back() != '\n' && c.after[0] != ',') text += "\n";
        text += c.after;
        cases++;
        BothReads r = ReadBoth(text);
        if (r.taken) {
          taken++;
        } else if (std::string(properties) != "!<x> " &&
                   !(std::string(properties).back() == '\n' && node[0] == '|') &&
                   !(c.after[0] == ',' && std::string(node) == "p: q\n")) {
          // Left to libyaml: verbatim tags, a block scalar at its parent's indentation after
          // properties, a single-pair mapping in a flow sequence.
          EXPECT_FALSE(r.libyaml_reads) << "declined what libyaml reads:\n" << text;
        }
      }
    }
  }
  EXPECT_GT(taken, cases / 4);
}

// go-yaml's excessive aliasing, counted by the fast path as by libyaml's builder: around the
// limit, the fast path takes exactly the documents libyaml's builder takes, with its tree.
TEST(YamlFast, AliasingAsGoYamlCountsIt) {
  int taken = 0, refused = 0;
  for (int n = 10; n < 20; n++) {  // libyaml's builder refuses from 15 on
    std::string text = "a: &a [x";
    for (int i = 1; i < 50; i++) text += ", x";
    text += "]\nb: &b [*a";
    for (int i = 1; i < 10; i++) text += ", *a";
    text += "]\nc: [";
    for (int i = 0; i < n; i++) text += i ? ", *b" : "*b";
    text += "]\n";
    BothReads r = ReadBoth(text);
    EXPECT_EQ(r.taken, r.libyaml_reads) << n << " aliases";
    taken += r.taken;
    refused += !r.libyaml_reads;
  }
  EXPECT_GT(taken, 0);
  EXPECT_GT(refused, 0);
}

// go-yaml checks the share of alias-expanded nodes after each node it visits (the libyaml
// builder calls AliasRules::Node for each); the fast path only tells the rules of anchors and
// aliases and has them catch up at a document's end (AliasRules::CatchUp). Past 2.2M visited
// nodes the allowed share falls faster than a plain node lowers the share, so a plain node can be
// the one go-yaml refuses: both ways agree on where that starts (27,754 plain nodes after these
// aliases, by go-yaml's formula).
TEST(YamlAliasRules, CheckedInArrearsAsAfterEachNode) {
  using Alias = yaml::internal::AliasRules::Alias;
  for (int tail : {27000, 28000}) {
    yaml::Tree tree;
    yaml::internal::TreeWriter w(tree, 0, 0);
    yaml::internal::AliasRules each(w), arrears(w);
    bool each_ok = true, arrears_ok = true;
    auto added = [&](uint32_t node, std::string_view anchor, bool collection) {
      each_ok = each_ok && each.Node(node, anchor, collection);
      if (!anchor.empty()) arrears_ok = arrears_ok && arrears.Node(node, anchor, collection);
    };
    auto scalars = [&](int n) {
      for (int i = 0; i < n; i++) added(w.Scalar(0, 0, "x", true), "", false);
    };
    each.StartDocument();
    arrears.StartDocument();
    added(w.Open(false, 0, 0), "", true);
    added(w.Open(false, 0, 0), "a", true);  // &a [x, x, ...]: 1001 nodes
    scalars(1000);
    w.Close();
    each.Close();
    arrears.Close();
    scalars(1300000);
    for (int i = 0; i < 1175; i++) {
      uint32_t node = 0;
      each_ok = each_ok && each.Resolve("a", &node) == Alias::kFound;
      arrears_ok = arrears_ok && arrears.Resolve("a", &node) == Alias::kFound;
      w.Attach(node);
    }
    EXPECT_TRUE(each_ok && arrears_ok);  // so far, under the limit
    scalars(tail);
    arrears_ok = arrears_ok && arrears.CatchUp();
    EXPECT_EQ(each_ok, tail < 27754) << tail;
    EXPECT_EQ(arrears_ok, each_ok) << tail;
  }
}

// A key is a simple key only within 1024 characters of its `:` (found by review: libyaml then
// fails a flow mapping with a long key; the fast path must leave those to it).
TEST(YamlFast, LongKeysAreLeftToLibyaml) {
  for (const std::string& text :
       {"{" + std::string(1100, 'a') + ": b}\n", "x: [{" + std::string(1100, 'a') + ": b}]\n",
        "{a" + std::string(1100, ' ') + ": b}\n", std::string(1100, 'a') + ": b\n"}) {
    yaml::Tree fast, reference;
    yaml::ParseError e;
    EXPECT_FALSE(yaml::internal::FastParse(text, fast, 0)) << text.substr(0, 12);
    yaml::Tree parsed;
    yaml::ParseError parse_error;
    bool valid = yaml::internal::LibyamlParse(text, reference, e, 0);
    EXPECT_EQ(yaml::Parse(text, parsed, parse_error), valid);
  }
  yaml::Tree t;
  EXPECT_TRUE(yaml::internal::FastParse("{" + std::string(1000, 'a') + ": b}\n", t, 0));
}

// The JSON the Windows build stores (nlohmann's dump, ASCII only) reads as libyaml reads it.
TEST(YamlFast, TakesStoredJson) {
  nlohmann::json c = {{"name", "c"}, {"stdin", false}, {"x", nullptr}};
  c["command"] = {"pwsh.exe", "-command", "$A = [x]\"Administrator\"\n\tWrite-Host \u00e9\\"};
  c["resources"]["limits"] = {{"cpu", 0.5}, {"memory", 1 << 20}};
  nlohmann::json pod = {{"kind", "Pod"}, {"metadata", {{"name", "x"}, {"labels", {{"a", "1"}}}}}};
  pod["spec"]["containers"] = nlohmann::json::array({c});
  for (const std::string& text : {pod.dump(-1, ' ', true), pod.dump(2, ' ', true)}) {
    yaml::Tree fast, reference;
    yaml::ParseError e;
    ASSERT_TRUE(yaml::internal::FastParse(text, fast, 0)) << text;
    ASSERT_TRUE(yaml::internal::LibyamlParse(text, reference, e, 0)) << text;
    EXPECT_EQ(yaml::internal::TreeDifference(fast, reference), "") << text;
  }
}

// The fast path takes `text` and gives libyaml's tree.
void ExpectFastAsLibyaml(const std::string& text, const std::string& what) {
  yaml::Tree fast, reference;
  yaml::ParseError e;
  ASSERT_TRUE(yaml::internal::FastParse(text, fast, 0)) << what;
  ASSERT_TRUE(yaml::internal::LibyamlParse(text, reference, e, 0)) << what << ": " << e.message;
  EXPECT_EQ(yaml::internal::TreeDifference(fast, reference), "") << what;
}

std::string WithLineBreaks(const std::string& text, const std::string& line_break) {
  std::string out;
  for (char ch : text) {
    if (ch == '\n') {
      out += line_break;
    } else {
      out += ch;
    }
  }
  return out;
}

// Every manifest of the repository, also as Windows (CRLF, and Notepad's UTF-8 with a BOM) and
// classic Mac OS (CR) files save it: the same tree as libyaml's, and as the LF file's.
TEST(YamlFast, TakesTheRepositorysManifestsWithEveryLineBreak) {
  struct Variant {
    const char* name;
    const char* bom;
    const char* line_break;
  };
  const Variant kVariants[] = {{"LF", "", "\n"},
                               {"CRLF", "", "\r\n"},
                               {"CR", "", "\r"},
                               {"BOM and CRLF", "\xef\xbb\xbf", "\r\n"}};
  int files = 0;
  for (const char* dir : {"examples", "tests/data/k8s"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(HP_SOURCE_DIR) + "/" + dir)) {
      std::string name = entry.path().filename().string();
      auto text = sys::ReadFile(entry.path().string());
      ASSERT_TRUE(text) << name;
      // libyaml refuses these: the fast path leaves them to it.
      bool refused = name == "syntax-error.yaml" || name == "surrogate-escape.json";
      yaml::Tree lf;
      for (const Variant& v : kVariants) {
        std::string converted = v.bom + WithLineBreaks(*text, v.line_break);
        std::string what = name + " with " + v.name;
        yaml::Tree fast;
        if (refused) {
          EXPECT_FALSE(yaml::internal::FastParse(converted, fast, 0)) << what;
          continue;
        }
        ExpectFastAsLibyaml(converted, what);
        bool first = &v == kVariants;
        ASSERT_TRUE(yaml::internal::FastParse(converted, first ? lf : fast, 0)) << what;
        if (!first) EXPECT_EQ(yaml::internal::TreeDifference(lf, fast), "") << what;
      }
      files++;
    }
  }
  EXPECT_GE(files, 8);
}

// The trees compared really are compared: a changed text, mark or shape is found.
TEST(YamlFast, TreeDifferenceFindsDifferences) {
  yaml::Tree a = MustParse("a: [x, y]\n"), b = MustParse("a: [x, z]\n"),
             c = MustParse("a:  [x, y]\n"), d = MustParse("a: [x]\n");
  EXPECT_EQ(yaml::internal::TreeDifference(a, a), "");
  EXPECT_NE(yaml::internal::TreeDifference(a, b).find("text"), std::string::npos);
  EXPECT_NE(yaml::internal::TreeDifference(a, c).find("mark"), std::string::npos);
  EXPECT_NE(yaml::internal::TreeDifference(a, d).find("size"), std::string::npos);
}

std::string Pods(int n, const std::string& extra = "") {
  std::string s;
  for (int i = 0; i < n; i++) {
    s += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p" + std::to_string(i) +
         "\n  annotations:\n    note: |\n      line one\n      line two\n" +
         "spec:\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sh\", \"-c\", "
         "\"sleep 1\"]\n";
    if (i == n - 1) s += extra;
  }
  return s;
}

// Decoding `text` (12000 pods, the last with a bad field at its line 14) fails with the same
// error in one piece and in four, naming the bad line of the whole input.
void ExpectErrorInLastOf12000Pods(const std::string& text) {
  auto e1 = DecodeString(text, "t.yaml", {.threads = 1});
  auto e4 = DecodeString(text, "t.yaml", {.threads = 4});
  ASSERT_FALSE(e1);
  ASSERT_FALSE(e4);
  EXPECT_EQ(e4.error().ToString(), e1.error().ToString());
  EXPECT_NE(e1.error().ToString().find(":" + std::to_string(12000 * 14 + 1) + ":5:"),
            std::string::npos)
      << e1.error().ToString();
}

// 2 MB of pods decoded in 1 piece and in 4: the same objects, sources and errors.
TEST(YamlPieces, ManyThreadsDecodeWhatOneDoes) {
  std::string text = Pods(12000);
  ASSERT_GT(text.size(), 4u * 256 * 1024);
  auto one = DecodeString(text, "t.yaml", {.threads = 1});
  auto four = DecodeString(text, "t.yaml", {.threads = 4});
  ASSERT_TRUE(one) << one.error().ToString();
  ASSERT_TRUE(four) << four.error().ToString();
  ASSERT_EQ(one->objects.size(), 12000u);
  ASSERT_EQ(four->objects.size(), 12000u);
  for (size_t i = 0; i < one->objects.size(); i += 997) {
    const Pod* a = one->objects[i].pod();
    const Pod* b = four->objects[i].pod();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->metadata.name, "p" + std::to_string(i));
    EXPECT_EQ(b->metadata.name, a->metadata.name);
    EXPECT_EQ(b->source.line, a->source.line);
    EXPECT_EQ(b->source.document, a->source.document);
    EXPECT_EQ(b->metadata.annotations, a->metadata.annotations);
  }
  EXPECT_EQ(four->objects.back().pod()->source.line, one->objects.back().pod()->source.line);
  EXPECT_EQ(four->objects.back().pod()->source.document, 11999);

  // A decode error in the last piece names its line in the whole input.
  std::string bad = Pods(12000, "    bogus: 1\n");
  ExpectErrorInLastOf12000Pods(bad);
}

// A piece's first line is counted as libyaml counts lines: a CR alone is a line break too.
TEST(YamlPieces, CountLinesAsLibyamlDoes) {
  std::string text = Pods(12000, "    bogus: 1\n");
  std::replace(text.begin(), text.end(), '\n', '\r');
  for (size_t at = 0; (at = text.find("\r---\r", at)) != text.npos; at += 5) {
    text[at] = '\n';  // LF around the `---` lines, where pieces are cut
    text[at + 4] = '\n';
  }
  ExpectErrorInLastOf12000Pods(text);
  EXPECT_EQ(yaml::LineBreaks("a\r\nb\rc\n\r\xc2\x85\xe2\x80\xa8\xe2\x80\xa9\xc2\xa0"), 7);
}

// A quoted scalar across a `---` line is an error of the whole input, not of a piece.
TEST(YamlPieces, ASyntaxErrorIsTheWholeInputsError) {
  std::string text = Pods(6000) + "---\nkind: \"open\n" + Pods(6000);
  auto one = DecodeString(text, "t.yaml", {.threads = 1});
  auto four = DecodeString(text, "t.yaml", {.threads = 4});
  ASSERT_FALSE(one);
  ASSERT_FALSE(four);
  EXPECT_EQ(four.error().ToString(), one.error().ToString());
  EXPECT_NE(one.error().ToString().find("found unexpected document indicator"), std::string::npos)
      << one.error().ToString();
}

TEST(YamlWrite, PrintsAsKubectl) {
  auto j = nlohmann::json::parse(R"({
    "metadata": {"name": "x", "labels": {"shard": "3", "on": "yes"}},
    "spec": {"containers": [{"name": "c", "args": ["a: b", "", "multi\nline\n"]}],
             "volumes": [], "nodeSelector": {}},
    "status": {"ready": true, "restarts": 2, "ip": null}
  })");
  // nlohmann::json keeps keys sorted; the writer keeps the object's order.
  std::string text = yaml::JsonToYaml(j);
  EXPECT_EQ(text,
            "metadata:\n"
            "  labels:\n"
            "    \"on\": \"yes\"\n"
            "    shard: \"3\"\n"
            "  name: x\n"
            "spec:\n"
            "  containers:\n"
            "  - args:\n"
            "    - 'a: b'\n"
            "    - \"\"\n"
            "    - |\n"
            "      multi\n"
            "      line\n"
            "    name: c\n"
            "  nodeSelector: {}\n"
            "  volumes: []\n"
            "status:\n"
            "  ip: null\n"
            "  ready: true\n"
            "  restarts: 2\n");
  // It reads back as the same values.
  yaml::Tree t = MustParse(text);
  yaml::Node labels = t.Document(0).Get("metadata").Get("labels");
  EXPECT_EQ(labels.Get("shard").Scalar(), "3");
  EXPECT_FALSE(labels.Get("shard").IsPlain());
  yaml::Node args = t.Document(0).Get("spec").Get("containers").Item(0).Get("args");
  EXPECT_EQ(args.Item(0).Scalar(), "a: b");
  EXPECT_EQ(args.Item(2).Scalar(), "multi\nline\n");
  EXPECT_TRUE(t.Document(0).Get("status").Get("ip").IsNull());
}

}  // namespace
}  // namespace hp::k8s

namespace hp::k8s {
namespace {

// go-yaml v2 quotes strings that read back as timestamps: kubectl's
// `creationTimestamp: "2026-11-22T10:00:00Z"`; other date-like strings stay plain.
TEST(YamlWrite, QuotesTimestampsAsKubectl) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"2026-11-22T10:00:00Z", "t: \"2026-11-22T10:00:00Z\"\n"},
      {"2026-11-22T10:00:00.123456789+01:00", "t: \"2026-11-22T10:00:00.123456789+01:00\"\n"},
      {"2026-1-2t3:4:5Z", "t: \"2026-1-2t3:4:5Z\"\n"},
      {"2026-11-22 10:00:00", "t: \"2026-11-22 10:00:00\"\n"},
      {"2026-11-22", "t: \"2026-11-22\"\n"},
      {"2026-11-22T10:00:00", "t: 2026-11-22T10:00:00\n"},  // T needs a zone
      {"2026-11-22x", "t: 2026-11-22x\n"},
      {"20261-11-22", "t: 20261-11-22\n"},
      {"sleep-3600", "t: sleep-3600\n"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(yaml::JsonToYaml(nlohmann::json{{"t", c.in}}), c.out) << c.in;
  }
}

}  // namespace
}  // namespace hp::k8s
