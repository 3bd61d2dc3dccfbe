// Times hostprocess's layer unpacker (image::UnpackLayerFile: gunzip + sha256 on a producer
// thread, openat2-confined extraction) against `tar -xzf` (GNU tar with its gzip child) on the
// same gzip layer of ~100 MB: a tree of pseudo-random (incompressible) and text-like
// (compressible) files of mixed sizes, directories, symlinks and hardlinks, written with
// libarchive into a temp dir. Each run unpacks into a fresh directory after a sync; the two
// trees are compared (entries and bytes) so neither side can win by doing less. Removes
// everything at the end.
//
//   unpack_bench [--mb COMPRESSED_MB] [--runs N]
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "bench.h"
#include "core/base/scope_exit.h"
#include "core/image/unpack.h"
#include "core/sys/file.h"

namespace {

using hp::bench::Clock;
using hp::bench::Median;
using hp::bench::Ms;

int Fail(const std::string& what) {
  std::fprintf(stderr, "unpack_bench: %s\n", what.c_str());
  return 1;
}

struct Rng {  // splitmix64: fast, reproducible
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
};

void RandomBytes(Rng& rng, std::string& out, size_t n) {
  out.resize(n);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng.Next();
    std::memcpy(&out[i], &v, 8);
  }
  for (size_t i = n - n % 8; i < n; i++) out[i] = static_cast<char>(rng.Next());
}

// Log- or config-like lines from a small vocabulary: gzip -6 shrinks them about 4 to 6 times.
void TextBytes(Rng& rng, std::string& out, size_t n) {
  static const char* const kWords[] = {
      "error",   "warning", "info",    "debug", "container", "started", "stopped", "image",
      "layer",   "pull",    "sandbox", "pod",   "node",      "cgroup",  "memory",  "cpu",
      "request", "limit",   "volume",  "mount", "network",   "host",    "process", "job"};
  out.clear();
  out.reserve(n + 128);
  while (out.size() < n) {
    out += fmt::format("2024-05-{:02d}T{:02d}:{:02d}:{:02d}Z", 1 + rng.Below(28), rng.Below(24),
                       rng.Below(60), rng.Below(60));
    for (size_t w = 0, words = 4 + rng.Below(8); w < words; w++) {
      out += ' ';
      out += kWords[rng.Below(std::size(kWords))];
      if (rng.Below(4) == 0) out += fmt::format("={}", rng.Below(100000));
    }
    out += '\n';
  }
  out.resize(n);
}

struct LayerStats {
  uint64_t entries = 0, files = 0, bytes = 0;
};

// Writes the layer; stops adding files once the compressed output reaches `target` bytes.
hp::Status WriteLayer(const std::string& path, uint64_t target, LayerStats& st) {
  struct archive* a = archive_write_new();
  hp::ScopeExit free_archive([&] { archive_write_free(a); });
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK)
    return hp::Err(hp::ErrorCode::kInternal, "write \"{}\": {}", path, archive_error_string(a));
  auto add = [&](const std::string& name, mode_t type, mode_t perm, const std::string* data,
                 const char* link, bool hardlink) -> hp::Status {
    struct archive_entry* e = archive_entry_new();
    hp::ScopeExit free_entry([&] { archive_entry_free(e); });
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (data) archive_entry_set_size(e, static_cast<la_int64_t>(data->size()));
    if (link && hardlink) archive_entry_set_hardlink(e, link);
    if (link && !hardlink) archive_entry_set_symlink(e, link);
    if (archive_write_header(a, e) != ARCHIVE_OK)
      return hp::Err(hp::ErrorCode::kInternal, "\"{}\": {}", name, archive_error_string(a));
    if (data && !data->empty() &&
        archive_write_data(a, data->data(), data->size()) != static_cast<la_ssize_t>(data->size()))
      return hp::Err(hp::ErrorCode::kInternal, "\"{}\": {}", name, archive_error_string(a));
    st.entries++;
    if (data) st.bytes += data->size();
    return hp::Ok();
  };
  Rng rng{42};
  std::string data;
  TRY(add("usr", AE_IFDIR, 0755, nullptr, nullptr, false));
  TRY(add("usr/share", AE_IFDIR, 0755, nullptr, nullptr, false));
  auto written = [&] { return static_cast<uint64_t>(archive_filter_bytes(a, -1)); };
  for (int d = 0; written() < target; d++) {
    std::string dir = fmt::format("usr/share/group{}/pkg{:03d}", d / 8, d);
    if (d % 8 == 0)
      TRY(add(fmt::format("usr/share/group{}", d / 8), AE_IFDIR, 0755, nullptr, nullptr, false));
    TRY(add(dir, AE_IFDIR, 0755, nullptr, nullptr, false));
    // Up to 40 files a directory, most under 16 KiB, 1 in 32 from 256 KiB to 1.25 MiB (about
    // 30 KiB on average, as in distribution layers); 3 in 8 random, the rest text.
    for (int f = 0; f < 40 && written() < target; f++) {
      size_t size = rng.Below(32) == 0 ? (256 << 10) + rng.Below(1 << 20) : rng.Below(16 << 10);
      bool random = rng.Below(8) < 3;
      if (random)
        RandomBytes(rng, data, size);
      else
        TextBytes(rng, data, size);
      std::string name =
          fmt::format("{}/{}{:02d}.{}", dir, random ? "blob" : "text", f, random ? "bin" : "log");
      TRY(add(name, AE_IFREG, f % 5 == 0 ? 0755 : 0644, &data, nullptr, false));
      st.files++;
      if (f % 10 == 0) {
        std::string base = name.substr(name.rfind('/') + 1);
        TRY(add(name + ".link", AE_IFLNK, 0777, nullptr, base.c_str(), false));
        TRY(add(name + ".hard", AE_IFREG, 0644, nullptr, name.c_str(), true));
      }
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK)
    return hp::Err(hp::ErrorCode::kInternal, "close \"{}\": {}", path, archive_error_string(a));
  return hp::Ok();
}

// Entries and regular-file bytes under a tree (hardlinks counted once per name, as in the tar).
LayerStats g_walk;
int WalkOne(const char*, const struct stat* st, int type, struct FTW*) {
  g_walk.entries++;
  if (type == FTW_F && S_ISREG(st->st_mode)) g_walk.bytes += static_cast<uint64_t>(st->st_size);
  return 0;
}
LayerStats Walk(const std::string& dir) {
  g_walk = {};
  ::nftw(dir.c_str(), WalkOne, 64, FTW_PHYS);
  g_walk.entries--;  // the root itself
  return g_walk;
}

}  // namespace

int main(int argc, char** argv) {
  int mb = 100, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--mb") {
      mb = std::atoi(argv[i + 1]);
    } else if (a == "--runs") {
      runs = std::atoi(argv[i + 1]);
    } else {
      return Fail("usage: unpack_bench [--mb COMPRESSED_MB] [--runs N]");
    }
  }
  if (mb < 1 || runs < 1) return Fail("--mb and --runs must be positive");
  auto base = hp::sys::MakeTempDir("hp-unpack-bench-");
  if (!base) return Fail(base.error().ToString());
  hp::ScopeExit cleanup([&] { (void)hp::sys::RemoveAll(*base); });
  std::string layer = *base + "/layer.tar.gz";

  auto t0 = Clock::now();
  LayerStats made;
  if (auto w = WriteLayer(layer, static_cast<uint64_t>(mb) * 1000000, made); !w)
    return Fail(w.error().ToString());
  double make_ms = Ms(Clock::now() - t0);
  struct stat lst;
  if (::stat(layer.c_str(), &lst) != 0) return Fail("stat layer");
  std::printf(
      "unpack_bench: layer %.1f MB gzip, %.1f MB uncompressed, %llu entries (%llu files)"
      ", made in %.1f s; median of %d runs\n",
      static_cast<double>(lst.st_size) / 1e6, static_cast<double>(made.bytes) / 1e6,
      static_cast<unsigned long long>(made.entries), static_cast<unsigned long long>(made.files),
      make_ms / 1000, runs);

  std::vector<double> hp_ms, tar_ms;
  LayerStats hp_tree, tar_tree;
  for (int r = 0; r < runs; r++) {
    // Alternate which side goes first, so neither always gets the warmer cache.
    for (int side = 0; side < 2; side++) {
      bool ours = (side == 0) == (r % 2 == 0);
      std::string dir = *base + (ours ? "/hp" : "/tar");
      (void)hp::sys::RemoveAll(dir);
      ::sync();
      if (ours) {
        auto a = Clock::now();
        auto res = hp::image::UnpackLayerFile(layer, dir);
        hp_ms.push_back(Ms(Clock::now() - a));
        if (!res) return Fail("UnpackLayerFile: " + res.error().ToString());
        if (r == 0) hp_tree = Walk(dir);
      } else {
        if (::mkdir(dir.c_str(), 0755) != 0) return Fail("mkdir " + dir);
        auto a = Clock::now();
        int rc = hp::bench::RunCommand({"tar", "-xzf", layer, "-C", dir});
        tar_ms.push_back(Ms(Clock::now() - a));
        if (rc != 0) return Fail(fmt::format("tar -xzf: exit code {}", rc));
        if (r == 0) tar_tree = Walk(dir);
      }
    }
  }
  if (hp_tree.entries != tar_tree.entries || hp_tree.bytes != tar_tree.bytes ||
      hp_tree.entries != made.entries)
    return Fail(fmt::format(
        "trees differ: hostprocess {} entries {} bytes, tar {} entries {} "
        "bytes, layer {} entries",
        hp_tree.entries, hp_tree.bytes, tar_tree.entries, tar_tree.bytes, made.entries));
  double ours = Median(hp_ms), theirs = Median(tar_ms);
  double mbytes = static_cast<double>(lst.st_size) / 1e6;
  std::printf("  %-36s %9.0f ms  %6.1f MB/s gzip\n", "hostprocess UnpackLayerFile", ours,
              mbytes / (ours / 1000));
  std::printf("  %-36s %9.0f ms  %6.1f MB/s gzip\n", "tar -xzf", theirs, mbytes / (theirs / 1000));
  std::printf("  ratio hostprocess/tar: %.2f\n", ours / theirs);
  return 0;
}
