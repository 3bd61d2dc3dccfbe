// The node agent as a user drives it: the built `hostprocess` binary with its own --root (a temp
// dir holding the example busybox image) and its own relative --cgroup-root (under this
// process's cgroups). Prints:
//   - apply -> Running of 1 pod (and apply + `wait --for=condition=Ready` of it), then of 100
//     pods in one multi-document manifest (one apply);
//   - the memory of the 100 pods' supervisors (/proc/PID/smaps_rollup: Rss, Pss, Private);
//   - `get pods` (20 runs), `get pods -o json`, `get pod NAME` and `get pods -o name` with 200
//     pods, and the apply (new and unchanged) and delete of one more pod;
//   - delete of everything, then checks nothing is left (run/pods, the cgroup root).
//
//   bench_agent [HOSTPROCESS_BINARY]
//
// Needs root. Links no hp_* library: everything goes through the CLI. Whatever happens, a
// cleanup routine deletes the pods, kills what is left, removes the bench's own cgroup dirs and
// the temp dir.
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "core/sys/file.h"

namespace {

namespace fs = std::filesystem;
using hp::bench::Clock;
using hp::bench::Median;
using hp::bench::Ms;
using hp::bench::Percentile;

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

std::string ReadOr(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  return static_cast<bool>(out);
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> w;
  std::istringstream in(line);
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

struct CmdResult {
  int rc = -1;
  std::string out, err;
  double ms = 0;
};

std::string Quote(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\"'\\$*?;&|<>()") == std::string::npos;
    s += plain ? a : "'" + a + "'";
  }
  return s;
}

class Bench {
 public:
  Bench(std::string bin, std::string root, std::string job_root)
      : bin_(std::move(bin)), root_(std::move(root)), cg_(std::move(job_root)) {}
  ~Bench() { Cleanup(); }

  const std::string& root() const { return root_; }
  const std::string& job_root() const { return cg_; }
  std::vector<std::string>& manifests() { return manifests_; }

  // Runs argv (argv[0] a path) in `cwd`, stdin /dev/null, stdout/stderr through files under the
  // root (nothing a detached supervisor could keep open).
  CmdResult Run(const std::vector<std::string>& argv, const std::string& cwd = "") {
    std::string base = root_ + "/cli/" + std::to_string(++runs_);
    std::string out_path = base + ".out", err_path = base + ".err";
    CmdResult r;
    auto t0 = Clock::now();
    pid_t pid = ::fork();
    if (pid < 0) {
      r.err = std::string("fork: ") + std::strerror(errno);
      return r;
    }
    if (pid == 0) {
      if (!cwd.empty() && ::chdir(cwd.c_str()) < 0) ::_exit(126);
      std::FILE* in = std::fopen("/dev/null", "r");
      std::FILE* out = std::fopen(out_path.c_str(), "w");
      std::FILE* err = std::fopen(err_path.c_str(), "w");
      if (!in || !out || !err) ::_exit(126);
      ::dup2(::fileno(in), 0);
      ::dup2(::fileno(out), 1);
      ::dup2(::fileno(err), 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.ms = Ms(Clock::now() - t0);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r.out = ReadOr(out_path);
    r.err = ReadOr(err_path);
    std::error_code ec;
    fs::remove(out_path, ec);
    fs::remove(err_path, ec);
    return r;
  }

  // `hostprocess --root ROOT ARGS...`
  CmdResult Hp(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {bin_, "--root", root_};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }

  // Prints a failed CLI command exactly (the command line, exit code, stdout, stderr).
  static void Report(const std::vector<std::string>& argv, const CmdResult& r) {
    std::fprintf(stderr, "bench_agent: command failed (exit %d): %s\n", r.rc, Quote(argv).c_str());
    if (!r.out.empty()) std::fprintf(stderr, "--- stdout\n%s", r.out.c_str());
    if (!r.err.empty()) std::fprintf(stderr, "--- stderr\n%s", r.err.c_str());
  }

  bool HpOk(const std::vector<std::string>& args, CmdResult* result = nullptr) {
    CmdResult r = Hp(args);
    bool ok = r.rc == 0;
    if (!ok) {
      std::vector<std::string> argv = {bin_, "--root", root_};
      argv.insert(argv.end(), args.begin(), args.end());
      Report(argv, r);
    }
    if (result) *result = std::move(r);
    return ok;
  }

  // name -> STATUS column of `get pods --no-headers` (empty map and false when it fails).
  bool PodStatuses(std::map<std::string, std::string>* out, CmdResult* result = nullptr) {
    CmdResult r;
    out->clear();
    if (!HpOk({"get", "pods", "--no-headers"}, &r)) return false;
    for (const auto& l : Lines(r.out)) {
      auto w = Words(l);
      if (w.size() >= 3) (*out)[w[0]] = w[2];
    }
    if (result) *result = std::move(r);
    return true;
  }

  // Polls `get pods` until every name in `names` is Running; returns false on timeout, on a
  // failed `get pods` or a signal, after printing where the pods were.
  bool WaitRunning(const std::vector<std::string>& names, int timeout_ms, int poll_ms, int* polls) {
    auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::map<std::string, std::string> st;
    *polls = 0;
    while (!g_stop) {
      ++*polls;
      if (!PodStatuses(&st)) return false;
      size_t running = 0;
      for (const auto& n : names) {
        auto it = st.find(n);
        running += it != st.end() && it->second == "Running";
      }
      if (running == names.size()) return true;
      if (Clock::now() > end) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
    std::map<std::string, int> by_status;
    for (const auto& n : names) {
      auto it = st.find(n);
      by_status[it == st.end() ? "<missing>" : it->second]++;
    }
    std::fprintf(stderr, "bench_agent: %s waiting for %zu pods to be Running:",
                 g_stop ? "interrupted" : "timed out", names.size());
    for (const auto& [s, n] : by_status) std::fprintf(stderr, " %s=%d", s.c_str(), n);
    std::fprintf(stderr, "\n");
    return false;
  }

  std::vector<std::string> PodDirs() const {
    std::vector<std::string> keys;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_ + "/run/pods", ec))
      keys.push_back(e.path().filename().string());
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  // The bench's own cgroup roots: <mount>/<this process's cgroup in it>/<cgroup root>, for every
  // hierarchy mounted under /sys/fs/cgroup (or /sys/fs/cgroup itself on a cgroup2-only host).
  std::vector<std::string> CgroupRootDirs() const {
    std::set<std::string> self_paths;
    for (const auto& l : Lines(ReadOr("/proc/self/cgroup"))) {
      auto second = l.find(':', l.find(':') + 1);
      if (second != std::string::npos) self_paths.insert(l.substr(second + 1));
    }
    std::vector<std::string> mounts = {"/sys/fs/cgroup"};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/sys/fs/cgroup", ec))
      if (e.is_directory(ec) && !e.is_symlink(ec)) mounts.push_back(e.path().string());
    std::set<std::string> dirs;
    for (const auto& m : mounts)
      for (const auto& p : self_paths) {
        std::string d = fs::path(m + "/" + p + "/" + cg_).lexically_normal().string();
        struct stat sb;
        if (::stat(d.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) dirs.insert(d);
      }
    return {dirs.begin(), dirs.end()};
  }

  // Subdirectories left under the cgroup roots (pods' and containers' jobs), deepest first.
  static std::vector<std::string> CgroupSubdirs(const std::string& dir) {
    std::vector<std::string> subs;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) subs.push_back(it->path().string());
    }
    std::sort(subs.begin(), subs.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return subs;
  }

  // Mount points under the root, deepest first.
  std::vector<std::string> MountsUnderRoot() const {
    std::vector<std::string> out;
    for (const auto& l : Lines(ReadOr("/proc/self/mountinfo"))) {
      auto w = Words(l);
      if (w.size() < 5) continue;
      std::string mp;
      for (size_t i = 0; i < w[4].size(); ++i) {  // \040 etc.
        if (w[4][i] == '\\' && i + 3 < w[4].size()) {
          mp += static_cast<char>(std::strtol(w[4].substr(i + 1, 3).c_str(), nullptr, 8));
          i += 3;
        } else {
          mp += w[4][i];
        }
      }
      if (mp == root_ || mp.rfind(root_ + "/", 0) == 0) out.push_back(mp);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

  // Deletes whatever is left, kills what survives that, removes the bench's own cgroup dirs and
  // the temp dir. Runs once, on success or failure.
  void Cleanup() {
    if (cleaned_) return;
    cleaned_ = true;
    bool dirty = false;
    if (!PodDirs().empty()) {
      dirty = true;
      std::fprintf(stderr, "bench_agent: cleanup: %zu pods left, deleting them\n",
                   PodDirs().size());
      for (const auto& m : manifests_) (void)HpOk({"delete", "-f", m, "--ignore-not-found"});
    }
    for (const auto& key : PodDirs()) {  // still there: kill its supervisor
      dirty = true;
      try {
        auto j = nlohmann::json::parse(ReadOr(root_ + "/run/pods/" + key + "/status.json"));
        int pid = j.value("supervisorPid", 0);
        // Either supervisor form (hostprocess-supervisor ROOT KEY, or hostprocess --root ROOT
        // __supervise KEY) names this root and the pod's key.
        std::string cmdline = ReadOr("/proc/" + std::to_string(pid) + "/cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (pid > 0 && cmdline.find(" " + root_ + " ") != std::string::npos &&
            cmdline.find(" " + key) != std::string::npos) {
          std::fprintf(stderr, "bench_agent: cleanup: killing supervisor %d of %s\n", pid,
                       key.c_str());
          ::kill(pid, SIGKILL);
        }
      } catch (...) {
      }
    }
    for (const auto& dir : CgroupRootDirs()) {
      for (const auto& sub : CgroupSubdirs(dir)) {  // jobs left behind: kill, then remove
        dirty = true;
        std::fprintf(stderr, "bench_agent: cleanup: cgroup left behind: %s\n", sub.c_str());
        for (int attempt = 0; attempt < 50; ++attempt) {
          auto procs = Words(ReadOr(sub + "/cgroup.procs"));
          for (const auto& p : procs) ::kill(std::atoi(p.c_str()), SIGKILL);
          if (::rmdir(sub.c_str()) == 0 || errno == ENOENT) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
      if (::rmdir(dir.c_str()) != 0) {
        dirty = true;
        std::fprintf(stderr, "bench_agent: cleanup: rmdir %s: %s\n", dir.c_str(),
                     std::strerror(errno));
      }
    }
    auto mounts = MountsUnderRoot();
    for (const auto& m : mounts) {
      dirty = true;
      std::fprintf(stderr, "bench_agent: cleanup: mount left behind: %s\n", m.c_str());
      ::umount2(m.c_str(), MNT_DETACH);
    }
    if (!MountsUnderRoot().empty()) {
      std::fprintf(stderr, "bench_agent: cleanup: mounts remain under %s: not removing it\n",
                   root_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
    if (ec) {
      std::fprintf(stderr, "bench_agent: cleanup: remove %s: %s\n", root_.c_str(),
                   ec.message().c_str());
    }
    if (dirty) std::fprintf(stderr, "bench_agent: cleanup: done\n");
  }

 private:
  std::string bin_, root_, cg_;
  std::vector<std::string> manifests_;
  int runs_ = 0;
  bool cleaned_ = false;
};

std::string PodYaml(const std::string& name) {
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: " +
         name +
         "}\n"
         "spec:\n"
         "  hostNetwork: true\n"
         "  terminationGracePeriodSeconds: 1\n"
         "  securityContext: {windowsOptions: {hostProcess: true, runAsUserName: \"NT "
         "AUTHORITY\\\\SYSTEM\"}}\n"
         "  containers:\n"
         "  - name: c\n"
         "    image: hostprocess.local/busybox:latest\n"
         "    command: [sleep, \"3600\"]\n";
}

std::vector<std::string> PodNames(int from, int to) {
  std::vector<std::string> names;
  for (int i = from; i < to; ++i) names.push_back("p" + std::to_string(i));
  return names;
}

std::string Manifest(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : "---\n") + PodYaml(n);
  return s;
}

// kB fields of /proc/PID/smaps_rollup.
std::map<std::string, double> SmapsRollup(int pid) {
  std::map<std::string, double> m;
  for (const auto& l : Lines(ReadOr("/proc/" + std::to_string(pid) + "/smaps_rollup"))) {
    auto w = Words(l);
    if (w.size() == 3 && w[2] == "kB" && w[0].back() == ':') {
      m[w[0].substr(0, w[0].size() - 1)] = std::atof(w[1].c_str());
    }
  }
  return m;
}

// The moment the node records a pod Running: a thread, woken by inotify at each file written in
// the node's pod directory and in the pod's own, reads the pod's status file ("phase"). Made
// before the apply, so that it misses nothing; it sees the state itself, where a poll of
// `get pods` adds up to its period and a `get` to the figure.
class RunningWatch {
 public:
  RunningWatch(std::string pods_dir, std::string key)
      : pods_dir_(std::move(pods_dir)), key_(std::move(key)), thread_([this] { Loop(); }) {}
  ~RunningWatch() {
    stop_ = true;
    thread_.join();
  }
  // When the pod was seen Running, or nothing after `timeout_ms` (this thread sleeps meanwhile:
  // no CPU taken from the commands measured).
  std::optional<Clock::time_point> Wait(int timeout_ms) {
    auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::unique_lock<std::mutex> lock(mu_);
    while (!seen_ && !g_stop && Clock::now() < end)  // a signal is seen within 100 ms
      seen_cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (!seen_) return std::nullopt;
    return at_;
  }

 private:
  bool Running() const {
    std::string text = ReadOr(pods_dir_ + "/" + key_ + "/status.json");
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_object() && j.value("phase", "") == "Running";
  }
  void Loop() {
    int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0) return;
    const uint32_t events = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE;
    ::inotify_add_watch(fd, pods_dir_.c_str(), events);
    int pod_wd = -1;
    while (!stop_) {
      if (pod_wd < 0) pod_wd = ::inotify_add_watch(fd, (pods_dir_ + "/" + key_).c_str(), events);
      if (pod_wd >= 0 && Running()) {  // looked at after the watch: nothing missed
        std::lock_guard<std::mutex> lock(mu_);
        at_ = Clock::now();
        seen_ = true;
        seen_cv_.notify_all();
        break;
      }
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 20);
      alignas(inotify_event) char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    }
    ::close(fd);
  }
  std::string pods_dir_, key_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable seen_cv_;
  bool seen_ = false;  // under mu_, with at_
  Clock::time_point at_;
  std::thread thread_;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_agent: %s\n", what.c_str());
  return 1;
}

int RunBench(Bench& b, const std::string& bin) {
  // 1. The example image.
  std::vector<std::string> image_cmd = {
      "/bin/bash", "scripts/build-example-image.sh", "--root", b.root(), "--hostprocess", bin};
  CmdResult img = b.Run(image_cmd, HP_SOURCE_DIR);
  if (img.rc != 0) {
    Bench::Report(image_cmd, img);
    return Fail("importing the example image failed");
  }
  std::printf("image import (build-example-image.sh): %.0f ms\n", img.ms);

  const int kPollOneMs = 10, kPollManyMs = 100;
  int polls = 0;
  CmdResult r;

  // 2. One pod, kOneRounds times each way: medians.
  std::string one = b.root() + "/manifest-one.yaml";
  if (!WriteFile(one, PodYaml("solo"))) return Fail("write " + one);
  b.manifests().push_back(one);
  const int kOneRounds = 7;
  std::vector<double> running, applied, deleted, with_wait, waited;
  for (int i = 0; i < kOneRounds; i++) {
    std::optional<Clock::time_point> at;
    auto t0 = Clock::now();
    {
      RunningWatch watch(b.root() + "/run/pods", "default_solo");
      t0 = Clock::now();
      if (!b.HpOk({"apply", "-f", one, "--cgroup-root", b.job_root()}, &r)) return 1;
      applied.push_back(r.ms);
      at = watch.Wait(60000);
    }
    if (!at) return Fail("pod solo: not Running after 60 s");
    running.push_back(Ms(*at - t0));
    if (i == 0) {  // as a script that polls would see it, once
      if (!b.HpOk({"delete", "pod", "solo"}, &r)) return 1;
      t0 = Clock::now();
      if (!b.HpOk({"apply", "-f", one, "--cgroup-root", b.job_root()}, &r)) return 1;
      if (!b.WaitRunning({"solo"}, 60000, kPollOneMs, &polls)) return 1;
      std::printf("1 pod: apply -> Running seen by `get pods` every %d ms: %.1f ms (%d polls)\n",
                  kPollOneMs, Ms(Clock::now() - t0), polls);
    }
    if (!b.HpOk({"delete", "pod", "solo"}, &r)) return 1;
    deleted.push_back(r.ms);
    // The same as a script would: apply, then `wait --for=condition=Ready` (kubectl's way), which
    // wakes at each write of the pod's state rather than polling.
    t0 = Clock::now();
    if (!b.HpOk({"apply", "-f", one, "--cgroup-root", b.job_root()}, &r)) return 1;
    if (!b.HpOk({"wait", "--for=condition=Ready", "pod/solo", "--timeout", "60s"}, &r)) return 1;
    with_wait.push_back(Ms(Clock::now() - t0));
    waited.push_back(r.ms);
    if (!b.HpOk({"delete", "pod", "solo"}, &r)) return 1;
  }
  std::printf(
      "1 pod: apply -> Running %.1f ms (median of %d; max %.1f; seen in the pod's state; apply "
      "returned after %.1f ms)\n",
      Median(running), kOneRounds, *std::max_element(running.begin(), running.end()),
      Median(applied));
  std::printf("1 pod: delete pod %.1f ms (median of %d)\n", Median(deleted), kOneRounds);
  std::printf(
      "1 pod: apply + wait --for=condition=Ready %.1f ms (median of %d; max %.1f; wait %.1f "
      "ms)\n",
      Median(with_wait), kOneRounds, *std::max_element(with_wait.begin(), with_wait.end()),
      Median(waited));

  // 3. 100 pods, one manifest, one apply.
  auto first = PodNames(0, 100);
  std::string many = b.root() + "/manifest-100.yaml";
  if (!WriteFile(many, Manifest(first))) return Fail("write " + many);
  b.manifests().push_back(many);
  auto t0 = Clock::now();
  if (!b.HpOk({"apply", "-f", many, "--cgroup-root", b.job_root()}, &r)) return 1;
  double apply_ms = r.ms;
  if (!b.WaitRunning(first, 600000, kPollManyMs, &polls)) return 1;
  double running_ms = Ms(Clock::now() - t0);
  std::printf(
      "100 pods: apply -> all Running %.0f ms, %.1f ms/pod (apply returned after %.0f "
      "ms; %d polls, %d ms apart)\n",
      running_ms, running_ms / 100, apply_ms, polls, kPollManyMs);

  // 4. The supervisors' memory.
  std::vector<double> rss, pss, priv, dirty;
  for (const auto& n : first) {
    std::string path = b.root() + "/run/pods/default_" + n + "/status.json";
    int pid = 0;
    try {
      pid = nlohmann::json::parse(ReadOr(path)).value("supervisorPid", 0);
    } catch (const std::exception& e) {
      return Fail(path + ": " + e.what());
    }
    if (pid <= 0) return Fail(path + ": no supervisorPid");
    auto m = SmapsRollup(pid);
    if (!m.count("Rss")) return Fail("no smaps_rollup for supervisor " + std::to_string(pid));
    rss.push_back(m["Rss"]);
    pss.push_back(m["Pss"]);
    priv.push_back(m["Private_Clean"] + m["Private_Dirty"]);
    dirty.push_back(m["Private_Dirty"]);
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  auto max = [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); };
  std::printf(
      "supervisor memory (%zu supervisors, KiB each): Rss mean %.0f max %.0f | Pss mean "
      "%.0f max %.0f | Private mean %.0f max %.0f | Private_Dirty mean %.0f\n",
      rss.size(), mean(rss), max(rss), mean(pss), max(pss), mean(priv), max(priv), mean(dirty));
  std::printf("supervisor memory, all %zu: Pss %.1f MiB, Private %.1f MiB\n", pss.size(),
              mean(pss) * static_cast<double>(pss.size()) / 1024,
              mean(priv) * static_cast<double>(priv.size()) / 1024);

  // 5. 100 more: 200 pods.
  auto second = PodNames(100, 200);
  std::string more = b.root() + "/manifest-200.yaml";
  if (!WriteFile(more, Manifest(second))) return Fail("write " + more);
  b.manifests().push_back(more);
  t0 = Clock::now();
  if (!b.HpOk({"apply", "-f", more, "--cgroup-root", b.job_root()}, &r)) return 1;
  apply_ms = r.ms;
  if (!b.WaitRunning(PodNames(0, 200), 600000, kPollManyMs, &polls)) return 1;
  running_ms = Ms(Clock::now() - t0);
  std::printf(
      "100 more pods (200 running): apply -> all Running %.0f ms, %.1f ms/pod (apply "
      "returned after %.0f ms)\n",
      running_ms, running_ms / 100, apply_ms);

  std::vector<double> get_ms;
  for (int i = 0; i < 20 && !g_stop; ++i) {
    std::map<std::string, std::string> st;
    if (!b.PodStatuses(&st, &r)) return 1;
    if (st.size() != 200) return Fail("get pods listed " + std::to_string(st.size()) + " pods");
    get_ms.push_back(r.ms);
  }
  if (g_stop) return Fail("interrupted");
  std::printf(
      "get pods, 200 pods (20 runs): median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f "
      "ms\n",
      Median(get_ms), Percentile(get_ms, 0.9), *std::min_element(get_ms.begin(), get_ms.end()),
      max(get_ms));
  if (!b.HpOk({"get", "pods", "-o", "json"}, &r)) return 1;
  size_t items = 0;
  try {
    items = nlohmann::json::parse(r.out).at("items").size();
  } catch (const std::exception& e) {
    return Fail(std::string("get pods -o json: ") + e.what());
  }
  std::printf("get pods -o json, 200 pods: %.1f ms (%zu items, %zu bytes)\n", r.ms, items,
              r.out.size());
  // What scripts and `watch` loops ask on a busy node: one pod by name, every pod's name.
  std::vector<double> one_ms, names_ms;
  for (int i = 0; i < 10 && !g_stop; i++) {
    if (!b.HpOk({"get", "pod", "p150", "--no-headers"}, &r)) return 1;
    if (r.out.rfind("p150 ", 0) != 0) return Fail("get pod p150 printed: " + r.out);
    one_ms.push_back(r.ms);
    if (!b.HpOk({"get", "pods", "-o", "name"}, &r)) return 1;
    if (Lines(r.out).size() != 200) return Fail("get pods -o name: not 200 lines");
    names_ms.push_back(r.ms);
  }
  if (g_stop) return Fail("interrupted");
  std::printf("get pod NAME, 200 pods (10 runs): median %.1f ms\n", Median(one_ms));
  std::printf("get pods -o name, 200 pods (10 runs): median %.1f ms\n", Median(names_ms));

  // One more pod on the busy node: each apply and delete reconciles all 200 pods.
  std::string extra = b.root() + "/extra.yaml";
  if (!WriteFile(extra, PodYaml("extra"))) return Fail("write " + extra);
  b.manifests().push_back(extra);
  std::vector<double> add_ms, same_ms, del_ms;
  for (int i = 0; i < 5 && !g_stop; i++) {
    if (!b.HpOk({"apply", "-f", extra, "--cgroup-root", b.job_root()}, &r)) return 1;
    add_ms.push_back(r.ms);
    if (!b.HpOk({"apply", "-f", extra, "--cgroup-root", b.job_root()}, &r)) return 1;
    same_ms.push_back(r.ms);
    if (!b.HpOk({"delete", "pod", "extra"}, &r)) return 1;
    del_ms.push_back(r.ms);
  }
  if (g_stop) return Fail("interrupted");
  std::printf(
      "1 pod more on 200 (5 runs, medians): apply %.1f ms, apply unchanged %.1f ms, delete "
      "%.1f ms\n",
      Median(add_ms), Median(same_ms), Median(del_ms));

  // 6. Delete everything, one delete -f per manifest.
  for (const auto& m : {many, more}) {
    if (!b.HpOk({"delete", "-f", m}, &r)) return 1;
    std::printf("delete -f %s (100 pods): %.0f ms, %.1f ms/pod\n", fs::path(m).filename().c_str(),
                r.ms, r.ms / 100);
  }
  auto left = b.PodDirs();
  std::printf("run/pods after delete: %zu entries\n", left.size());
  if (!left.empty()) return Fail("pods left in run/pods after delete: " + left.front() + "...");
  size_t cg_left = 0;
  for (const auto& d : b.CgroupRootDirs()) cg_left += Bench::CgroupSubdirs(d).size();
  std::printf("cgroups under the cgroup root after delete: %zu\n", cg_left);
  if (cg_left) return Fail("cgroups left after delete");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string bin = argc > 1 ? argv[1] : HP_BINARY;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "bench_agent: needs root (cgroups, mounts); run it with sudo\n");
    return 1;
  }
  if (::access(bin.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "bench_agent: hostprocess binary \"%s\" not found\n", bin.c_str());
    return 1;
  }
  bin = fs::absolute(bin).string();
  // Under TMPDIR: bench/goals.sh points it at a file system it makes for the run.
  auto made = hp::sys::MakeTempDir("hp-bench-agent-");
  if (!made) return Fail(made.error().ToString());
  std::string root = *made;
  ::chmod(root.c_str(), 0755);
  fs::create_directories(root + "/cli");
  std::string cg = "hp-bench-agent-" + std::to_string(::getpid());
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  std::printf("bench_agent: %s, root %s, cgroup root %s\n", bin.c_str(), root.c_str(), cg.c_str());
  std::fflush(stdout);
  int rc;
  {
    Bench b(bin, root, cg);
    rc = RunBench(b, bin);
    std::fflush(stdout);
  }  // cleanup
  return rc;
}
