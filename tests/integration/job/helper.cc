// Test helper for the job/launch integration tests: small misbehaving programs.
//   hog                 allocate and touch memory until killed
//   forkbomb            fork sleeping children until fork fails; print "limited <n>"
//   daemon              double-fork + setsid; the grandchild prints its pid and sleeps
//   ignore-term         ignore SIGTERM, print "ready", sleep
//   spin <ms>           burn CPU for <ms> milliseconds, touching 8 MiB
//   cgroup              print /proc/self/cgroup
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string mode = argv[1];
  if (mode == "hog") {
    std::vector<char*> blocks;
    while (true) {
      char* p = static_cast<char*>(std::malloc(1 << 20));
      if (!p) return 3;
      std::memset(p, 1, 1 << 20);
      blocks.push_back(p);
    }
  }
  if (mode == "forkbomb") {
    int n = 0;
    for (; n < 10000; ++n) {
      pid_t p = fork();
      if (p < 0) break;
      if (p == 0) {
        pause();
        _exit(0);
      }
    }
    std::printf("limited %d\n", n);
    std::fflush(stdout);
    pause();
    return 0;
  }
  if (mode == "daemon") {
    pid_t p = fork();
    if (p < 0) return 3;
    if (p > 0) {
      waitpid(p, nullptr, 0);
      return 0;
    }
    setsid();
    if (fork() != 0) _exit(0);
    std::printf("%d\n", getpid());
    std::fflush(stdout);
    while (true) pause();
  }
  if (mode == "ignore-term") {
    signal(SIGTERM, SIG_IGN);
    std::printf("ready\n");
    std::fflush(stdout);
    while (true) pause();
  }
  if (mode == "spin") {
    // Until this process has used MS of CPU (not of wall time: on a loaded machine a wall-clock
    // spin got only a few ms of CPU), or 60 s of wall time have gone (then exit 4).
    int ms = argc > 2 ? std::atoi(argv[2]) : 100;
    std::vector<char> mem(8 << 20, 1);
    auto cpu_ns = [] {
      timespec t{};
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
      return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    };
    const int64_t target = cpu_ns() + int64_t{ms} * 1'000'000;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    volatile unsigned x = 0;
    while (cpu_ns() < target) {
      if (std::chrono::steady_clock::now() > give_up) return 4;
      for (int i = 0; i < 100000; ++i) x = x + static_cast<unsigned>(mem[static_cast<size_t>(i)]);
    }
    return 0;
  }
  if (mode == "cgroup") {
    FILE* f = std::fopen("/proc/self/cgroup", "r");
    if (!f) return 3;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) std::fwrite(buf, 1, n, stdout);
    return 0;
  }
  return 2;
}
