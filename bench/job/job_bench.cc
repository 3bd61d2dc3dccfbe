// Times one container's life on our stack — create job (cgroups in every hierarchy, limits),
// launch /bin/true into it, wait, destroy — against `runc run` of the same binary in a minimal
// busybox bundle, in the same run, and prints the ratio.
//
//   job_bench [-n N] [--runc-n N] [--runc PATH] [--busybox PATH]
//
// Needs root (real cgroups). Each side's cgroups live under the caller's own cgroups and are
// removed at the end.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "bench.h"
#include "core/job/cgroup.h"
#include "core/job/job.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"

namespace {

using hp::Result;
using hp::bench::Clock;
using hp::bench::Ms;

struct Summary {
  double mean, p50, p99;
};
Summary Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  return {mean, at(0.5), at(0.99)};
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "job_bench: %s\n", what.c_str());
  return 1;
}

// Runs a command to completion with stdio on /dev/null; returns its exit code.
Result<int> Run(const std::vector<std::string>& argv, int out_fd) {
  hp::launch::LaunchSpec spec;
  spec.path = argv[0];
  spec.argv = argv;
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  spec.stdout_fd = out_fd;
  spec.stderr_fd = out_fd;
  ASSIGN_OR_RETURN(hp::launch::Process p, hp::launch::Launch(spec));
  ASSIGN_OR_RETURN(auto st, hp::launch::Wait(p));
  return st->exit_code;
}

// rmdir <mount><own cgroup>/<name> in every hierarchy runc may have used.
void RemoveRuncCgroups(const std::string& name) {
  auto self = hp::sys::ReadFile("/proc/self/cgroup");
  if (!self) return;
  auto own = hp::job::ParseProcCgroup(*self);
  auto mounts = hp::sys::ListDir("/sys/fs/cgroup");
  if (!mounts) return;
  for (const std::string& m : *mounts) {
    std::string key = m == "unified" ? "" : (m == "systemd" ? "name=systemd" : m);
    auto it = own.find(key);
    std::string base = it == own.end() ? "/" : it->second;
    if (base.back() != '/') base += '/';
    std::string dir = "/sys/fs/cgroup/" + m + base + name;
    ::rmdir((dir + "/runc").c_str());
    ::rmdir(dir.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = 200, runc_n = 200;
  std::string runc = "/usr/sbin/runc", busybox = "/bin/busybox";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "-n")
      n = std::atoi(argv[i + 1]);
    else if (a == "--runc-n")
      runc_n = std::atoi(argv[i + 1]);
    else if (a == "--runc")
      runc = argv[i + 1];
    else if (a == "--busybox")
      busybox = argv[i + 1];
    else
      return Fail("unknown flag " + a);
  }
  if (::geteuid() != 0) return Fail("needs root (real cgroups)");

  // The bundle: rootfs with busybox as /bin/true, config from `runc spec`.
  auto tmp = hp::sys::MakeTempDir("hp-job-bench-");
  if (!tmp) return Fail(tmp.error().ToString());
  std::string bundle = *tmp + "/bundle", rootfs = bundle + "/rootfs";
  (void)hp::sys::MkdirAll(rootfs + "/bin");
  {
    auto bin = hp::sys::ReadFile(busybox);
    if (!bin) return Fail(bin.error().ToString());
    if (auto w = hp::sys::WriteFileAtomic(rootfs + "/bin/busybox", *bin, 0755); !w)
      return Fail(w.error().ToString());
    ::symlink("busybox", (rootfs + "/bin/true").c_str());
    for (const char* d : {"/proc", "/dev", "/sys", "/tmp"}) (void)hp::sys::MkdirAll(rootfs + d);
  }
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  std::string cg_name = "hostprocess-bench-runc-" + std::to_string(::getpid());
  {
    auto rc = Run({runc, "spec", "--bundle", bundle}, devnull);
    if (!rc || *rc != 0) return Fail("runc spec failed");
    auto text = hp::sys::ReadFile(bundle + "/config.json");
    if (!text) return Fail(text.error().ToString());
    auto cfg = nlohmann::json::parse(*text);
    cfg["process"]["terminal"] = false;
    cfg["process"]["args"] = {"/bin/true"};
    cfg["linux"]["cgroupsPath"] = cg_name + "/runc";  // relative: under our own cgroups
    (void)hp::sys::WriteFileAtomic(bundle + "/config.json", cfg.dump(2));
  }

  // Ours.
  hp::job::JobOptions jo;
  jo.root = "hostprocess-bench-" + std::to_string(::getpid());
  auto mgr = hp::job::NewJobManager(jo);
  if (!mgr) return Fail(mgr.error().ToString());
  hp::job::Limits limits;
  limits.memory_bytes = 256 << 20;
  limits.cpu_limit_millis = 1000;
  limits.cpu_request_millis = 100;
  limits.pids_max = 1024;
  std::vector<double> ours, t_create, t_launch, t_wait, t_destroy;
  std::string true_path = rootfs + "/bin/true";
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto job = (*mgr)->Create("bench-pod", "c" + std::to_string(i), limits);
    if (!job) return Fail(job.error().ToString());
    auto t1 = Clock::now();
    hp::launch::LaunchSpec spec;
    spec.path = true_path;
    spec.argv = {"true"};
    spec.env = {"PATH=/bin"};
    spec.stdout_fd = devnull;
    spec.stderr_fd = devnull;
    spec.job = job->get();
    auto p = hp::launch::Launch(spec);
    if (!p) return Fail(p.error().ToString());
    auto t2 = Clock::now();
    auto st = hp::launch::Wait(*p);
    if (!st || !*st || (*st)->exit_code != 0) return Fail("/bin/true failed");
    auto empty = (*job)->WaitEmpty(std::chrono::milliseconds(5000));
    if (!empty || !*empty) return Fail("job not empty");
    auto t3 = Clock::now();
    if (auto d = (*job)->Destroy(); !d) return Fail(d.error().ToString());
    auto t4 = Clock::now();
    ours.push_back(Ms(t4 - t0));
    t_create.push_back(Ms(t1 - t0));
    t_launch.push_back(Ms(t2 - t1));
    t_wait.push_back(Ms(t3 - t2));
    t_destroy.push_back(Ms(t4 - t3));
  }
  (void)(*mgr)->RemoveRoot();
  // The launcher alone (no job), to separate process start from cgroup costs.
  std::vector<double> bare;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    hp::launch::LaunchSpec spec;
    spec.path = true_path;
    spec.argv = {"true"};
    spec.stdout_fd = devnull;
    spec.stderr_fd = devnull;
    auto p = hp::launch::Launch(spec);
    if (!p) return Fail(p.error().ToString());
    auto t1 = Clock::now();
    (void)hp::launch::Wait(*p);
    bare.push_back(Ms(t1 - t0));
  }

  // runc.
  std::vector<double> theirs;
  std::string state = *tmp + "/runc-state";
  for (int i = 0; i < runc_n; ++i) {
    auto t0 = Clock::now();
    auto rc = Run({runc, "--root", state, "run", "--bundle", bundle,
                   "hp-bench-" + std::to_string(::getpid())},
                  devnull);
    auto t1 = Clock::now();
    if (!rc || *rc != 0) {
      RemoveRuncCgroups(cg_name);
      return Fail("runc run failed (exit " + (rc ? std::to_string(*rc) : rc.error().ToString()) +
                  ")");
    }
    theirs.push_back(Ms(t1 - t0));
  }
  RemoveRuncCgroups(cg_name);
  (void)hp::sys::RemoveAll(*tmp);

  auto kind = hp::job::CgroupFs::Detect();
  Summary o = Summarize(ours), r = Summarize(theirs);
  std::printf("job_bench: cgroup %s, /bin/true = busybox-static\n",
              kind ? std::string(hp::job::CgroupKindName(kind->kind)).c_str() : "?");
  std::printf("%-34s %5s %9s %9s %9s\n", "", "n", "mean ms", "p50 ms", "p99 ms");
  auto row = [](const char* name, size_t count, Summary s) {
    std::printf("%-34s %5zu %9.3f %9.3f %9.3f\n", name, count, s.mean, s.p50, s.p99);
  };
  row("hostprocess create+launch+wait+rm", ours.size(), o);
  row("  create job", t_create.size(), Summarize(t_create));
  row("  launch (until exec)", t_launch.size(), Summarize(t_launch));
  row("  wait (exit + job empty)", t_wait.size(), Summarize(t_wait));
  row("  destroy job", t_destroy.size(), Summarize(t_destroy));
  row("launch without a job (until exec)", bare.size(), Summarize(bare));
  row("runc run", theirs.size(), r);
  std::printf("ratio hostprocess/runc (mean): %.3f  (p50: %.3f)  goal <= 0.100: %s\n",
              o.mean / r.mean, o.p50 / r.p50, o.mean / r.mean <= 0.1 ? "met" : "NOT met");
  return 0;
}
