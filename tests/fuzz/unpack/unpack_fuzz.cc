// libFuzzer target: the layer unpacker on hostile blobs. The input is unpacked (as a plain,
// gzip or zstd tar: the stream detects which) into `<base>/layer`, next to
// `<base>/outside/secret`. Each input is unpacked with `<base>` as the working directory, so
// escapes by `..`, by symlinks to `..`, and by absolute symlinks through /proc/self/cwd all land
// in `<base>`. After every input: `<base>` holds nothing but `outside` (and `layer` after a
// success), `outside/secret` is unchanged (content, mode, owner, link count, mtime), a failed
// unpack left no layer behind, and the layer can be removed. Anything else aborts.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/image/unpack.h"
#include "core/sys/file.h"

namespace {

std::string g_base, g_layer, g_outside, g_secret;
struct stat g_secret_st;
constexpr char kSecret[] = "keep";

[[noreturn]] void Finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_unpack: %s\n", what.c_str());
  std::abort();
}

void Check(bool ok, const std::string& what) {
  if (!ok) Finding(what);
}

void CheckOutside(bool unpacked) {
  auto top = hp::sys::ListDir(g_base);
  Check(static_cast<bool>(top), "cannot list the base directory");
  std::sort(top->begin(), top->end());
  std::vector<std::string> want =
      unpacked ? std::vector<std::string>{"layer", "outside"} : std::vector<std::string>{"outside"};
  if (*top != want) {
    std::string got;
    for (const auto& n : *top) got += " \"" + n + "\"";
    Finding("the base directory holds:" + got + (unpacked ? " (unpack succeeded)" : " (failed)"));
  }
  auto inside = hp::sys::ListDir(g_outside);
  Check(inside && *inside == std::vector<std::string>{"secret"}, "\"outside\" was written to");
  struct stat st;
  Check(::lstat(g_secret.c_str(), &st) == 0, "\"outside/secret\" is gone");
  Check(st.st_ino == g_secret_st.st_ino && st.st_mode == g_secret_st.st_mode &&
            st.st_uid == g_secret_st.st_uid && st.st_gid == g_secret_st.st_gid &&
            st.st_nlink == 1 && st.st_size == g_secret_st.st_size &&
            st.st_mtim.tv_sec == g_secret_st.st_mtim.tv_sec &&
            st.st_mtim.tv_nsec == g_secret_st.st_mtim.tv_nsec,
        "\"outside/secret\" was changed or linked");
  auto content = hp::sys::ReadFile(g_secret);
  Check(content && *content == kSecret, "\"outside/secret\" content changed");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto base = hp::sys::MakeTempDir("hp-fuzz-unpack-");
  Check(static_cast<bool>(base), "cannot create the base directory");
  g_base = *base;
  g_layer = g_base + "/layer";
  g_outside = g_base + "/outside";
  g_secret = g_outside + "/secret";
  Check(static_cast<bool>(hp::sys::MkdirAll(g_outside)), "cannot create \"outside\"");
  Check(static_cast<bool>(hp::sys::WriteFile(g_secret, kSecret)), "cannot write the secret");
  Check(::lstat(g_secret.c_str(), &g_secret_st) == 0, "cannot stat the secret");
  // libFuzzer exits through exit(): remove the base then (a crash keeps it for inspection).
  std::atexit([] { (void)hp::sys::RemoveAll(g_base); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Only while unpacking: libFuzzer resolves relative corpus and artifact paths in between.
  int cwd = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  Check(cwd >= 0 && ::chdir(g_base.c_str()) == 0, "cannot chdir to the base directory");
  auto r = hp::image::UnpackLayerMemory(data, size, g_layer);
  Check(::fchdir(cwd) == 0, "cannot return to the working directory");
  ::close(cwd);
  if (!r) Check(!r.error().ToString().empty(), "an error without a message");
  CheckOutside(static_cast<bool>(r));
  if (r) {
    auto removed = hp::sys::RemoveAll(g_layer);
    Check(static_cast<bool>(removed),
          "cannot remove the layer: " + (removed ? std::string() : removed.error().ToString()));
    Check(!hp::sys::Exists(g_layer), "the layer is still there after removal");
  }
  return 0;
}
