#include "core/windows/application.h"

#include <gtest/gtest.h>

#include <map>

namespace hp::windows {
namespace {

// A file system as a table of paths (compared without case, as NTFS does); records what was
// probed, in order.
class FakeFs : public FileProbe {
 public:
  FakeFs(std::map<std::string, FileKind> entries) {
    for (auto& [p, k] : entries) entries_[Lower(p)] = k;
  }
  FileKind Probe(const std::string& path) const override {
    probed.push_back(path);
    auto it = entries_.find(Lower(path));
    return it == entries_.end() ? FileKind::kMissing : it->second;
  }
  mutable std::vector<std::string> probed;

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  std::map<std::string, FileKind> entries_;
};

constexpr FileKind F = FileKind::kFile, D = FileKind::kDirectory;
const SearchPlaces kPlaces{"C:\\hpc\\c1\\",
                           "C:\\tools;C:\\Program Files\\Git\\bin",
                           {"C:\\Windows\\System32", "C:\\Windows\\System", "C:\\Windows"}};

TEST(WindowsApplication, SandboxFirstThenPathThenSystem) {
  FakeFs fs({{"C:\\hpc\\c1\\ping.exe", F},
             {"C:\\Windows\\System32\\ping.exe", F},
             {"C:\\tools\\curl.exe", F},
             {"C:\\Windows\\System32\\curl.exe", F},
             {"C:\\Windows\\System32\\whoami.exe", F}});
  EXPECT_EQ(ResolveApplication("ping -n 1 x", kPlaces, fs)->path, "C:\\hpc\\c1\\ping.exe");
  EXPECT_EQ(ResolveApplication("curl", kPlaces, fs)->path, "C:\\tools\\curl.exe");
  auto whoami = ResolveApplication("whoami /all", kPlaces, fs);
  ASSERT_TRUE(whoami);
  EXPECT_EQ(whoami->path, "C:\\Windows\\System32\\whoami.exe");
  EXPECT_EQ(whoami->command_line, "whoami /all");  // unchanged
}

TEST(WindowsApplication, RelativeNamesAreBelowTheSearchedDirectories) {
  FakeFs fs({{"C:\\hpc\\c1\\bin\\agent.exe", F}, {"C:\\hpc\\c1\\run.exe", F}});
  EXPECT_EQ(ResolveApplication("bin\\agent --v=2", kPlaces, fs)->path,
            "C:\\hpc\\c1\\bin\\agent.exe");
  EXPECT_EQ(ResolveApplication(".\\run", kPlaces, fs)->path, "C:\\hpc\\c1\\run.exe");
  EXPECT_EQ(ResolveApplication("./bin/agent", kPlaces, fs)->path, "C:\\hpc\\c1\\bin\\agent.exe");
}

TEST(WindowsApplication, QuotedNameIsSearchedAsWritten) {
  FakeFs fs({{"C:\\Program Files\\x\\tool.exe", F}, {"C:\\Program.exe", F}});
  auto a = ResolveApplication("\"C:\\Program Files\\x\\tool\" -a", kPlaces, fs);
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->path, "C:\\Program Files\\x\\tool.exe");
  EXPECT_EQ(a->command_line, "\"C:\\Program Files\\x\\tool\" -a");
  auto missing = ResolveApplication("\"C:\\Program Files\\y\" -a", kPlaces, fs);
  ASSERT_FALSE(missing);  // no joining, no fallback to C:\Program.exe
  auto open = ResolveApplication("\"C:\\x y -a", kPlaces, fs);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().ToString().find("no ending quotation mark"), std::string::npos);
}

TEST(WindowsApplication, UnquotedTokensJoinOneAtATime) {
  FakeFs fs({{"C:\\Program Files\\sub dir\\program name.exe", F}});
  auto a = ResolveApplication("C:\\Program Files\\sub dir\\program name -x y", kPlaces, fs);
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->path, "C:\\Program Files\\sub dir\\program name.exe");
  EXPECT_EQ(a->command_line, "\"C:\\Program Files\\sub dir\\program name\" -x y");
  // The order of the trials: each joined prefix, .exe first.
  std::vector<std::string> want = {
      "C:\\Program.exe",
      "C:\\Program",
      "C:\\Program Files\\sub.exe",
      "C:\\Program Files\\sub",
      "C:\\Program Files\\sub dir\\program.exe",
      "C:\\Program Files\\sub dir\\program",
      "C:\\Program Files\\sub dir\\program name.exe",
  };
  EXPECT_EQ(fs.probed, want);
}

TEST(WindowsApplication, FirstTokenWinsWhenItExists) {
  FakeFs fs({{"C:\\Windows\\System32\\ping.exe", F}, {"C:\\hpc\\c1\\ping test.exe", F}});
  auto a = ResolveApplication("ping test", kPlaces, fs);
  EXPECT_EQ(a->path, "C:\\Windows\\System32\\ping.exe");
  EXPECT_EQ(a->command_line, "ping test");
}

TEST(WindowsApplication, ExeIsAppendedAndExtensionlessFilesRun) {
  FakeFs fs({{"C:\\hpc\\c1\\agnhost", F},
             {"C:\\hpc\\c1\\both", F},
             {"C:\\hpc\\c1\\both.exe", F},
             {"C:\\hpc\\c1\\run.cmd", F},
             {"C:\\hpc\\c1\\run.cmd.exe", F}});
  EXPECT_EQ(ResolveApplication("agnhost netexec", kPlaces, fs)->path, "C:\\hpc\\c1\\agnhost");
  EXPECT_EQ(ResolveApplication("both", kPlaces, fs)->path, "C:\\hpc\\c1\\both.exe");
  EXPECT_EQ(ResolveApplication("run.cmd", kPlaces, fs)->path, "C:\\hpc\\c1\\run.cmd");
}

TEST(WindowsApplication, DirectoriesAreRejected) {
  FakeFs fs({{"C:\\hpc\\c1\\ping.exe", D}, {"C:\\Windows\\System32\\ping.exe", F}});
  auto a = ResolveApplication("ping", kPlaces, fs);
  ASSERT_FALSE(a);  // the first match is a directory: an error, not the next directory
  EXPECT_NE(a.error().ToString().find("found directory instead of executable"), std::string::npos);
  FakeFs joined({{"C:\\x.exe", D}, {"C:\\x y.exe", F}});
  EXPECT_EQ(ResolveApplication("C:\\x y", kPlaces, joined)->path, "C:\\x y.exe");
}

TEST(WindowsApplication, NotFoundNamesEveryPlaceSearched) {
  FakeFs fs({});
  auto a = ResolveApplication("nothere -x", kPlaces, fs);
  ASSERT_FALSE(a);
  std::string msg = a.error().ToString();
  for (const char* dir : {"C:\\hpc\\c1\\", "C:\\tools", "C:\\Program Files\\Git\\bin",
                          "C:\\Windows\\System32", "C:\\Windows"})
    EXPECT_NE(msg.find(dir), std::string::npos) << msg;
  EXPECT_FALSE(ResolveApplication("", kPlaces, fs));
}

TEST(WindowsApplication, AbsoluteNamesAreNotSearched) {
  FakeFs fs({{"C:\\tools\\x.exe", F}});
  EXPECT_FALSE(ResolveApplication("D:\\x", kPlaces, fs));
  EXPECT_EQ(fs.probed, (std::vector<std::string>{"D:\\x.exe", "D:\\x"}));
}

}  // namespace
}  // namespace hp::windows
