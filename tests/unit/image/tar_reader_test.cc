// The platform-neutral tar reader and gzip source (core/image/tar_reader.h, byte_source.h) that
// the Windows build imports layers with: archives are made at test time by GNU tar in its
// ustar, gnu and pax formats (long names and link names, a non-ASCII name, a hard link, a
// symlink) and by gzip, and read back entry by entry; damaged archives (truncated, a bad
// checksum, a cut gzip stream) must fail naming the entry or the offset.
#include "core/image/tar_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "core/image/byte_source.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {

struct Got {
  std::string name;
  TarType type;
  std::string link;
  std::string data;
  int64_t offset;
  bool operator==(const Got& o) const {
    return name == o.name && type == o.type && link == o.link && data == o.data;
  }
};

// Every entry of the archive in `src`, the data of files read `chunk` bytes at a time (or not
// read at all with chunk 0, so that the reader skips it).
Result<std::vector<Got>> ReadEntries(ByteSource& src, size_t chunk = 65536) {
  TarReader r(src, "test.tar");
  std::vector<Got> out;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<TarEntry> e, r.Next());
    if (!e) return out;
    Got g{e->name, e->type, e->link, "", e->offset};
    if (chunk > 0) {
      std::string buf(chunk, '\0');
      while (true) {
        ASSIGN_OR_RETURN(size_t n, r.Read(buf.data(), buf.size()));
        if (n == 0) break;
        g.data.append(buf, 0, n);
      }
      if (static_cast<int64_t>(g.data.size()) != e->size)
        return Err(ErrorCode::kInternal, "{}: read {} of {} bytes", e->name, g.data.size(),
                   e->size);
    }
    out.push_back(std::move(g));
  }
}

Result<std::vector<Got>> ReadFile(const std::string& path, size_t chunk = 65536) {
  ASSIGN_OR_RETURN(auto file, FileSource::Open(path));
  ASSIGN_OR_RETURN(auto tar, Decompressed(*file, path));
  return ReadEntries(*tar, chunk);
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 % 251);
  return s;
}

class TarReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    tree_ = tmp_.path() + "/tree";
    ASSERT_TRUE(sys::MkdirAll(tree_ + "/dir/sub"));
    long_dir_ = std::string(60, 'd');
    long_file_ = long_dir_ + "/" + std::string(60, 'f') + ".txt";  // 125 bytes: ustar's prefix
    long_component_ = std::string(150, 'c');                       // only gnu and pax
    long_target_ = std::string(120, 't') + "/target";
    ASSERT_TRUE(sys::MkdirAll(tree_ + "/" + long_dir_));
    Write("a.txt", "hello\n");
    Write("empty", "");
    Write("block512", std::string(512, 'x'));
    Write("big", Pattern(200000));
    Write(long_file_, "long name\n");
    Write(long_component_, "long component\n");
    Write("\xc3\xbcn\xc3\xaf.txt", "non-ascii\n");  // "ünï.txt"
    ASSERT_EQ(::link((tree_ + "/a.txt").c_str(), (tree_ + "/hl").c_str()), 0);
    ASSERT_EQ(::symlink("a.txt", (tree_ + "/sl").c_str()), 0);
    ASSERT_EQ(::symlink(long_target_.c_str(), (tree_ + "/longlink").c_str()), 0);
  }

  void Write(const std::string& rel, const std::string& data) {
    ASSERT_TRUE(sys::WriteFile(tree_ + "/" + rel, data));
  }

  // The names GNU tar is given, in order; ustar cannot hold a 150-byte component or link.
  std::vector<std::string> Names(const std::string& format) const {
    std::vector<std::string> n = {
        "a.txt", "empty", "block512", "big", "dir", long_file_, "\xc3\xbcn\xc3\xaf.txt",
        "hl",    "sl"};
    if (format != "ustar") {
      n.push_back(long_component_);
      n.push_back("longlink");
    }
    return n;
  }

  // What the reader must give for Names(format), entry by entry.
  std::vector<Got> Expected(const std::string& format) const {
    std::vector<Got> e = {
        {"a.txt", TarType::kFile, "", "hello\n", 0},
        {"empty", TarType::kFile, "", "", 0},
        {"block512", TarType::kFile, "", std::string(512, 'x'), 0},
        {"big", TarType::kFile, "", Pattern(200000), 0},
        {"dir/", TarType::kDir, "", "", 0},
        {"dir/sub/", TarType::kDir, "", "", 0},
        {long_file_, TarType::kFile, "", "long name\n", 0},
        {"\xc3\xbcn\xc3\xaf.txt", TarType::kFile, "", "non-ascii\n", 0},
        {"hl", TarType::kHardlink, "a.txt", "", 0},
        {"sl", TarType::kSymlink, "a.txt", "", 0},
    };
    if (format != "ustar") {
      e.push_back({long_component_, TarType::kFile, "", "long component\n", 0});
      e.push_back({"longlink", TarType::kSymlink, long_target_, "", 0});
    }
    return e;
  }

  // tar --format=FORMAT of Names(FORMAT) into `out`.
  void Tar(const std::string& format, const std::string& out, const std::string& extra = "") {
    std::string cmd = "cd '" + tree_ + "' && LC_ALL=C.UTF-8 tar --format=" + format + " " + extra +
                      " -cf '" + out + "'";
    for (const auto& n : Names(format)) cmd += " '" + n + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  void Sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  testing::TempDir tmp_;
  std::string tree_, long_dir_, long_file_, long_component_, long_target_;
};

class TarFormatTest : public TarReaderTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(TarFormatTest, ReadsEveryEntryAsGnuTarWroteIt) {
  std::string format = GetParam();
  std::string tar = tmp_.path() + "/x.tar";
  Tar(format, tar);
  auto got = ReadFile(tar);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(*got, Expected(format));
  // Offsets are those of the headers: 512-byte aligned and increasing.
  for (size_t i = 1; i < got->size(); ++i) {
    EXPECT_EQ((*got)[i].offset % 512, 0);
    EXPECT_GT((*got)[i].offset, (*got)[i - 1].offset);
  }
}

TEST_P(TarFormatTest, GzipGivesTheSameEntries) {
  std::string format = GetParam();
  std::string tar = tmp_.path() + "/x.tar";
  Tar(format, tar);
  Sh("gzip -c '" + tar + "' > '" + tar + ".gz'");
  auto plain = ReadFile(tar);
  auto gz = ReadFile(tar + ".gz");
  ASSERT_TRUE(plain) << plain.error().ToString();
  ASSERT_TRUE(gz) << gz.error().ToString();
  EXPECT_EQ(*gz, *plain);
  ASSERT_EQ(gz->size(), plain->size());
  for (size_t i = 0; i < gz->size(); ++i) EXPECT_EQ((*gz)[i].offset, (*plain)[i].offset);
}

TEST_P(TarFormatTest, SmallReadsAndSkippedDataGiveTheSameEntries) {
  std::string format = GetParam();
  std::string tar = tmp_.path() + "/x.tar";
  Tar(format, tar);
  auto small = ReadFile(tar, 7);
  ASSERT_TRUE(small) << small.error().ToString();
  EXPECT_EQ(*small, Expected(format));
  auto skipped = ReadFile(tar, 0);
  ASSERT_TRUE(skipped) << skipped.error().ToString();
  ASSERT_EQ(skipped->size(), Expected(format).size());
  for (size_t i = 0; i < skipped->size(); ++i)
    EXPECT_EQ((*skipped)[i].name, Expected(format)[i].name);
}

INSTANTIATE_TEST_SUITE_P(Formats, TarFormatTest, ::testing::Values("ustar", "gnu", "pax"));

TEST_F(TarReaderTest, PaxWritesTheNonAsciiNameAsAPathRecord) {
  // GNU tar in pax format puts a non-ASCII name into a pax `path` record; the ustar name field
  // then holds a placeholder, so the right name proves the record was read.
  std::string tar = tmp_.path() + "/x.tar";
  Tar("pax", tar);
  auto data = sys::ReadFile(tar);
  ASSERT_TRUE(data);
  EXPECT_NE(data->find("path=\xc3\xbcn\xc3\xaf.txt\n"), std::string::npos);
  EXPECT_NE(data->find("linkpath=" + long_target_ + "\n"), std::string::npos);
  auto got = ReadFile(tar);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ((*got)[7].name, "\xc3\xbcn\xc3\xaf.txt");
}

TEST_F(TarReaderTest, GnuWritesLongNamesAsLongNameEntries) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("gnu", tar);
  auto data = sys::ReadFile(tar);
  ASSERT_TRUE(data);
  EXPECT_NE(data->find("././@LongLink"), std::string::npos);
  auto got = ReadFile(tar);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->back().link, long_target_);
}

TEST_F(TarReaderTest, PaxGlobalHeadersAreSkipped) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("pax", tar, "--pax-option=comment=made-by-the-test");
  auto data = sys::ReadFile(tar);
  ASSERT_TRUE(data);
  ASSERT_NE(data->find("comment=made-by-the-test"), std::string::npos);
  auto got = ReadFile(tar);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(*got, Expected("pax"));
}

TEST_F(TarReaderTest, ConcatenatedGzipMembersAreOneStream) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("gnu", tar);
  std::string gz = tar + ".gz";
  Sh("head -c 100000 '" + tar + "' | gzip -c > '" + gz + "' && tail -c +100001 '" + tar +
     "' | gzip -c >> '" + gz + "'");
  auto got = ReadFile(gz);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(*got, Expected("gnu"));
}

TEST_F(TarReaderTest, TruncatedDataNamesTheEntry) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("gnu", tar);
  auto full = ReadFile(tar);
  ASSERT_TRUE(full);
  int64_t big_at = (*full)[3].offset;  // "big": cut in the middle of its data
  Sh("head -c " + std::to_string(big_at + 512 + 100000) + " '" + tar + "' > '" + tar + ".cut'");
  auto got = ReadFile(tar + ".cut");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().ToString(), "test.tar: entry \"big\" at offset " + std::to_string(big_at) +
                                        ": the archive ends inside its data (truncated)");
  // The same archive gzipped and then cut: gzip's own words.
  Sh("gzip -c '" + tar + "' > '" + tar + ".gz' && head -c $(($(stat -c %s '" + tar +
     ".gz') / 2)) '" + tar + ".gz' > '" + tar + ".gz.cut'");
  auto gz = ReadFile(tar + ".gz.cut");
  ASSERT_FALSE(gz);
  EXPECT_NE(gz.error().ToString().find("the gzip stream ends early (truncated)"), std::string::npos)
      << gz.error().ToString();
}

TEST_F(TarReaderTest, AnArchiveWithoutItsEndBlocksIsTruncated) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("ustar", tar);
  auto full = ReadFile(tar);
  ASSERT_TRUE(full);
  int64_t last = full->back().offset;  // "sl": a header alone; cut right after it
  Sh("head -c " + std::to_string(last + 512) + " '" + tar + "' > '" + tar + ".cut'");
  auto got = ReadFile(tar + ".cut");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().ToString(),
            "test.tar: at offset " + std::to_string(last + 512) +
                ": the archive ends without its end-of-archive blocks (truncated)");
  // Cut inside a header.
  Sh("head -c " + std::to_string(last + 300) + " '" + tar + "' > '" + tar + ".cut2'");
  auto mid = ReadFile(tar + ".cut2");
  ASSERT_FALSE(mid);
  EXPECT_NE(mid.error().ToString().find("ends inside a header (truncated)"), std::string::npos)
      << mid.error().ToString();
}

TEST_F(TarReaderTest, ABadChecksumNamesTheEntryAndItsOffset) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("ustar", tar);
  auto full = ReadFile(tar);
  ASSERT_TRUE(full);
  int64_t at = (*full)[2].offset;  // "block512": change a digit of its mode field
  auto data = sys::ReadFile(tar);
  ASSERT_TRUE(data);
  (*data)[static_cast<size_t>(at) + 101] ^= 1;
  ASSERT_TRUE(sys::WriteFile(tar, *data));
  auto got = ReadFile(tar);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().ToString(),
            "test.tar: entry \"block512\" at offset " + std::to_string(at) +
                ": bad header checksum (a damaged archive, or not a tar archive)");
}

TEST_F(TarReaderTest, InputThatIsNoTarIsRefused) {
  std::string junk = tmp_.path() + "/junk";
  ASSERT_TRUE(sys::WriteFile(junk, std::string(2000, '\x01')));
  auto got = ReadFile(junk);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().ToString(),
            "test.tar: at offset 0: bad header checksum (a damaged archive, or not a tar archive)");
  ASSERT_TRUE(sys::WriteFile(junk, "{\"a\": 1}\n"));
  auto json = ReadFile(junk);
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().ToString(),
            "test.tar: at offset 0: shorter than one header: not a tar archive");
  ASSERT_TRUE(sys::WriteFile(junk, ""));
  auto empty = ReadFile(junk);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().ToString(), "test.tar: at offset 0: empty input, not a tar archive");
  ASSERT_TRUE(sys::WriteFile(junk, std::string("\x28\xb5\x2f\xfd", 4) + "zstd"));
  auto zstd = ReadFile(junk);
  ASSERT_FALSE(zstd);
  EXPECT_NE(zstd.error().ToString().find("zstd-compressed"), std::string::npos);
}

TEST_F(TarReaderTest, HashingSourceSeesEveryByte) {
  std::string tar = tmp_.path() + "/x.tar";
  Tar("pax", tar);
  Sh("gzip -c '" + tar + "' > '" + tar + ".gz'");
  auto file = FileSource::Open(tar + ".gz");
  ASSERT_TRUE(file);
  HashingSource raw(**file);
  auto inner = Decompressed(raw, "x");
  ASSERT_TRUE(inner);
  HashingSource diff(**inner);
  auto got = ReadEntries(diff);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(Drain(diff));
  ASSERT_TRUE(Drain(raw));
  auto whole = sys::ReadFile(tar);
  auto whole_gz = sys::ReadFile(tar + ".gz");
  ASSERT_TRUE(whole && whole_gz);
  EXPECT_EQ(diff.Digest(), Sha256Digest(*whole));
  EXPECT_EQ(raw.Digest(), Sha256Digest(*whole_gz));
  EXPECT_EQ(raw.bytes(), static_cast<int64_t>(whole_gz->size()));
}

TEST_F(TarReaderTest, MissingFileIsNamed) {
  auto f = FileSource::Open(tmp_.path() + "/nothere.tar");
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().ToString().find("nothere.tar"), std::string::npos);
}

}  // namespace
}  // namespace hp::image
