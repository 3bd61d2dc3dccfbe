// The image verbs of the built `hostprocess` binary with their own --root: import, images
// (table and -o json), inspect and rmi — output, exit codes, and what rmi leaves on disk.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "common/temp_dir.h"
#include "core/sys/file.h"
#include "unit/image/image_builder.h"

namespace hp::image {
namespace {

using hp::testing::ImageSpec;
using hp::testing::TarBuilder;
using nlohmann::json;

std::string Binary() { return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess"; }

class ImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sys::Exists(Binary())) << Binary();
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    state_ = root_ + "/state";
    in_ = root_ + "/in";
    ASSERT_TRUE(sys::MkdirAll(in_));
  }

  // Runs `hostprocess --root STATE ARGS` (ARGS are shell words); returns the exit code.
  int Cli(const std::string& args) {
    std::string cmd = "env -u HOSTPROCESS_ROOT '" + Binary() + "' --root '" + state_ + "' " + args +
                      " </dev/null >'" + root_ + "/out' 2>'" + root_ + "/err'";
    int status = std::system(cmd.c_str());
    out_ = sys::ReadFile(root_ + "/out").value_or("");
    err_ = sys::ReadFile(root_ + "/err").value_or("");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  json ImagesJson() {
    EXPECT_EQ(Cli("images -o json"), 0) << err_;
    return json::parse(out_, nullptr, false);
  }

  std::set<std::string> Dir(const std::string& sub) {
    auto names = sys::ListDir(state_ + "/images/" + sub);
    return names ? std::set<std::string>(names->begin(), names->end()) : std::set<std::string>{};
  }
  static std::string Hex(const std::string& digest) { return digest.substr(7); }

  hp::testing::TempDir tmp_{"hp-image-cli-"};
  std::string root_, state_, in_, out_, err_;
};

TEST_F(ImageCli, ImportImagesInspect) {
  std::string dir = in_ + "/rootfs";
  ASSERT_TRUE(sys::MkdirAll(dir + "/bin"));
  ASSERT_TRUE(sys::WriteFile(dir + "/bin/app", "#!/bin/sh\necho hi\n"));
  ASSERT_EQ(Cli("import '" + dir +
                "' hostprocess.local/tool:v1 --env A=1 --cmd '/bin/app x' --workdir /bin"),
            0)
      << err_;
  ASSERT_EQ(out_.rfind("Imported hostprocess.local/tool:v1 (sha256:", 0), 0u) << out_;
  std::string id = out_.substr(out_.find("(") + 1);
  id = id.substr(0, id.find(")"));
  ASSERT_EQ(id.size(), 71u) << out_;
  EXPECT_EQ(err_, "");

  // The table: a header and one row (repository, tag, short id, size).
  ASSERT_EQ(Cli("images"), 0) << err_;
  std::istringstream table(out_);
  std::string header, row, extra;
  ASSERT_TRUE(std::getline(table, header));
  ASSERT_TRUE(std::getline(table, row)) << out_;
  EXPECT_FALSE(std::getline(table, extra)) << out_;
  std::istringstream h(header), r(row);
  std::vector<std::string> hw{std::istream_iterator<std::string>(h), {}};
  std::vector<std::string> rw{std::istream_iterator<std::string>(r), {}};
  EXPECT_EQ(hw, (std::vector<std::string>{"IMAGE", "TAG", "IMAGE", "ID", "SIZE"}));
  ASSERT_EQ(rw.size(), 4u) << row;
  EXPECT_EQ(rw[0], "hostprocess.local/tool");
  EXPECT_EQ(rw[1], "v1");
  EXPECT_EQ(rw[2], id.substr(7, 12));
  EXPECT_EQ(rw[3].back(), 'B') << rw[3];
  // crictl's columns: each cell padded to its column's widest plus 3, at least 20 wide.
  EXPECT_EQ(header, "IMAGE                    TAG                 IMAGE ID            SIZE");
  EXPECT_EQ(row.substr(0, 25 + 20 + 20),
            "hostprocess.local/tool   v1                  " + id.substr(7, 12) + "        ");

  json list = ImagesJson();
  ASSERT_TRUE(list.is_array()) << out_;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "hostprocess.local/tool:v1");
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(list[0]["config"]["cmd"], json({"/bin/app", "x"}));
  EXPECT_EQ(list[0]["config"]["working_dir"], "/bin");
  EXPECT_NE(std::find(list[0]["config"]["env"].begin(), list[0]["config"]["env"].end(), "A=1"),
            list[0]["config"]["env"].end())
      << list[0]["config"]["env"];
  ASSERT_EQ(list[0]["layers"].size(), 1u);

  // inspect by name and by short id gives the same record.
  ASSERT_EQ(Cli("inspect hostprocess.local/tool:v1"), 0) << err_;
  EXPECT_EQ(json::parse(out_, nullptr, false), list[0]) << out_;
  ASSERT_EQ(Cli("inspect " + id.substr(7, 12)), 0) << err_;
  EXPECT_EQ(json::parse(out_, nullptr, false)["name"], "hostprocess.local/tool:v1");

  EXPECT_EQ(Cli("inspect nothere:1"), 1);
  EXPECT_EQ(out_, "");
  EXPECT_EQ(err_, "error: image \"docker.io/library/nothere:1\" not found\n");
  EXPECT_EQ(Cli("images -o yaml"), 1);
  EXPECT_NE(err_.find("unknown output format \"yaml\""), std::string::npos) << err_;
  EXPECT_EQ(Cli("inspect"), 1);  // usage (exit 1, as kubectl)
}

TEST_F(ImageCli, RmiRemovesWhatNoOtherImageUses) {
  // Image a: base + own layer; image b: the same base only.
  auto base = hp::testing::MakeLayer(TarBuilder().File("base", "b"));
  auto own = hp::testing::MakeLayer(TarBuilder().File("own", "o"));
  ImageSpec a, b;
  a.layers = {base, own};
  a.config = {{"Cmd", {"a"}}};
  b.layers = {base};
  b.config = {{"Cmd", {"b"}}};
  hp::testing::WriteFiles(in_ + "/a", hp::testing::OciLayoutFiles({a}));
  hp::testing::WriteFiles(in_ + "/b", hp::testing::OciLayoutFiles({b}));
  std::string a_config = Sha256Digest(hp::testing::ConfigJson(a));
  std::string a_manifest = Sha256Digest(hp::testing::ManifestJson(a));
  std::string b_config = Sha256Digest(hp::testing::ConfigJson(b));
  std::string b_manifest = Sha256Digest(hp::testing::ManifestJson(b));
  ASSERT_EQ(Cli("import '" + in_ + "/a' hostprocess.local/a:1"), 0) << err_;
  ASSERT_EQ(Cli("import '" + in_ + "/a' hostprocess.local/a:alias"), 0) << err_;
  ASSERT_EQ(Cli("import '" + in_ + "/b' hostprocess.local/b:1"), 0) << err_;
  EXPECT_EQ(Dir("blobs/sha256"),
            (std::set<std::string>{Hex(base.digest), Hex(own.digest), Hex(a_config),
                                   Hex(a_manifest), Hex(b_config), Hex(b_manifest)}));
  EXPECT_EQ(Dir("layers"), (std::set<std::string>{Hex(base.diff_id), Hex(own.diff_id)}));

  // Another name still uses a's blobs: only the name goes.
  ASSERT_EQ(Cli("rmi hostprocess.local/a:1"), 0) << err_;
  EXPECT_EQ(out_, "Untagged: hostprocess.local/a:1\n");
  EXPECT_EQ(Dir("blobs/sha256").size(), 6u);

  // By id: every name of the image goes, and what b does not share is deleted.
  ASSERT_EQ(Cli("import '" + in_ + "/a' hostprocess.local/a:1"), 0) << err_;
  ASSERT_EQ(Cli("rmi " + Hex(a_config).substr(0, 12)), 0) << err_;
  std::istringstream lines(out_);
  std::set<std::string> got;
  for (std::string line; std::getline(lines, line);) got.insert(line);
  EXPECT_EQ(got, (std::set<std::string>{
                     "Untagged: hostprocess.local/a:1", "Untagged: hostprocess.local/a:alias",
                     "Deleted: blob " + own.digest, "Deleted: blob " + a_config,
                     "Deleted: blob " + a_manifest, "Deleted: layer " + own.diff_id}))
      << out_;
  EXPECT_EQ(Dir("blobs/sha256"),
            (std::set<std::string>{Hex(base.digest), Hex(b_config), Hex(b_manifest)}));
  EXPECT_EQ(Dir("layers"), std::set<std::string>{Hex(base.diff_id)});
  json list = ImagesJson();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "hostprocess.local/b:1");

  // A missing image fails the command, but the others given are still removed.
  EXPECT_EQ(Cli("rmi nothere:1 hostprocess.local/b:1"), 1);
  EXPECT_EQ(err_, "error: image \"docker.io/library/nothere:1\" not found\n");
  EXPECT_NE(out_.find("Untagged: hostprocess.local/b:1\n"), std::string::npos) << out_;
  EXPECT_TRUE(Dir("blobs/sha256").empty());
  EXPECT_TRUE(Dir("layers").empty());
  EXPECT_TRUE(ImagesJson().empty());
  EXPECT_EQ(Cli("rmi"), 1);  // usage (exit 1, as kubectl)
}

TEST_F(ImageCli, ImportErrorsExitOneAndStoreNothing) {
  std::string missing = in_ + "/missing-dir";
  EXPECT_EQ(Cli("import '" + missing + "' hostprocess.local/x:1"), 1);
  EXPECT_EQ(out_, "");
  EXPECT_NE(err_.find("\"" + missing + "\""), std::string::npos) << err_;
  std::string junk = in_ + "/junk.tar";
  ASSERT_TRUE(sys::WriteFile(junk, "not a tarball at all"));
  EXPECT_EQ(Cli("import '" + junk + "' hostprocess.local/x:1"), 1);
  EXPECT_EQ(err_.rfind("error: ", 0), 0u) << err_;
  EXPECT_NE(err_.find("\"" + junk + "\""), std::string::npos) << err_;
  EXPECT_TRUE(ImagesJson().empty());
  EXPECT_TRUE(Dir("blobs/sha256").empty());
  EXPECT_TRUE(Dir("layers").empty());
  EXPECT_EQ(Cli("import '" + junk + "'"), 1);  // NAME is required
}

}  // namespace
}  // namespace hp::image
