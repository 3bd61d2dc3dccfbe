// hp/sys: DirWatch over change notifications (dir_watch.h), Windows. Each directory is watched
// with its subtree (FindFirstChangeNotificationW): a file made, removed, renamed or written
// anywhere below it signals its handle, which is armed again after each Wait that saw it.
#include "core/sys/dir_watch.h"

#include <windows.h>

#include <algorithm>
#include <thread>

#include "core/sys/windows/wide.h"

namespace hp::sys {

namespace {
constexpr DWORD kChanges =
    FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE;
}  // namespace

struct DirWatch::State {
  std::vector<HANDLE> handles;  // per directory; INVALID_HANDLE_VALUE while not watched
  ~State() {
    for (HANDLE h : handles)
      if (h != INVALID_HANDLE_VALUE) FindCloseChangeNotification(h);
  }
};

DirWatch::DirWatch(std::vector<std::string> dirs)
    : dirs_(std::move(dirs)),
      state_(new State{std::vector<HANDLE>(dirs_.size(), INVALID_HANDLE_VALUE)}) {
  AddMissing();
}

DirWatch::~DirWatch() = default;

void DirWatch::AddMissing() {
  for (size_t i = 0; i < dirs_.size(); i++) {
    HANDLE& h = state_->handles[i];
    if (h == INVALID_HANDLE_VALUE)
      h = FindFirstChangeNotificationW(Widen(dirs_[i]).c_str(), TRUE, kChanges);
  }
}

bool DirWatch::Wait(std::chrono::milliseconds at_most) {
  AddMissing();  // made since the last wait
  std::vector<HANDLE> live;
  for (HANDLE h : state_->handles)
    if (h != INVALID_HANDLE_VALUE) live.push_back(h);
  if (live.empty() || live.size() > MAXIMUM_WAIT_OBJECTS) {
    std::this_thread::sleep_for(at_most);
    return false;
  }
  DWORD ms = static_cast<DWORD>(std::clamp<int64_t>(at_most.count(), 0, INFINITE - 1));
  DWORD r = WaitForMultipleObjects(static_cast<DWORD>(live.size()), live.data(), FALSE, ms);
  if (r == WAIT_FAILED) {  // as without a watch: the caller looks again after `at_most`
    std::this_thread::sleep_for(at_most);
    return false;
  }
  if (r >= WAIT_OBJECT_0 + live.size()) return false;  // timed out
  // Each signalled handle is armed again; one that cannot be (its directory went) is dropped and
  // made again when the directory is back.
  for (HANDLE& h : state_->handles) {
    if (h == INVALID_HANDLE_VALUE || WaitForSingleObject(h, 0) != WAIT_OBJECT_0) continue;
    if (!FindNextChangeNotification(h)) {
      FindCloseChangeNotification(h);
      h = INVALID_HANDLE_VALUE;
    }
  }
  return true;
}

}  // namespace hp::sys
