// hp/sys: DirWatch over inotify (dir_watch.h).
#include "core/sys/dir_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <thread>
#include <utility>

#include "core/base/unique_fd.h"

namespace hp::sys {

namespace {
DirWatchEndHook g_end_hook = nullptr;

constexpr uint32_t kEvents = IN_ONLYDIR | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
                             IN_CLOSE_WRITE | IN_DELETE_SELF;

// Ends the inotify instance `fd` without waiting for it. The last close of an instance that had
// watches waits until the kernel has freed them, after an SRCU grace period
// (fsnotify_destroy_group): 0.1 ms mostly, but 10-17 ms for one `wait` in eight on the
// development VM, added to the end of the command. Here a grandchild that keeps nothing but the
// instance ends it: the vfork'd child borrows this process's memory (no copy) and only clones
// the grandchild and exits; the grandchild, a copy, closes every other descriptor, waits until
// this process has closed its own reference (the end of a pipe whose write end only this process
// keeps), and exits, reparented (init or the nearest subreaper reaps it): its close is the last
// and the wait is its own. Without the pipe the grandchild could be gone before this process's
// close, which then was the last and waited: 14.6 ms in one `wait` traced (thirteenth session).
// When no child can be made, the close here waits.
void EndWithoutWaiting(int fd) {
  int gate[2] = {-1, -1};
  if (::pipe2(gate, O_CLOEXEC) != 0) gate[0] = gate[1] = -1;
  unsigned keep[2] = {static_cast<unsigned>(fd), static_cast<unsigned>(gate[0])};
  if (gate[0] >= 0 && keep[1] < keep[0]) std::swap(keep[0], keep[1]);
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);  // no handler runs on the borrowed memory
  pid_t child = ::vfork();
  if (child == 0) {
    // Raw system calls only, until _exit.
    if (::syscall(SYS_clone, SIGCHLD, 0, nullptr, nullptr, 0) == 0) {
      // Everything but the instance and the gate's read end.
      unsigned from = 0;
      for (unsigned k : keep) {
        if (k == static_cast<unsigned>(-1)) continue;
        if (k > from) ::syscall(SYS_close_range, from, k - 1, 0U);
        from = k + 1;
      }
      ::syscall(SYS_close_range, from, UINT_MAX, 0U);
      if (gate[0] >= 0) {
        char c;
        while (::syscall(SYS_read, gate[0], &c, 1) < 0 && errno == EINTR) {  // 0 at its close
        }
      }
      ::syscall(SYS_exit_group, 0);
    }
    ::_exit(0);
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (child > 0) {
    int st = 0;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
  }
  if (g_end_hook) g_end_hook();
  ::close(fd);  // this process's reference (the instance itself if no grandchild took it)
  if (gate[1] >= 0) ::close(gate[1]);  // lets the grandchild go
  if (gate[0] >= 0) ::close(gate[0]);
}
}  // namespace

void SetDirWatchEndHookForTesting(DirWatchEndHook hook) { g_end_hook = hook; }

struct DirWatch::State {
  UniqueFd fd;
  std::vector<int> wds;  // per directory; -1 while not watched
  bool watched = false;  // a watch was ever added: the instance's end waits (EndWithoutWaiting)
};

DirWatch::DirWatch(std::vector<std::string> dirs)
    : dirs_(std::move(dirs)),
      state_(new State{UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)),
                       std::vector<int>(dirs_.size(), -1)}) {
  AddMissing();
}

DirWatch::~DirWatch() {
  if (state_->watched) EndWithoutWaiting(state_->fd.release());
}

void DirWatch::AddMissing() {
  if (state_->fd.get() < 0) return;
  for (size_t i = 0; i < dirs_.size(); i++) {
    if (state_->wds[i] < 0) {
      state_->wds[i] = ::inotify_add_watch(state_->fd.get(), dirs_[i].c_str(), kEvents);
      state_->watched |= state_->wds[i] >= 0;
    }
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
