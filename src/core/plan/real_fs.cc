// The real Fs of the planner: stat(2) for host paths, hp/sys OpenBelow for paths in an image.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/plan/command.h"
#include "core/sys/below.h"
#include "core/sys/file.h"

namespace hp::plan {
namespace {

class RealFsImpl : public Fs {
 public:
  bool IsExecutableFile(const std::string& path) const override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return (st.st_mode & 0111) != 0;
  }
  bool IsDirectory(const std::string& path) const override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  std::optional<std::string> ResolveInRoot(const std::string& root,
                                           const std::string& path) const override {
    UniqueFd r(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!r) return std::nullopt;
    auto fd = sys::OpenBelow(r.get(), path, O_PATH, path);
    if (!fd) return std::nullopt;
    auto real = sys::FdRealPath(fd->get());
    if (!real) return std::nullopt;
    return *real;
  }
  std::string Read(const std::string& path, size_t offset, size_t max) const override {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) return {};
    // Sized by the file, not by `max` (the loader is read with a generous cap).
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode)) return {};
    size_t size = static_cast<size_t>(st.st_size);
    if (offset >= size) return {};
    std::string out(std::min(max, size - offset), '\0');
    size_t got = 0;
    while (got < out.size()) {
      ssize_t n =
          ::pread(fd.get(), out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
  }
  std::vector<std::string> ListDir(const std::string& path) const override {
    auto names = sys::ListDir(path);
    return names ? *names : std::vector<std::string>{};
  }
};

}  // namespace

const Fs& RealFs() {
  static const RealFsImpl fs;
  return fs;
}

}  // namespace hp::plan
