// hp/sys: DirWatch over inotify (dir_watch.h).
#include "core/sys/dir_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "core/base/unique_fd.h"

namespace hp::sys {

namespace {
constexpr uint32_t kEvents = IN_ONLYDIR | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
                             IN_CLOSE_WRITE | IN_DELETE_SELF;
}  // namespace

struct DirWatch::State {
  UniqueFd fd;
  std::vector<int> wds;  // per directory; -1 while not watched
};

DirWatch::DirWatch(std::vector<std::string> dirs)
    : dirs_(std::move(dirs)),
      state_(new State{UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)),
                       std::vector<int>(dirs_.size(), -1)}) {
  AddMissing();
}

DirWatch::~DirWatch() = default;

void DirWatch::AddMissing() {
  if (state_->fd.get() < 0) return;
  for (size_t i = 0; i < dirs_.size(); i++) {
    if (state_->wds[i] < 0)
      state_->wds[i] = ::inotify_add_watch(state_->fd.get(), dirs_[i].c_str(), kEvents);
  }
}

bool DirWatch::Wait(std::chrono::milliseconds at_most) {
  const int fd = state_->fd.get();
  if (fd < 0) {
    std::this_thread::sleep_for(at_most);
    return false;
  }
  AddMissing();  // made since the last wait
  pollfd p{fd, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, at_most.count())));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  // Drained whole: the caller looks again, whatever changed. A directory whose watch ended
  // (removed) is watched again when it is back.
  alignas(inotify_event) char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if (e->mask & IN_IGNORED) std::replace(state_->wds.begin(), state_->wds.end(), e->wd, -1);
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return true;
}

}  // namespace hp::sys
