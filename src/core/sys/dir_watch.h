// hp/sys: wakes a waiter when the entries of some directories change (Linux: inotify; Windows:
// change notifications, windows/dir_watch.cc), so that a command waiting for the node's state
// (`wait`) looks again at once instead of on a timer.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hp::sys {

class DirWatch {
 public:
  // Watches `dirs`: an entry made, removed, renamed in or out, or written and closed. A directory
  // that does not exist (yet), or that was removed, is watched again from the next Wait that
  // finds it: watch its parent too to be woken when it is made.
  // Windows: each directory is watched with everything below it, through a handle that keeps
  // a removed directory's name taken until the watch ends: watch a parent that stays instead.
  explicit DirWatch(std::vector<std::string> dirs);
  // Linux: the instance is ended by a short-lived grandchild, so that this process does not wait
  // for the kernel's teardown of its watches (up to 17 ms measured; dir_watch.cc).
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;
  // Returns true once something changed since the last Wait (or since the watch was made),
  // false after `at_most` without a change. Where the system cannot watch, it sleeps `at_most`.
  bool Wait(std::chrono::milliseconds at_most);

 private:
  struct State;  // the platform's handles
  void AddMissing();
  std::vector<std::string> dirs_;
  std::unique_ptr<State> state_;
};

#ifndef _WIN32
// Test seam: called in DirWatch's end after the grandchild that ends the instance was made and
// before this process closes its own reference (null: none).
using DirWatchEndHook = void (*)();
void SetDirWatchEndHookForTesting(DirWatchEndHook hook);
#endif

}  // namespace hp::sys
