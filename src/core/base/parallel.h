// hp/base: splitting CPU-bound work over the machine's cores.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace hp {

// The worker threads for `items` units of work when each thread should get at least
// `min_per_thread`: 1 for small work, else up to one per core (at most `max_threads`; 0: 8).
inline size_t WorkerCount(size_t items, size_t min_per_thread, size_t max_threads = 0) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t limit = max_threads == 0 ? std::min<size_t>(cores, 8) : max_threads;
  return std::max<size_t>(1, std::min(limit, items / std::max<size_t>(1, min_per_thread)));
}

// Calls work(k) for k in [0, workers), k > 0 on new threads and k = 0 on this one; returns when
// all are done. `work` must not throw.
inline void RunWorkers(size_t workers, const std::function<void(size_t)>& work) {
  if (workers <= 1) return work(0);
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (size_t k = 1; k < workers; k++) threads.emplace_back(work, k);
  work(0);
  for (auto& t : threads) t.join();
}

// Calls work(begin, end) over [0, items) in `workers` contiguous slices, in parallel.
inline void ParallelSlices(size_t items, size_t workers,
                           const std::function<void(size_t, size_t)>& work) {
  RunWorkers(workers, [&](size_t k) { work(items * k / workers, items * (k + 1) / workers); });
}

// One piece of work on a thread of its own, from construction until Take() (or the destructor)
// waits for it: for kernel work that can overlap with what the caller does next (a job's
// cgroups while the caller mounts the container volume). Without a thread to be had, the work
// runs in the constructor. What `work` uses must outlive this object; `work` must not throw.
template <typename T>
class Background {
 public:
  explicit Background(std::function<T()> work) : work_(std::move(work)) {
    try {
      thread_ = std::thread([this] { result_.emplace(work_()); });
    } catch (const std::system_error&) {
      result_.emplace(work_());
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  ~Background() {
    if (thread_.joinable()) thread_.join();
  }

  // The work's result, once it is done (call once).
  T Take() {
    if (thread_.joinable()) thread_.join();
    return std::move(*result_);
  }

 private:
  std::function<T()> work_;
  std::optional<T> result_;
  std::thread thread_;
};

}  // namespace hp
