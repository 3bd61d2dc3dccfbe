#include "core/pod/crilog_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hp::pod {
namespace {

// Feeds `chunks` and returns the records as "<tag>:<text>".
std::vector<std::string> Cut(const std::vector<std::string>& chunks, size_t max_line = 16 * 1024) {
  CriLineSplitter lines(max_line);
  std::vector<std::string> out;
  auto emit = [&](char tag, std::string_view text) -> Status {
    out.push_back(std::string(1, tag) + ":" + std::string(text));
    return Ok();
  };
  for (const std::string& c : chunks) EXPECT_TRUE(lines.Feed(c, emit));
  EXPECT_TRUE(lines.Finish(emit));
  return out;
}

using V = std::vector<std::string>;

TEST(CriLines, LinesEndAtLfOrCrLfAsReadLineEndsThem) {
  EXPECT_EQ(Cut({"a\nb\r\nc"}), (V{"F:a", "F:b", "F:c"}));
  // A CR elsewhere is text; a CR whose LF comes in the next chunk still ends the line.
  EXPECT_EQ(Cut({"x\ry\r", "\nz\r\r\n"}), (V{"F:x\ry", "F:z\r"}));
  EXPECT_EQ(Cut({"\n\r\n"}), (V{"F:", "F:"}));
  EXPECT_EQ(Cut({""}), V{});
}

TEST(CriLines, LongLinesAreCutIntoPartsThenTheirEnd) {
  EXPECT_EQ(Cut({"abcdefg\n"}, 3), (V{"P:abc", "P:def", "F:g"}));
  EXPECT_EQ(Cut({"abcdef\n"}, 3), (V{"P:abc", "F:def"}));
  // Parts go out as soon as more than max_line bytes wait, before the line ends.
  EXPECT_EQ(Cut({"abcd", "efgh"}, 3), (V{"P:abc", "P:def", "F:gh"}));
  // A CR waiting for its LF is never sent out as a part: the part before it goes out once more
  // than max_line bytes wait, and the line ends empty (as ReadLine returns a full buffer, then "").
  EXPECT_EQ(Cut({"abc\r", "\n"}, 3), (V{"P:abc", "F:"}));
  EXPECT_EQ(Cut({"ab\r", "\n"}, 3), (V{"F:ab"}));
}

TEST(CriLines, RecordsHaveTheCriShape) {
  EXPECT_EQ(CriRecord("stderr", 'P', "x y", 1795341600123456789),
            "2026-11-22T10:00:00.123456789Z stderr P x y\n");
}

TEST(CriLines, AnEmitErrorStopsTheFeed) {
  CriLineSplitter lines;
  int calls = 0;
  auto fail = [&](char, std::string_view) -> Status {
    ++calls;
    return Err(ErrorCode::kInternal, "disk full");
  };
  EXPECT_FALSE(lines.Feed("a\nb\n", fail));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace hp::pod
