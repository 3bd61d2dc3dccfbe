#include "core/image/http.h"

#include <gtest/gtest.h>

namespace hp::image {
namespace {

TEST(Http, EscapeControlsKeepsTextAndEscapesTerminalControls) {
  EXPECT_EQ(EscapeControls("plain \"text\"\tok"), "plain \"text\"\tok");
  EXPECT_EQ(EscapeControls("\x1b]0;title\x07\x1b[2J\rPulled ok\n"),
            "\\x1b]0;title\\x07\\x1b[2J\\x0dPulled ok\\x0a");
  EXPECT_EQ(EscapeControls("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");  // UTF-8 kept
  EXPECT_EQ(EscapeControls("\xc2\x9b"
                           "2J"),
            "\\xc2\\x9b"
            "2J");                                               // C1 CSI as UTF-8
  EXPECT_EQ(EscapeControls("\x9b\xff\x7f"), "\\x9b\\xff\\x7f");  // not UTF-8, DEL
  EXPECT_EQ(EscapeControls("\xe2\x9c"), "\\xe2\\x9c");           // cut sequence
}

TEST(Http, LoopbackLiteralsAreTheLoopbackNamesAndDottedAddressesOf127) {
  for (const char* yes : {"localhost", "::1", "127.0.0.1", "127.1.2.3", "127.255.255.255"})
    EXPECT_TRUE(IsLoopbackLiteral(yes)) << yes;
  // Octal or short forms some resolvers read as other addresses, names and other networks.
  for (const char* no :
       {"", "128.0.0.1", "10.0.0.1", "0177.0.0.1", "127.0.0.01", "127.1", "127.0.0.256",
        "127.0.0.1.", "127.0.0.1x", "127.0.0.-1", "localhost.", "registry.example", "::2", "[::1]"})
    EXPECT_FALSE(IsLoopbackLiteral(no)) << no;
}

}  // namespace
}  // namespace hp::image
