// hp/sys: DirWatch over inotify (dir_watch.h).
#include "core/sys/dir_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace hp::sys {

namespace {
constexpr uint32_t kEvents = IN_ONLYDIR | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
                             IN_CLOSE_WRITE | IN_DELETE_SELF;
}  // namespace

DirWatch::DirWatch(std::vector<std::string> dirs)
    : fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)),
      dirs_(std::move(dirs)),
      wds_(dirs_.size(), -1) {
  AddMissing();
}

void DirWatch::AddMissing() {
  if (fd_.get() < 0) return;
  for (size_t i = 0; i < dirs_.size(); i++) {
    if (wds_[i] < 0) wds_[i] = ::inotify_add_watch(fd_.get(), dirs_[i].c_str(), kEvents);
  }
}

bool DirWatch::Wait(std::chrono::milliseconds at_most) {
  if (fd_.get() < 0) {
    std::this_thread::sleep_for(at_most);
    return false;
  }
  AddMissing();  // made since the last wait
  pollfd p{fd_.get(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, at_most.count())));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  // Drained whole: the caller looks again, whatever changed. A directory whose watch ended
  // (removed) is watched again when it is back.
  alignas(inotify_event) char buf[4096];
  ssize_t n;
  while ((n = ::read(fd_.get(), buf, sizeof buf)) > 0) {
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if (e->mask & IN_IGNORED) std::replace(wds_.begin(), wds_.end(), e->wd, -1);
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return true;
}

}  // namespace hp::sys
