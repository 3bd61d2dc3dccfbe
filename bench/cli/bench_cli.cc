// Whole-process figures of the two CLIs, each paired with its peer in the same run:
//   - `hostprocess run -f true.yaml` (a busybox /bin/true pod from an imported image) against
//     `runc run` of the same binary in a busybox bundle, interleaved rounds, medians and ratio;
//   - `hostprocess --version`, `hostprocess-runtime --version`, `runc --version`: start-up, and
//     the shared libraries each loads (LD_TRACE_LOADED_OBJECTS, what ldd prints), and
//     /bin/true as the floor of a start-up measured this way;
// Lines starting with "figure " are for bench/goals.sh (name, value, unit).
//
//   bench_cli [-n ROUNDS] [--hostprocess PATH] [--runtime PATH] [--runc PATH] [--busybox PATH]
//
// Needs root. Everything lives under a temp dir and a cgroup root below this process's cgroups,
// removed at the end.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"
#include "core/plan/command.h"
#include "core/plan/process.h"
#include "core/sys/file.h"

namespace {

namespace fs = std::filesystem;
using hp::bench::Clock;
using hp::bench::Median;
using hp::bench::Ms;

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_cli: %s\n", what.c_str());
  return 1;
}

double ChildrenCpuMs() {
  struct rusage ru {};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// Wall time of one run of argv (stdout and stderr on /dev/null); < 0 when it failed. `cpu`:
// the user + system time of the command and what it waited for (less sensitive than the wall
// time to other load on the machine).
double TimeOnce(const std::vector<std::string>& argv, std::vector<double>* cpu = nullptr) {
  double c0 = ChildrenCpuMs();
  auto t0 = Clock::now();
  int rc = hp::bench::RunCommand(argv, true);
  double ms = Ms(Clock::now() - t0);
  if (cpu) cpu->push_back(ChildrenCpuMs() - c0);
  return rc == 0 ? ms : -1;
}

// The shared libraries the dynamic loader maps for `binary` (ldd's list, vdso excluded); 0 for
// a static binary (no program interpreter: LD_TRACE_LOADED_OBJECTS would run it as itself).
int LoadedLibraries(const std::string& binary) {
  if (hp::plan::ElfInterpreter(binary, hp::plan::RealFs()).empty()) return 0;
  std::string out;
  if (hp::bench::RunCommand({binary}, true, &out, {"LD_TRACE_LOADED_OBJECTS=1"}) != 0) return -1;
  int n = 0;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.find("linux-vdso") == std::string::npos && line.find("=>") != std::string::npos) ++n;
  }
  return n;
}

void Figure(const char* name, double value, const char* unit) {
  std::printf("figure %s %.3f %s\n", name, value, unit);
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 30;
  std::string hp = HP_BINARY, runtime = HP_RUNTIME_BINARY, runc = "/usr/sbin/runc",
              busybox = "/bin/busybox";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "-n") {
      rounds = std::atoi(argv[i + 1]);
    } else if (a == "--hostprocess") {
      hp = argv[i + 1];
    } else if (a == "--runtime") {
      runtime = argv[i + 1];
    } else if (a == "--runc") {
      runc = argv[i + 1];
    } else if (a == "--busybox") {
      busybox = argv[i + 1];
    } else {
      return Fail("unknown flag " + a +
                  " (flags: -n, --hostprocess, --runtime, --runc, --busybox)");
    }
  }
  if (rounds < 1) return Fail("-n must be at least 1");
  if (::geteuid() != 0) return Fail("needs root (cgroups, mounts); run it with sudo");
  for (const std::string& b : {hp, runtime, runc, busybox}) {
    if (::access(b.c_str(), X_OK) != 0) return Fail("\"" + b + "\" is not an executable file");
  }

  // Under TMPDIR: bench/goals.sh points it at a file system it makes for the run.
  auto made = hp::sys::MakeTempDir("hp-bench-cli-");
  if (!made) return Fail(made.error().ToString());
  std::string tmp = *made;
  ::chmod(tmp.c_str(), 0755);
  std::string root = tmp + "/root", bundle = tmp + "/bundle", rootfs = bundle + "/rootfs";
  std::string cg = "hp-bench-cli-" + std::to_string(::getpid());
  std::string runc_name = cg + "-runc";
  std::error_code ec;
  auto cleanup = [&] {
    hp::bench::RunCommand({runc, "--root", tmp + "/runc", "delete", "-f", runc_name}, true);
    fs::remove_all(tmp, ec);
  };
  fs::create_directories(rootfs + "/bin", ec);
  for (const char* d : {"/proc", "/dev", "/sys", "/tmp"}) fs::create_directories(rootfs + d, ec);
  fs::copy_file(busybox, rootfs + "/bin/busybox", ec);
  if (ec) {
    cleanup();
    return Fail("copy " + busybox + ": " + ec.message());
  }
  fs::create_symlink("busybox", rootfs + "/bin/true", ec);
  {
    std::string out;
    if (hp::bench::RunCommand(
            {hp, "--root", root, "import", rootfs, "hostprocess.local/bench-true:1"}, true, &out) !=
        0) {
      cleanup();
      return Fail("hostprocess import of the busybox rootfs failed");
    }
    if (hp::bench::RunCommand({runc, "spec", "--bundle", bundle}, true) != 0) {
      cleanup();
      return Fail("runc spec failed");
    }
    std::ifstream in(bundle + "/config.json");
    auto cfg = nlohmann::json::parse(in);
    cfg["process"]["terminal"] = false;
    cfg["process"]["args"] = {"/bin/true"};
    cfg["linux"]["cgroupsPath"] = cg + "/runc";
    std::ofstream(bundle + "/config.json") << cfg.dump(2);
    std::ofstream(tmp + "/true.yaml") << R"(apiVersion: v1
kind: Pod
metadata: {name: bench-true}
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  securityContext: {windowsOptions: {hostProcess: true}}
  containers:
  - name: "true"
    image: hostprocess.local/bench-true:1
    command: ["$CONTAINER_SANDBOX_MOUNT_POINT/bin/true"]
)";
  }

  std::vector<std::string> ours_cmd = {
      hp, "--root", root, "run", "-f", tmp + "/true.yaml", "--rm", "--cgroup-root", cg};
  std::vector<std::string> runc_cmd = {runc,       "--root", tmp + "/runc", "run",
                                       "--bundle", bundle,   runc_name};
  // One warm-up each (page cache, the image's first mount), then interleaved rounds.
  if (TimeOnce(ours_cmd) < 0 || TimeOnce(runc_cmd) < 0) {
    cleanup();
    return Fail("the warm-up run failed: `hostprocess run` or `runc run` exited non-zero");
  }
  std::vector<double> ours, theirs, ver_hp, ver_rt, ver_runc, floor, cpu_ours, cpu_theirs, cpu_ver;
  for (int i = 0; i < rounds; ++i) {
    double a = TimeOnce(ours_cmd, &cpu_ours), b = TimeOnce(runc_cmd, &cpu_theirs);
    if (a < 0 || b < 0) {
      cleanup();
      return Fail(a < 0 ? "hostprocess run failed" : "runc run failed");
    }
    ours.push_back(a);
    theirs.push_back(b);
    ver_hp.push_back(TimeOnce({hp, "--version"}, &cpu_ver));
    ver_rt.push_back(TimeOnce({runtime, "--version"}));
    ver_runc.push_back(TimeOnce({runc, "--version"}));
    // The floor of a start-up measured this way: a process that does nothing.
    floor.push_back(TimeOnce({"/bin/true"}));
  }
  int libs_hp = LoadedLibraries(hp), libs_rt = LoadedLibraries(runtime);
  cleanup();
  // runc's cgroup and the run's cgroup root, below this process's cgroups in every hierarchy.
  std::ifstream self("/proc/self/cgroup");
  for (std::string line; std::getline(self, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrl = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (ctrl.empty()) ctrl = "unified";
    if (ctrl.rfind("name=", 0) == 0) ctrl = ctrl.substr(5);
    std::string base = "/sys/fs/cgroup/" + ctrl + (path == "/" ? "" : path);
    ::rmdir((base + "/" + cg + "/runc").c_str());
    ::rmdir((base + "/" + cg).c_str());
  }

  double o = Median(ours), r = Median(theirs);
  std::printf("bench_cli: %d interleaved rounds, medians; %s\n", rounds, hp.c_str());
  double co = Median(cpu_ours), cr = Median(cpu_theirs);
  std::printf("  %-44s %8s    %s\n", "", "wall", "cpu (user+sys)");
  std::printf("  %-44s %8.1f ms %8.1f ms\n", "hostprocess run -f true.yaml (busybox true)", o, co);
  std::printf("  %-44s %8.1f ms %8.1f ms\n", "runc run (same binary)", r, cr);
  std::printf("  ratio hostprocess/runc: wall %.3f, cpu %.3f\n", o / r, co / cr);
  std::printf("  %-44s %8.1f ms %8.1f ms  %d shared libraries\n", "hostprocess --version",
              Median(ver_hp), Median(cpu_ver), libs_hp);
  std::printf("  %-44s %8.1f ms  %d shared libraries\n", "hostprocess-runtime --version",
              Median(ver_rt), libs_rt);
  std::printf("  %-44s %8.1f ms\n", "runc --version", Median(ver_runc));
  std::printf("  %-44s %8.1f ms  (the floor: fork, exec, exit)\n", "/bin/true", Median(floor));
  Figure("run_ms", o, "ms");
  Figure("runc_run_ms", r, "ms");
  Figure("run_ratio", o / r, "x");
  Figure("run_cpu_ratio", co / cr, "x");
  Figure("version_ms", Median(ver_hp), "ms");
  Figure("version_libs", libs_hp, "libs");
  Figure("runtime_version_ms", Median(ver_rt), "ms");
  Figure("true_ms", Median(floor), "ms");
  return 0;
}
