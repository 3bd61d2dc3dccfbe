// Times create+start+wait+delete of a `/bin/true` HostProcess container through
// hp/pod's ContainerRunner (container volume overlay from a rootfs directory, account, job with
// limits, launch, CRI log pump, wait, teardown) against `runc run` of the same binary in a
// busybox bundle, in the same run, and prints the ratio.
//
//   run_bench [-n N] [--runc-n N] [--runc PATH] [--busybox PATH]
//
// Needs root. Everything lives under a temp dir and the caller's own cgroups, removed at the end.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "bench.h"
#include "core/base/strings.h"
#include "core/job/job.h"
#include "core/k8s/decode.h"
#include "core/launch/launch.h"
#include "core/pod/dir_rootfs.h"
#include "core/pod/runner.h"
#include "core/sandbox/volumes.h"
#include "core/sys/file.h"
#include "core/user/accounts.h"

namespace {

using hp::bench::Clock;
using hp::bench::Ms;

struct Summary {
  double mean, p50, p99;
};
Summary Summarize(std::vector<double> v) {
  if (v.empty()) return {0, 0, 0};
  std::sort(v.begin(), v.end());
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  return {mean, at(0.5), at(0.99)};
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "run_bench: %s\n", what.c_str());
  return 1;
}

hp::Result<int> Run(const std::vector<std::string>& argv, int out_fd) {
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

}  // namespace

int main(int argc, char** argv) {
  int n = 100, runc_n = 50;
  std::string runc = "/usr/sbin/runc", busybox = "/bin/busybox";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "-n") {
      n = std::atoi(argv[i + 1]);
    } else if (a == "--runc-n") {
      runc_n = std::atoi(argv[i + 1]);
    } else if (a == "--runc") {
      runc = argv[i + 1];
    } else if (a == "--busybox") {
      busybox = argv[i + 1];
    } else {
      return Fail("unknown flag " + a);
    }
  }
  if (::geteuid() != 0) return Fail("needs root (cgroups, mounts)");

  auto tmp = hp::sys::MakeTempDir("hp-run-bench-");
  if (!tmp) return Fail(tmp.error().ToString());
  ::chmod(tmp->c_str(), 0755);
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
  std::string cg_name = "hp-run-bench-runc-" + std::to_string(::getpid());
  {
    auto rc = Run({runc, "spec", "--bundle", bundle}, devnull);
    if (!rc || *rc != 0) return Fail("runc spec failed");
    auto text = hp::sys::ReadFile(bundle + "/config.json");
    if (!text) return Fail(text.error().ToString());
    auto cfg = nlohmann::json::parse(*text);
    cfg["process"]["terminal"] = false;
    cfg["process"]["args"] = {"/bin/true"};
    cfg["linux"]["cgroupsPath"] = cg_name + "/runc";
    (void)hp::sys::WriteFileAtomic(bundle + "/config.json", cfg.dump(2));
  }

  // Ours: the same /bin/true (the image's, by the sandbox variable) with limits like a pod's.
  auto decoded = hp::k8s::DecodeString(R"(apiVersion: v1
kind: Pod
metadata: {name: bench, uid: bench-uid}
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  securityContext: {windowsOptions: {hostProcess: true}}
  containers:
  - name: "true"
    image: local
    command: ["$CONTAINER_SANDBOX_MOUNT_POINT/bin/true"]
    resources: {limits: {memory: 256Mi, cpu: "1"}, requests: {cpu: 100m}}
)",
                                       "bench.yaml");
  if (!decoded) return Fail(decoded.error().ToString());
  hp::k8s::Pod pod = *decoded->objects[0].pod();
  pod.metadata.uid = "bench-" + std::to_string(::getpid());
  auto jobs = hp::job::NewJobManager({"hp-run-bench-" + std::to_string(::getpid())});
  if (!jobs) return Fail(jobs.error().ToString());
  hp::pod::DirRootfs source(rootfs);
  hp::user::HostAccounts accounts;
  hp::sandbox::HostVolumes volumes;
  hp::pod::RunnerOptions opts;
  opts.root = *tmp + "/root";
  opts.jobs = jobs->get();
  opts.rootfs = &source;
  opts.accounts = &accounts;
  opts.volumes = &volumes;
  opts.node.hostname = "bench";
  opts.node.host_ip = "127.0.0.1";
  hp::pod::PodObjects objects;
  hp::pod::ContainerRequest req;
  req.pod = &pod;
  req.container = &pod.spec.containers[0];
  req.objects = &objects;

  std::vector<double> ours, t_create, t_start, t_wait, t_teardown;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto r = hp::pod::ContainerRunner::Create(opts, req);
    if (!r) return Fail(r.error().ToString());
    auto t1 = Clock::now();
    if (auto s = (*r)->Start(); !s) return Fail(s.error().ToString());
    auto t2 = Clock::now();
    auto st = (*r)->Wait();
    if (!st || !*st || (*st)->exit_code != 0) return Fail("/bin/true did not exit 0");
    auto t3 = Clock::now();
    if (auto s = (*r)->Teardown(); !s) return Fail(s.error().ToString());
    auto t4 = Clock::now();
    ours.push_back(Ms(t4 - t0));
    t_create.push_back(Ms(t1 - t0));
    t_start.push_back(Ms(t2 - t1));
    t_wait.push_back(Ms(t3 - t2));
    t_teardown.push_back(Ms(t4 - t3));
  }
  (void)(*jobs)->DestroyPod(pod.metadata.uid);
  (void)(*jobs)->RemoveRoot();

  std::vector<double> theirs;
  std::string state = *tmp + "/runc-state";
  for (int i = 0; i < runc_n; ++i) {
    auto t0 = Clock::now();
    auto rc = Run({runc, "--root", state, "run", "--bundle", bundle,
                   "hp-run-bench-" + std::to_string(::getpid())},
                  devnull);
    auto t1 = Clock::now();
    if (!rc || *rc != 0) return Fail("runc run failed");
    theirs.push_back(Ms(t1 - t0));
  }
  // runc's cgroups, relative to ours in every hierarchy.
  if (auto self = hp::sys::ReadFile("/proc/self/cgroup")) {
    for (const std::string& line : hp::Split(*self, '\n')) {
      auto parts = hp::Split(line, ':');
      if (parts.size() < 3) continue;
      std::string ctrl = parts[1].empty() ? "unified" : parts[1];
      if (ctrl == "name=systemd") ctrl = "systemd";
      std::string base = "/sys/fs/cgroup/" + ctrl + (parts[2] == "/" ? "" : parts[2]);
      ::rmdir((base + "/" + cg_name + "/runc").c_str());
      ::rmdir((base + "/" + cg_name).c_str());
    }
  }
  (void)hp::sys::RemoveAll(*tmp);

  Summary o = Summarize(ours), r = Summarize(theirs);
  std::printf(
      "run_bench: /bin/true = busybox-static; container volume = overlay of a rootfs dir\n");
  std::printf("%-40s %5s %9s %9s %9s\n", "", "n", "mean ms", "p50 ms", "p99 ms");
  auto row = [](const char* name, size_t count, Summary s) {
    std::printf("%-40s %5zu %9.3f %9.3f %9.3f\n", name, count, s.mean, s.p50, s.p99);
  };
  row("hostprocess container create+start+wait+rm", ours.size(), o);
  row("  create (sandbox, plan, account, job)", t_create.size(), Summarize(t_create));
  row("  start (launch until exec)", t_start.size(), Summarize(t_start));
  row("  wait (exit, job empty, log drained)", t_wait.size(), Summarize(t_wait));
  row("  teardown (job, overlay, dirs)", t_teardown.size(), Summarize(t_teardown));
  row("runc run", theirs.size(), r);
  std::printf("ratio hostprocess/runc (mean): %.3f  (p50: %.3f)  goal <= 0.100: %s\n",
              o.mean / r.mean, o.p50 / r.p50, o.mean / r.mean <= 0.1 ? "met" : "NOT met");
  return 0;
}
