// The names inside a Windows layer (core/image/windows_layer.h): what the Windows import writes
// below Files\, what it ignores and what it refuses, checked on every platform.
#include "core/image/windows_layer.h"

#include <gtest/gtest.h>

namespace hp::image {
namespace {

using Parts = std::vector<std::string>;

std::string Refusal(std::string_view name) {
  auto r = ClassifyWindowsLayerName(name);
  return r ? "accepted" : r.error().ToString();
}

TEST(WindowsLayerName, FilesBelowTheFilesPrefixInAnyCase) {
  for (std::string_view n : {"Files/bin/tool.cmd", "files/bin/tool.cmd", "./FILES/bin/tool.cmd",
                             "Files\\bin\\tool.cmd", "Files//bin/./tool.cmd"}) {
    auto r = ClassifyWindowsLayerName(n);
    ASSERT_TRUE(r) << n << ": " << r.error().ToString();
    EXPECT_EQ(r->kind, LayerEntryKind::kFile) << n;
    EXPECT_EQ(r->path, (Parts{"bin", "tool.cmd"})) << n;
  }
}

TEST(WindowsLayerName, HivesUtilityVmAndTheRestAreIgnored) {
  for (std::string_view n : {"Hives/DefaultUser_Delta", "UtilityVM/Files/x", "Files", "Files/",
                             "./", "other.txt", "Filesx/a", "hives/.wh.x"}) {
    auto r = ClassifyWindowsLayerName(n);
    ASSERT_TRUE(r) << n << ": " << r.error().ToString();
    EXPECT_EQ(r->kind, LayerEntryKind::kIgnored) << n;
    EXPECT_TRUE(r->path.empty()) << n;
  }
}

TEST(WindowsLayerName, UnsafeNamesAreRefusedWhereverTheyAre) {
  EXPECT_EQ(Refusal("Files/../../evil"), "a \"..\" component");
  EXPECT_EQ(Refusal("Hives/../x"), "a \"..\" component");
  EXPECT_EQ(Refusal("Files/a/.."), "a \"..\" component");
  EXPECT_EQ(Refusal("Files\\..\\evil"), "a \"..\" component");
  EXPECT_EQ(Refusal("/Files/evil"), "an absolute name");
  EXPECT_EQ(Refusal("/etc/passwd"), "an absolute name");
  EXPECT_EQ(Refusal("\\Windows\\evil"), "an absolute name");
  EXPECT_EQ(Refusal("C:/Windows/evil"), "a drive letter");
  EXPECT_EQ(Refusal("c:evil"), "a drive letter");
}

TEST(WindowsLayerName, NamesWindowsCannotHoldAreRefusedBelowFiles) {
  EXPECT_EQ(Refusal("Files/a?b"), "a character Windows file names cannot hold");
  EXPECT_EQ(Refusal("Files/a\x01"), "a character Windows file names cannot hold");
  EXPECT_EQ(Refusal("Files/dir./x"), "a name ending in a dot or a space (Windows drops them)");
  EXPECT_EQ(Refusal("Files/x "), "a name ending in a dot or a space (Windows drops them)");
  EXPECT_EQ(Refusal("Files/..."), "a name ending in a dot or a space (Windows drops them)");
  EXPECT_EQ(Refusal("Files/NUL"), "a Windows device name");
  EXPECT_EQ(Refusal("Files/dir/con.txt"), "a Windows device name");
  EXPECT_EQ(Refusal("Files/COM1"), "a Windows device name");
  EXPECT_EQ(Refusal("Files/COM10"), "accepted");
  EXPECT_EQ(Refusal("Files/console"), "accepted");
  EXPECT_EQ(Refusal("Hives/a?b"), "accepted");  // ignored, never written
}

TEST(WindowsLayerName, Whiteouts) {
  auto w = ClassifyWindowsLayerName("Files/data/.wh.old.txt");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->kind, LayerEntryKind::kWhiteout);
  EXPECT_EQ(w->path, (Parts{"data", "old.txt"}));
  auto o = ClassifyWindowsLayerName("Files/data/.wh..wh..opq");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->kind, LayerEntryKind::kOpaqueWhiteout);
  EXPECT_EQ(o->path, (Parts{"data"}));
  auto top = ClassifyWindowsLayerName("Files/.wh..wh..opq");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->kind, LayerEntryKind::kOpaqueWhiteout);
  EXPECT_TRUE(top->path.empty());
  auto plnk = ClassifyWindowsLayerName("Files/.wh..wh.plnk/1.2");
  ASSERT_TRUE(plnk);
  EXPECT_EQ(plnk->kind, LayerEntryKind::kIgnored);
  EXPECT_EQ(Refusal("Files/.wh."), "a name ending in a dot or a space (Windows drops them)");
  EXPECT_EQ(Refusal("Files/.wh.a?b"), "a character Windows file names cannot hold");
  EXPECT_EQ(Refusal("Files/.wh.NUL"), "a Windows device name");
}

TEST(WindowsLayerName, AlternateDataStreams) {
  auto s = ClassifyWindowsLayerName("Files/a.txt:Zone.Identifier:$DATA");
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->kind, LayerEntryKind::kAlternateStream);
  EXPECT_EQ(Refusal("Files/a?:x"), "a character Windows file names cannot hold");
  EXPECT_EQ(Refusal("Files/:x"), "a character Windows file names cannot hold");
  EXPECT_EQ(Refusal("Files/d:x/y"), "a character Windows file names cannot hold");
}

TEST(WindowsLayerName, PathKeysCompareAsWindowsDoes) {
  EXPECT_EQ(PathKey({"Bin", "Tool.CMD"}, 2), "bin/tool.cmd");
  EXPECT_EQ(PathKey({"Bin", "Tool.CMD"}, 1), "bin");
  EXPECT_EQ(PathKey({"Bin"}, 5), "bin");
  EXPECT_EQ(PathKey({}, 0), "");
}

TEST(SplitArchiveName, KeepsNamesInsideTheArchive) {
  auto r = SplitArchiveName("./blobs/sha256/abc");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (Parts{"blobs", "sha256", "abc"}));
  EXPECT_FALSE(SplitArchiveName("../x"));
  EXPECT_FALSE(SplitArchiveName("/x"));
  EXPECT_FALSE(SplitArchiveName("D:\\x"));
  auto empty = SplitArchiveName("./");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

// The import's scratch directories: what the next import removes after a killed one, and only
// those names.
TEST(ImportDirName, OnlyTheExactScratchNamesMatch) {
  EXPECT_EQ(ImportDirName(0, 0), ".import-00");
  EXPECT_EQ(ImportDirName(4294967295u, 12), ".import-429496729512");
  EXPECT_TRUE(IsImportDirName(ImportDirName(4294967295u, 4294967295u)));  // 20 digits
  EXPECT_TRUE(IsImportDirName(ImportDirName(7, 3)));
  for (const char* other : {"",
                            ".import-",
                            ".import-1",
                            ".import-123456789012345678901",
                            ".import-12a",
                            ".import-1 2",
                            ".import-12.",
                            ".import-12\\x",
                            ".import-12/x",
                            ".IMPORT-12",
                            ".Import-12",
                            "import-12",
                            "..import-12",
                            " .import-12",
                            ".import--12",
                            ".import-+12",
                            ".import-12 ",
                            ".importer-12",
                            "x.import-12",
                            ".lock",
                            "0123456789abcdef0123456789abcdef"})
    EXPECT_FALSE(IsImportDirName(other)) << other;
}

}  // namespace
}  // namespace hp::image
