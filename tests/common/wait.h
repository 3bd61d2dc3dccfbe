// tests: waiting for a condition instead of for a time (docs/ci.md: tests must not depend on the
// machine's speed).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace hp::testing {

// Polls `pred` every `step_ms` until it holds or `timeout_ms` have gone; its last answer.
inline bool WaitFor(const std::function<bool()>& pred, int timeout_ms, int step_ms = 50) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  return pred();
}

}  // namespace hp::testing
