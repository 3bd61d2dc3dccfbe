#include "core/windows/command_line.h"

#include <gtest/gtest.h>

#include <random>

namespace hp::windows {
namespace {

using Argv = std::vector<std::string>;

TEST(WindowsCommandLine, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(QuoteArgument("plain"), "plain");
  EXPECT_EQ(QuoteArgument("C:\\dir\\"), "C:\\dir\\");  // no quotes: backslashes stay
  EXPECT_EQ(QuoteArgument(""), "\"\"");
  EXPECT_EQ(QuoteArgument("a b"), "\"a b\"");
  EXPECT_EQ(QuoteArgument("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(QuoteArgument("C:\\my dir\\"), "\"C:\\my dir\\\\\"");
  EXPECT_EQ(QuoteArgument("a\\\\\"b"), "\"a\\\\\\\\\\\"b\"");
  EXPECT_EQ(QuoteArgument("tab\there"), "\"tab\there\"");
}

TEST(WindowsCommandLine, ProgramNameIsQuotedWithoutEscapes) {
  EXPECT_EQ(QuoteProgramName("C:\\Program Files\\x.exe"), "\"C:\\Program Files\\x.exe\"");
  EXPECT_EQ(QuoteProgramName("C:\\dir\\x.exe"), "C:\\dir\\x.exe");
  EXPECT_EQ(JoinCommandLine({"C:\\a b\\x.exe", "-c", "echo \"1\""}),
            "\"C:\\a b\\x.exe\" -c \"echo \\\"1\\\"\"");
}

TEST(WindowsCommandLine, SplitsAsTheCRuntime) {
  EXPECT_EQ(SplitCommandLine("\"C:\\a b\\x.exe\" one \"two three\""),
            (Argv{"C:\\a b\\x.exe", "one", "two three"}));
  EXPECT_EQ(SplitCommandLine("x a\\\\\\\"b \"c\\\\\" d"), (Argv{"x", "a\\\"b", "c\\", "d"}));
  EXPECT_EQ(SplitCommandLine("x \"a\"\"b\""), (Argv{"x", "a\"b"}));
  EXPECT_EQ(SplitCommandLine("x a\\b\\\\c"), (Argv{"x", "a\\b\\\\c"}));
  EXPECT_EQ(SplitCommandLine("x \"\" y"), (Argv{"x", "", "y"}));
  EXPECT_EQ(SplitCommandLine("C:\\dir\\\"x"), (Argv{"C:\\dir\\\"x"}));  // argv[0]: no escapes
  EXPECT_TRUE(SplitCommandLine("").empty());
}

TEST(WindowsCommandLine, RoundTripsEveryArgument) {
  const Argv cases[] = {
      {"x.exe", ""},
      {"C:\\Program Files\\x.exe", "a b", "\"", "\\", "\\\\", "a\\", "a\\\\", "\\\"", "a\"b\"c"},
      {"x", "trailing\\", "ends with space ", " starts", "\t", "\n", "\v", "%PATH%", "$env:X"},
  };
  for (const Argv& argv : cases) EXPECT_EQ(SplitCommandLine(JoinCommandLine(argv)), argv);
  // And random arguments over the characters that matter.
  std::mt19937 rng(14);
  const std::string alphabet = "ab \\\"\t";
  for (int n = 0; n < 2000; n++) {
    Argv argv{"prog"};
    for (int i = 0, count = static_cast<int>(rng() % 4) + 1; i < count; i++) {
      std::string arg;
      for (int j = 0, len = static_cast<int>(rng() % 7); j < len; j++)
        arg += alphabet[rng() % alphabet.size()];
      argv.push_back(arg);
    }
    ASSERT_EQ(SplitCommandLine(JoinCommandLine(argv)), argv) << JoinCommandLine(argv);
  }
}

}  // namespace
}  // namespace hp::windows
