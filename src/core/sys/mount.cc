#include "core/sys/mount.h"

#include <sys/mount.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "core/sys/file.h"

namespace hp::sys {

std::string UnescapeMountPath(std::string_view f) {
  std::string out;
  out.reserve(f.size());
  for (size_t i = 0; i < f.size(); i++) {
    if (f[i] == '\\' && i + 3 < f.size() && f[i + 1] >= '0' && f[i + 1] <= '3' && f[i + 2] >= '0' &&
        f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
      out += static_cast<char>((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
      i += 3;
    } else {
      out += f[i];
    }
  }
  return out;
}

std::vector<std::string> MountPointsUnder(std::string_view mountinfo, const std::string& dir) {
  std::string base = dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < mountinfo.size()) {
    size_t nl = mountinfo.find('\n', pos);
    std::string_view line =
        mountinfo.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? mountinfo.size() : nl + 1;
    // id parent major:minor root mount-point ...
    size_t start = 0;
    std::string_view field;
    for (int i = 0; i < 5; i++) {
      size_t sp = line.find(' ', start);
      field =
          line.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
      if (sp == std::string_view::npos) {
        if (i < 4) field = {};
        break;
      }
      start = sp + 1;
    }
    if (field.empty()) continue;
    std::string mp = UnescapeMountPath(field);
    if (mp == base || (mp.size() > base.size() && mp.compare(0, base.size(), base) == 0 &&
                       mp[base.size()] == '/')) {
      out.push_back(std::move(mp));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

Status DetachMountsUnder(const std::string& dir) {
  // Stacked mounts on one point need one detach each: go until the table shows none.
  for (int round = 0; round < 16; round++) {
    ASSIGN_OR_RETURN(std::string info, ReadFile("/proc/self/mountinfo"));
    std::vector<std::string> mounts = MountPointsUnder(info, dir);
    if (mounts.empty()) return Ok();
    for (const std::string& m : mounts) {
      if (::umount2(m.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
        return SysErr("umount \"{}\"", m);
      }
    }
  }
  return Err(ErrorCode::kInternal, "mounts under \"{}\" remain after detaching", dir);
}

Status MountOverlay(const std::string& target, const std::string& data, unsigned long flags) {
  // Set only when a mount without the option worked after one with it was refused: an EINVAL
  // for another reason (a bad `data`) must not turn the option off for later mounts.
  static std::atomic<bool> refuses_volatile{false};
  if (!refuses_volatile.load(std::memory_order_relaxed)) {
    std::string with = data + ",volatile";
    if (::mount("overlay", target.c_str(), "overlay", flags, with.c_str()) == 0) return Ok();
    if (errno != EINVAL) return SysErr("mount overlay on \"{}\"", target);
    if (::mount("overlay", target.c_str(), "overlay", flags, data.c_str()) != 0) {
      return SysErr("mount overlay on \"{}\"", target);
    }
    refuses_volatile.store(true, std::memory_order_relaxed);
    return Ok();
  }
  if (::mount("overlay", target.c_str(), "overlay", flags, data.c_str()) != 0) {
    return SysErr("mount overlay on \"{}\"", target);
  }
  return Ok();
}

}  // namespace hp::sys
