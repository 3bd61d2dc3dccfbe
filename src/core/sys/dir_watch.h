// hp/sys: wakes a waiter when the entries of some directories change (Linux: inotify), so that
// a command waiting for the node's state (`wait`) looks again at once instead of on a timer.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"

namespace hp::sys {

class DirWatch {
 public:
  // Watches `dirs`: an entry made, removed, renamed in or out, or written and closed. A directory
  // that does not exist (yet), or that was removed, is watched again from the next Wait that
  // finds it: watch its parent too to be woken when it is made.
  explicit DirWatch(std::vector<std::string> dirs);
  // Returns true once something changed since the last Wait (or since the watch was made),
  // false after `at_most` without a change. Without inotify it sleeps `at_most`.
  bool Wait(std::chrono::milliseconds at_most);

 private:
  void AddMissing();
  UniqueFd fd_;
  std::vector<std::string> dirs_;
  std::vector<int> wds_;  // per directory; -1 while not watched
};

}  // namespace hp::sys
