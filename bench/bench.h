// The benches' shared helpers: a monotonic clock, milliseconds, and order statistics.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace hp::bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The middle value (the mean of the two middle ones for an even count); 0 for none.
inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nearest rank: the smallest value with at least q of them at or below it; 0 for none.
inline double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// Runs `argv` (argv[0] looked up in PATH) and waits; its exit code, 128 + signal, 127 when it
// cannot be run, -1 when fork (or the pipe) fails. `quiet`: stdout and stderr on /dev/null.
// `out`: stdout is captured into it instead (stderr still follows `quiet`). `extra_env`: "K=V"
// added to the command's environment.
inline int RunCommand(const std::vector<std::string>& argv, bool quiet = false,
                      std::string* out = nullptr, const std::vector<std::string>& extra_env = {}) {
  int p[2] = {-1, -1};
  if (out && ::pipe2(p, O_CLOEXEC) < 0) return -1;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (out) {
      ::dup2(p[1], 1);
    } else if (quiet) {
      ::dup2(null, 1);
    }
    if (quiet) ::dup2(null, 2);
    for (const auto& e : extra_env) ::putenv(const_cast<char*>(e.c_str()));
    ::execvp(args[0], args.data());
    _exit(127);
  }
  if (out) {
    ::close(p[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0) out->append(buf, static_cast<size_t>(n));
    }
    ::close(p[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace hp::bench
