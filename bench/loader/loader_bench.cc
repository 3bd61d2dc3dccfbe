// The cost of the image-loader rule (plan/process.h): a dynamic program found in the image runs
// as `<image loader> --library-path <image dirs> ... <program>`. Builds a one-program image in a
// temp dir from the host's own /bin/true, its loader and libc, then times, paired in one run:
//   direct   fork + exec + wait of the program itself (the kernel loads the host's loader)
//   loader   fork + exec + wait of the resolved argv (the image's loader, the image's libraries)
//   resolve  plan::ResolveProcess alone (ELF header, loader options, ld.so.conf)
// and prints medians and the difference (goal: within 1 ms of a direct exec).
//
//   loader_bench [-n N]
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench.h"
#include "core/plan/process.h"
#include "core/sys/file.h"

namespace {

using hp::bench::Clock;
using hp::bench::Median;
using hp::bench::Ms;

bool Copy(const std::string& from, const std::string& to) {
  auto data = hp::sys::ReadFile(from);
  if (!data || !hp::sys::MkdirAll(to.substr(0, to.rfind('/')))) return false;
  return hp::sys::WriteFileAtomic(to, *data, 0755).has_value();
}

}  // namespace

int main(int argc, char** argv) {
  int n = 200;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "-n") n = std::atoi(argv[i + 1]);
  const hp::plan::Fs& fs = hp::plan::RealFs();
  std::string interp = hp::plan::ElfInterpreter("/bin/true", fs);
  if (interp.empty()) {
    std::fprintf(stderr, "loader_bench: /bin/true is not dynamically linked here\n");
    return 1;
  }
  auto dir = hp::sys::MakeTempDir("hp-loader-bench-");
  if (!dir) return 1;
  std::string sandbox = *dir + "/sandbox/";
  std::string libc = "/lib/x86_64-linux-gnu/libc.so.6";
  if (!Copy("/bin/true", sandbox + "usr/bin/true") || !Copy(interp, sandbox + interp.substr(1)) ||
      !Copy(libc, sandbox + libc.substr(1))) {
    std::fprintf(stderr, "loader_bench: cannot build the image in %s\n", dir->c_str());
    (void)hp::sys::RemoveAll(*dir);
    return 1;
  }
  hp::plan::ProcessRequest req;
  req.argv = {"true"};
  req.sandbox = sandbox;
  req.image_path = {"/usr/bin"};
  req.cwd = sandbox;
  auto spec = hp::plan::ResolveProcess(req, fs);
  if (!spec || spec->loader.empty()) {
    std::fprintf(stderr, "loader_bench: the image loader was not used\n");
    (void)hp::sys::RemoveAll(*dir);
    return 1;
  }
  std::vector<std::string> direct{sandbox + "usr/bin/true"};
  std::vector<double> t_direct, t_loader, t_resolve;
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    failures += hp::bench::RunCommand(direct) != 0;
    auto t1 = Clock::now();
    failures += hp::bench::RunCommand(spec->argv) != 0;
    auto t2 = Clock::now();
    auto again = hp::plan::ResolveProcess(req, fs);
    auto t3 = Clock::now();
    failures += !again;
    t_direct.push_back(Ms(t1 - t0));
    t_loader.push_back(Ms(t2 - t1));
    t_resolve.push_back(Ms(t3 - t2));
  }
  (void)hp::sys::RemoveAll(*dir);
  double d = Median(t_direct), l = Median(t_loader), r = Median(t_resolve);
  std::printf("loader_bench: %d runs each, paired (median ms)\n", n);
  std::printf("  direct exec of the image's /usr/bin/true   %7.3f\n", d);
  std::printf("  through the image's loader                 %7.3f\n", l);
  std::printf("  ResolveProcess (ELF, loader, ld.so.conf)   %7.3f\n", r);
  std::printf("  loader path - direct (goal <= 1 ms)        %7.3f\n", l + r - d);
  std::printf("  failures                                   %7d\n", failures);
  return failures ? 1 : 0;
}
