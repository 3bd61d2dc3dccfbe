// Compares runc and hostprocess-runtime, in one run (root):
//   1. the raw runtime lifecycle on a prepared bundle: create, start, wait for exit, delete; and
//      `delete --force` of a container just created (never started);
//   2. `ctr run --rm <busybox image> /bin/true` under a private containerd.
// Usage: bench_runtime [N]   (default 20 runs of each)
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "bench.h"
#include "core/base/strings.h"
#include "core/sys/file.h"
#include "e2e/runtime/harness.h"

using hp::bench::Clock;
using hp::e2e::Run;

namespace {

struct Figures {
  double mean_ms = 0, median_ms = 0, min_ms = 0;
  int failures = 0;
};

Figures Summarize(std::vector<double> ms, int failures) {
  Figures f;
  f.failures = failures;
  if (ms.empty()) return f;
  std::sort(ms.begin(), ms.end());
  f.mean_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  f.median_ms = hp::bench::Median(ms);
  f.min_ms = ms.front();
  return f;
}

void Print(const char* what, const Figures& runc, const Figures& ours) {
  std::printf("%-34s runc: mean %7.1f ms  median %7.1f  min %7.1f  (failures %d)\n", what,
              runc.mean_ms, runc.median_ms, runc.min_ms, runc.failures);
  std::printf("%-34s ours: mean %7.1f ms  median %7.1f  min %7.1f  (failures %d)\n", "",
              ours.mean_ms, ours.median_ms, ours.min_ms, ours.failures);
  if (runc.mean_ms > 0)
    std::printf("%-34s ratio ours/runc: mean %.2f  median %.2f\n", "", ours.mean_ms / runc.mean_ms,
                ours.median_ms / runc.median_ms);
}

// One lifecycle: create, start, wait for init (we are its subreaper), delete. Output goes to
// /dev/null: the container's process inherits create's stdout, so a pipe read to its end would
// wait for the container, not for create.
bool Lifecycle(const std::string& binary, const std::string& root, const std::string& bundle,
               const std::string& id) {
  using hp::bench::RunCommand;
  std::string pid_file = bundle + "/" + id + ".pid";
  int c =
      RunCommand({binary, "--root", root, "create", "--bundle", bundle, "--pid-file", pid_file, id},
                 /*quiet=*/true);
  if (c != 0) {
    std::fprintf(stderr, "%s create %s: exit code %d\n", binary.c_str(), id.c_str(), c);
    (void)RunCommand({binary, "--root", root, "delete", "--force", id}, true);
    return false;
  }
  pid_t pid = std::atoi(hp::sys::ReadFile(pid_file).value_or("0").c_str());
  int s = RunCommand({binary, "--root", root, "start", id}, true);
  if (pid > 0) ::waitpid(pid, nullptr, 0);
  int d = RunCommand({binary, "--root", root, "delete", "--force", id}, true);
  ::unlink(pid_file.c_str());
  return s == 0 && d == 0;
}

std::string MakeBundle(const std::string& dir) {
  std::string bundle = dir + "/bundle";
  (void)hp::sys::MkdirAll(bundle + "/rootfs/bin");
  (void)hp::sys::WriteFileAtomic(bundle + "/rootfs/bin/busybox", *hp::sys::ReadFile("/bin/busybox"),
                                 0755);
  (void)::symlink("busybox", (bundle + "/rootfs/bin/true").c_str());
  Run({"runc", "spec", "--bundle", bundle});
  // Not a terminal; cgroups in our own subtree; /bin/true (the image's for runc, the host's
  // for a HostProcess container).
  std::string cfg = *hp::sys::ReadFile(bundle + "/config.json");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto pos = cfg.find(from);
    if (pos != std::string::npos) cfg.replace(pos, from.size(), to);
  };
  replace("\"terminal\": true", "\"terminal\": false");
  replace("\"sh\"", "\"/bin/true\"");
  replace("\"linux\": {", "\"linux\": {\n\t\t\"cgroupsPath\": \"/hp-bench-runtime/c\",");
  (void)hp::sys::WriteFileAtomic(bundle + "/config.json", cfg);
  return bundle;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "bench_runtime needs root\n");
    return 2;
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  auto dir = hp::sys::MakeTempDir("hp-bench-runtime-");
  if (!dir) return 1;
  const std::string ours = HP_RUNTIME_BINARY;
  const std::string runc = "/usr/sbin/runc";

  // 1. Raw lifecycle, alternating runtimes so both see the same machine load.
  std::string bundle = MakeBundle(*dir);
  std::vector<double> t_runc, t_ours;
  int f_runc = 0, f_ours = 0;
  for (int i = 0; i < n; ++i) {
    for (int which = 0; which < 2; ++which) {
      const std::string& bin = which == 0 ? runc : ours;
      auto t0 = Clock::now();
      bool ok = Lifecycle(bin, *dir + (which == 0 ? "/runc-root" : "/hp-root"), bundle,
                          "c" + std::to_string(i));
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      (which == 0 ? t_runc : t_ours).push_back(ms);
      if (!ok) ++(which == 0 ? f_runc : f_ours);
    }
  }
  // A container created and removed without a start (a pod whose start failed, `crictl rm -f`):
  // the job's processes are killed and waited for right after they joined it.
  std::vector<double> x_runc, x_ours;
  int xf_runc = 0, xf_ours = 0;
  for (int i = 0; i < n; ++i) {
    for (int which = 0; which < 2; ++which) {
      const std::string& bin = which == 0 ? runc : ours;
      const std::string root = *dir + (which == 0 ? "/runc-root" : "/hp-root");
      const std::string id = "x" + std::to_string(i);
      bool ok =
          hp::bench::RunCommand({bin, "--root", root, "create", "--bundle", bundle, id}, true) == 0;
      auto t0 = Clock::now();
      ok = hp::bench::RunCommand({bin, "--root", root, "delete", "--force", id}, true) == 0 && ok;
      (which == 0 ? x_runc : x_ours).push_back(hp::bench::Ms(Clock::now() - t0));
      if (!ok) ++(which == 0 ? xf_runc : xf_ours);
    }
  }
  std::printf("runs: %d each\n", n);
  Print("lifecycle create/start/wait/delete", Summarize(t_runc, f_runc), Summarize(t_ours, f_ours));
  Print("delete --force of a created container", Summarize(x_runc, xf_runc),
        Summarize(x_ours, xf_ours));
  for (const std::string& h : hp::e2e::CgroupHierarchies())
    ::rmdir((h + "/hp-bench-runtime").c_str());

  // 2. ctr run --rm /bin/true under containerd.
  {
    hp::e2e::Containerd ctrd;
    std::string err = ctrd.Start();
    std::string image = err.empty() ? ctrd.ImportBusybox(&err) : "";
    if (image.empty()) {
      std::fprintf(stderr, "containerd: %s\n", err.c_str());
    } else {
      std::vector<double> c_runc, c_ours;
      int cf_runc = 0, cf_ours = 0;
      for (int i = 0; i < n; ++i) {
        for (int which = 0; which < 2; ++which) {
          std::vector<std::string> args = {"run", "--rm"};
          if (which == 1) {
            args.push_back("--runc-binary");
            args.push_back(ours);
          }
          args.push_back(image);
          args.push_back(fmt::format("b{}-{}", which, i));
          args.push_back("/bin/true");
          auto t0 = Clock::now();
          auto r = ctrd.Ctr(args, 60);
          double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          (which == 0 ? c_runc : c_ours).push_back(ms);
          if (r.exit_code != 0) {
            ++(which == 0 ? cf_runc : cf_ours);
            std::fprintf(stderr, "%s\n", r.output.c_str());
          }
        }
      }
      Print("ctr run --rm /bin/true", Summarize(c_runc, cf_runc), Summarize(c_ours, cf_ours));
    }
  }
  (void)hp::sys::RemoveAll(*dir);
  return 0;
}
