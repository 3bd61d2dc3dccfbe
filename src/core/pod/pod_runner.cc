#include "core/pod/pod_runner.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <thread>

#include "core/base/parallel.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::pod {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string Describe(const launch::ExitStatus& st) {
  if (st.signal) return fmt::format("exit code {} (signal {})", st.exit_code, st.signal);
  return fmt::format("exit code {}", st.exit_code);
}

}  // namespace

PodRunner::PodRunner(PodRunOptions options)
    : options_(std::move(options)), stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void PodRunner::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  if (stop_fd_) {
    uint64_t one = 1;
    (void)!::write(stop_fd_.get(), &one, sizeof one);
  }
}

bool PodRunner::stopped() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

Result<PodResult> PodRunner::Run(const k8s::Pod& pod, const PodObjects& objects) {
  TRY(CheckPodUid(pod));  // it names what the clean-up below removes
  PodResult result;
  // A deadline past the clock's range is none (now + timeout would overflow).
  auto now = Clock::now();
  auto deadline = options_.timeout && *options_.timeout < std::chrono::duration_cast<milliseconds>(
                                                              Clock::time_point::max() - now)
                      ? std::optional(now + *options_.timeout)
                      : std::nullopt;
  milliseconds grace(1000 *
                     std::max<int64_t>(0, pod.spec.termination_grace_period_seconds.value_or(30)));
  auto event = [&](const std::string& m) {
    if (options_.events) options_.events(m);
  };
  bool failed = false;
  auto record_exit = [&](ContainerResult& cr, const launch::ExitStatus& st) {
    cr.exit = st;
    event(fmt::format("container \"{}\" exited: {}", cr.name, Describe(st)));
    if (st.exit_code != 0 && !failed) {
      failed = true;
      result.exit_code = st.exit_code;
    }
  };
  auto start = [&](const k8s::Container& c, bool init,
                   ContainerResult& cr) -> std::unique_ptr<ContainerRunner> {
    cr.name = c.name;
    cr.init = init;
    ContainerRequest req;
    req.pod = &pod;
    req.container = &c;
    req.init = init;
    req.objects = &objects;
    req.output = options_.output;
    Result<std::unique_ptr<ContainerRunner>> r = Err(ErrorCode::kInternal, "not created");
    auto id = options_.container_id ? options_.container_id() : NewContainerId();
    if (id) {
      req.id = std::move(*id);
      r = ContainerRunner::Create(options_.runner, req);
    } else {
      r = Err(std::move(id).error().Context("record the container"));
    }
    if (r) {
      cr.log_path = (*r)->log_path();
      Status s = (*r)->Start();
      if (s) {
        event(fmt::format("container \"{}\" started (pid {}, sandbox {})", c.name, (*r)->pid(),
                          (*r)->plan().sandbox));
        return std::move(*r);
      }
      r = Err(std::move(s).error());
    }
    cr.error = r.error().ToString();
    event(fmt::format("container \"{}\" failed to start: {}", c.name, cr.error));
    if (!failed) {
      failed = true;
      result.exit_code = kStartErrorExitCode;
    }
    return nullptr;
  };

  auto report_stragglers = [&](const ContainerRunner& r) {
    if (r.stragglers().empty()) return;
    event(fmt::format("container \"{}\": processes had left its job and were killed by session: {}",
                      r.name(), Join(r.stragglers(), ", ")));
  };

  // Waits for every runner in `running` (indices into result.containers), stopping them on
  // Stop() or at the deadline. Returns once all have exited.
  auto wait_all = [&](std::vector<std::pair<std::unique_ptr<ContainerRunner>, size_t>>& running) {
    bool stopping = false;
    while (true) {
      bool all_done = true;
      for (auto& [r, idx] : running) {
        if (!r || result.containers[idx].exit) continue;
        auto st = r->Wait(milliseconds(0));
        if (st && *st) {
          record_exit(result.containers[idx], **st);
        } else if (!st) {
          result.containers[idx].error = st.error().ToString();
          result.containers[idx].exit = launch::ExitStatus{kStartErrorExitCode, 0, false};
          if (!failed) {
            failed = true;
            result.exit_code = kStartErrorExitCode;
          }
        } else {
          all_done = false;
        }
      }
      if (all_done) return;
      bool timed_out = deadline && Clock::now() >= *deadline;
      if (stopping || (!timed_out && !stopped())) {
        // Sleeps until a first process exits (its pidfd), Stop() or the deadline; a container
        // without a pidfd (an old kernel) is looked at every 20 ms.
        std::vector<struct pollfd> fds;
        bool tick = !stopping && !stop_fd_;
        if (!stopping && stop_fd_) fds.push_back({stop_fd_.get(), POLLIN, 0});
        for (auto& [r, idx] : running) {
          if (!r || result.containers[idx].exit) continue;
          if (r->exit_fd() < 0)
            tick = true;
          else
            fds.push_back({r->exit_fd(), POLLIN, 0});
        }
        int wait_ms = tick ? 20 : -1;
        if (deadline && !stopping) {
          auto left = std::chrono::ceil<milliseconds>(*deadline - Clock::now()).count();
          left = std::clamp<int64_t>(left, 0, INT32_MAX);
          if (wait_ms < 0 || left < wait_ms) wait_ms = static_cast<int>(left);
        }
        if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) {
          std::this_thread::sleep_for(milliseconds(20));
        }
        timed_out = deadline && Clock::now() >= *deadline;
      }
      if (!stopping && (timed_out || stopped())) {
        stopping = true;
        if (timed_out) {
          result.timed_out = true;
          event("timeout: stopping the pod");
        } else {
          result.stopped = true;
          event(fmt::format("stopping the pod (grace period {}s)", grace.count() / 1000));
        }
        std::vector<std::thread> stoppers;
        for (auto& [r, idx] : running) {
          if (r && !result.containers[idx].exit) {
            stoppers.emplace_back([&r = r, grace] { (void)r->Stop(grace); });
          }
        }
        for (std::thread& t : stoppers) t.join();
      }
    }
  };

  for (const k8s::Container& c : pod.spec.init_containers) {
    if (failed || result.stopped || result.timed_out) break;
    result.containers.push_back({});
    std::vector<std::pair<std::unique_ptr<ContainerRunner>, size_t>> running;
    running.emplace_back(start(c, true, result.containers.back()), result.containers.size() - 1);
    if (!running[0].first) break;
    wait_all(running);
    for (auto& [r, idx] : running) {
      (void)r->Teardown();
      report_stragglers(*r);
    }
  }
  if (!failed && !result.stopped && !result.timed_out) {
    std::vector<std::pair<std::unique_ptr<ContainerRunner>, size_t>> running;
    result.containers.reserve(result.containers.size() + pod.spec.containers.size());
    for (const k8s::Container& c : pod.spec.containers) {
      result.containers.push_back({});
      running.emplace_back(start(c, false, result.containers.back()), result.containers.size() - 1);
    }
    wait_all(running);
    // Its freed blocks are waited for on a second thread, as the containers' are on this one.
    std::optional<Background<Status>> removing_logs;
    if (options_.remove_logs) {
      removing_logs.emplace(
          [dir = PodLogDir(options_.runner.root, pod)] { return sys::RemoveAll(dir); });
    }
    for (auto& [r, idx] : running) {
      if (!r) continue;
      Status s = r->Teardown();
      if (!s) event(fmt::format("container \"{}\": {}", r->name(), s.error().ToString()));
      report_stragglers(*r);
    }
    if (removing_logs) (void)removing_logs->Take();
  }
  if (result.timed_out) result.exit_code = kTimeoutExitCode;
  // What the containers of the pod shared.
  if (options_.runner.volumes) {
    Status s =
        options_.runner.volumes->ReleasePod(options_.runner.root + "/pods/" + pod.metadata.uid);
    if (!s) event(s.error().ToString());
  } else {
    (void)sys::RemoveAll(options_.runner.root + "/pods/" + pod.metadata.uid);
  }
  if (options_.runner.jobs) (void)options_.runner.jobs->DestroyPod(PodJobId(pod));
  return result;
}

}  // namespace hp::pod
