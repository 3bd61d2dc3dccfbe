// `run`'s node side on Linux (run_node.h): the pod runs under hp/pod's PodRunner with a keeper
// that removes it if this process is killed (agent/foreground.h), its containers in cgroups
// below --cgroup-root, their output on the terminal with a `[container] ` prefix and in the CRI
// log; Ctrl-C/SIGTERM/SIGHUP stop it with its grace period.
#include "cli/hostprocess/run_node.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/agent/agent.h"
#include "core/agent/foreground.h"
#include "core/agent/node_flags.h"
#include "core/agent/record.h"
#include "core/agent/status.h"
#include "core/agent/store.h"
#include "core/agent/supervisor.h"
#include "core/base/strings.h"
#include "core/image/plugin.h"
#include "core/job/job.h"
#include "core/k8s/features.h"
#include "core/pod/dir_rootfs.h"
#include "core/pod/node_info.h"
#include "core/pod/pod_runner.h"
#include "core/pod/store_rootfs.h"
#include "core/sandbox/volumes.h"
#include "core/sys/file.h"
#include "core/sys/owner.h"
#include "core/user/accounts.h"

namespace hp::cli {
namespace {

void Write(FILE* f, const std::string& s) {
  if (!s.empty()) fwrite(s.data(), 1, s.size(), f);
  fflush(f);
}

// A thread that waits for SIGINT, SIGTERM or SIGHUP (blocked in every thread from here on) and
// calls `on_signal` once; Join (or the destructor) ends it, woken by SIGUSR1 sent to it alone.
class SignalWaiter {
 public:
  explicit SignalWaiter(std::function<void()> on_signal) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::thread([this, set, on_signal = std::move(on_signal)] {
      int sig = 0;
      while (sigwait(&set, &sig) == 0) {
        if (done_.load()) return;
        if (sig == SIGUSR1) continue;  // not ours
        on_signal();
        return;
      }
    });
  }
  ~SignalWaiter() { Join(); }
  void Join() {
    if (!thread_.joinable()) return;
    done_.store(true);
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

struct RunNodeFlags {
  std::string job_root = "/hostprocess";
  bool rm = false;
  std::string rootfs;         // hidden: a directory as the image of every container
  std::string feature_gates;  // kubelet --feature-gates
};

std::shared_ptr<RunNodeFlags> AddRunNodeFlags(CLI::App* cmd) {
  auto f = std::make_shared<RunNodeFlags>();
  cmd->add_option("--cgroup-root", f->job_root,
                  "Root of the jobs in each cgroup hierarchy (relative: under this process's "
                  "own cgroup)")
      ->capture_default_str();
  cmd->add_flag("--rm", f->rm, "Remove the pod's logs after it ends");
  cmd->add_option("--rootfs", f->rootfs, "A directory used as every container's image")->group("");
  cmd->add_option("--feature-gates", f->feature_gates,
                  "kubelet feature gates, Name=bool[,...]: WindowsHostProcessContainers=false "
                  "refuses HostProcess pods (exit 128), as kubelet 1.22-1.25 does");
  return f;
}

agent::Node ForegroundNode(const GlobalOptions& global) {
  // The labels and taints `apply` keeps (kubelet's flags); a damaged file: the defaults, as
  // `apply` takes them then, with apply's warning.
  auto stored = agent::ReadNodeSettings(agent::Store(global.root).NodeConfigPath());
  if (!stored)
    Write(stderr, "Warning: " + stored.error().ToString() + ": using the default node settings\n");
  return agent::LocalNode(stored && stored->has_value() ? (*stored)->node : agent::NodeConfig{});
}

Result<std::vector<agent::HostPort>> HeldHostPorts(const GlobalOptions& global) {
  agent::Store store(global.root);
  ASSIGN_OR_RETURN(std::vector<std::string> keys, store.ListPodKeys());
  std::vector<agent::HostPort> held;
  for (const std::string& key : keys) {
    std::string dir = store.PodDir(key);
    auto rec = agent::ReadPodRecord(dir + "/" + agent::kPodFile);
    if (!rec) continue;  // being made or removed: its ports are unknown
    auto status = agent::ReadPodStatus(dir + "/" + agent::kStatusFile);
    auto ports = agent::HostPortsHeld(status ? *status : agent::PodStatus{}, rec->pod);
    held.insert(held.end(), ports.begin(), ports.end());
  }
  return held;
}

bool CheckRunNodeFlags(const RunNodeFlags& flags) {
  if (auto s = agent::CheckCgroupRoot(flags.job_root); !s) {
    Write(stderr, fmt::format("error: --cgroup-root: {}\n", s.error().ToString()));
    return false;
  }
  if (auto gates = k8s::ParseFeatureGates(flags.feature_gates); !gates) {
    Write(stderr, "error: " + gates.error().ToString() + "\n");
    return false;
  }
  return true;
}

int RunInForeground(const GlobalOptions& global, const RunNodeFlags& flags, ForegroundPod& run) {
  k8s::Pod& pod = run.pod;
  pod::PodObjects objects;
  for (const k8s::Object& o : *run.objects) {
    if (o.config_map()) objects.config_maps.push_back(o.config_map());
    if (o.secret()) objects.secrets.push_back(o.secret());
    if (o.service_account()) objects.service_accounts.push_back(o.service_account());
  }
  auto gates = k8s::ParseFeatureGates(flags.feature_gates);  // checked: CheckRunNodeFlags
  if (gates && !gates->windows_host_process_containers &&
      k8s::HasWindowsHostProcessContainer(pod.spec)) {
    // The kubelet would keep the pod Pending and try again; in the foreground there is no
    // point: its event, and the exit code of a container that could not start.
    Write(stderr, fmt::format("hostprocess: Warning {}: {}\n", k8s::kFailedCreatePodSandBox,
                              k8s::FailedCreatePodSandBoxMessage()));
    return 128;
  }

  Status made = sys::CheckStateRoot(global.root);
  if (made) made = sys::MkdirAll(global.root, 0755);
  if (!made) {
    Write(stderr, "error: " + made.error().ToString() + "\n");
    return 1;
  }
  // What an earlier run that was killed left goes first; then this run is recorded, with a
  // keeper that removes the pod if this process is killed, before anything of it exists
  // (agent/foreground.h). The keeper may be a fork: no thread may run yet.
  auto warn = [](const std::string& m) { Write(stderr, "Warning: " + m + "\n"); };
  if (auto reaped = agent::ReapForegroundRuns(global.root, warn); !reaped) {
    warn(reaped.error().ToString());
  }
  auto foreground =
      agent::ForegroundRun::Begin(global.root, flags.job_root, pod.metadata.uid,
                                  flags.rm ? pod::PodLogDir(global.root, pod) : "",
                                  pod.spec.init_containers.size() + pod.spec.containers.size());
  if (!foreground) {
    Write(stderr, "error: " + foreground.error().ToString() + "\n");
    return 1;
  }
  auto jobs = job::NewJobManager({flags.job_root});
  if (!jobs) {
    Write(stderr, "error: " + jobs.error().ToString() + "\n");
    return 1;
  }
  std::unique_ptr<pod::RootfsProvider> rootfs;
  if (!flags.rootfs.empty()) {
    rootfs = std::make_unique<pod::DirRootfs>(flags.rootfs);
  } else {
    auto store = image::Store::Open(global.root);
    if (!store) {
      Write(stderr, "error: " + store.error().ToString() + "\n");
      return 1;
    }
    image::RootfsOptions options = image::LazyUnpackingRootfsOptions(*store);
    rootfs = std::make_unique<pod::StoreRootfs>(std::move(*store), std::move(options));
  }
  user::HostAccounts accounts;
  sandbox::HostVolumes volumes({global.root + "/serviceaccount"});

  pod::PodRunOptions opts;
  opts.runner.root = global.root;
  opts.runner.jobs = jobs->get();
  opts.runner.rootfs = rootfs.get();
  opts.runner.accounts = &accounts;
  opts.runner.volumes = &volumes;
  opts.runner.node = pod::LocalNodeInfo(plan::UsesHostIp(pod.spec));
  opts.timeout = run.timeout;
  auto out_mu = std::make_shared<std::mutex>();
  opts.output = [out_mu](const std::string& name, pod::LogStream s, std::string_view line) {
    std::string text = fmt::format("[{}] {}\n", name, line);
    std::lock_guard<std::mutex> lock(*out_mu);
    Write(s == pod::LogStream::kStdout ? stdout : stderr, text);
  };
  bool verbose = run.verbose;
  opts.events = [out_mu, verbose](const std::string& m) {
    bool failure = m.find("failed") != std::string::npos || m.find("timeout") != std::string::npos;
    if (!verbose && !failure) return;
    std::lock_guard<std::mutex> lock(*out_mu);
    Write(stderr, "hostprocess: " + m + "\n");
  };
  opts.container_id = [&foreground] { return foreground->NextContainerId(); };
  opts.remove_logs = flags.rm;
  pod::PodRunner runner(opts);

  // Ctrl-C / SIGTERM / SIGHUP: stop the pod with its grace period. The signals are blocked in
  // every thread and taken by one waiting thread, which is joined before `runner` goes (a
  // signal after Run returned must not reach a destroyed runner).
  SignalWaiter waiter([&runner] { runner.Stop(); });

  auto result = runner.Run(pod, objects);
  waiter.Join();
  // The cgroup root directories this run made (say `--cgroup-root /a/b`) go with it.
  if (auto s = (*jobs)->RemoveCreatedRoot(); !s) {
    Write(stderr, "warning: " + s.error().ToString() + "\n");
  }
  if (!result) {
    Write(stderr, "error: " + result.error().ToString() + "\n");
    return 1;  // the record stays: the keeper removes what is left
  }
  if (auto s = foreground->Finish(); !s) {
    Write(stderr, "warning: " + s.error().ToString() + "\n");
  }
  if (flags.rm) {
    if (auto s = sys::RemoveAll(pod::PodLogDir(global.root, pod)); !s) {
      Write(stderr, "warning: " + s.error().ToString() + "\n");
    }
  }
  return result->exit_code;
}

}  // namespace hp::cli
