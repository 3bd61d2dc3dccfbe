// The cgroup Job and JobManager: layout, creation with rollback, membership, kill, freeze,
// removal.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <set>
#include <thread>
#include <vector>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/job/cgroup_internal.h"
#include "core/sys/file.h"

namespace hp::job {
namespace {

using internal::Hooks;
using internal::Node;
using internal::ReadCg;
using internal::ReadKeyed;
using internal::WriteCg;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string JoinPath(const std::string& a, const std::string& b) {
  if (b.empty() || b == "/") return a;
  std::string out = a;
  if (!out.empty() && out.back() == '/') out.pop_back();
  if (b[0] != '/') out += '/';
  out += b;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// WaitEmpty watches at most this many of a job's processes through pidfds.
constexpr size_t kMaxPidfds = 64;

int DoRmdir(const Hooks& hooks, const std::string& dir) {
  if (hooks.rmdir) return hooks.rmdir(dir);
  return ::rmdir(dir.c_str()) == 0 ? 0 : errno;
}

// Removes `dir`, retrying briefly while the kernel still sees exiting tasks (EBUSY).
Status RemoveCgroupDir(const Hooks& hooks, const std::string& dir) {
  auto deadline = Clock::now() + milliseconds(2000);
  while (true) {
    int e = DoRmdir(hooks, dir);
    if (e == 0 || e == ENOENT) return Ok();
    if (e != EBUSY || Clock::now() > deadline) return SysErrN(e, "remove cgroup \"{}\"", dir);
    std::this_thread::sleep_for(milliseconds(2));
  }
}

Result<std::vector<pid_t>> ReadProcs(const std::string& file) {
  ASSIGN_OR_RETURN(std::string text, ReadCg(file));
  std::vector<pid_t> out;
  for (const std::string& line : Split(text, '\n')) {
    std::string_view t = TrimSpace(line);
    if (t.empty()) continue;
    pid_t p = 0;
    std::from_chars(t.data(), t.data() + t.size(), p);
    if (p > 0) out.push_back(p);
  }
  return out;
}

class CgroupJob final : public Job {
 public:
  CgroupJob(const CgroupFs& fs, Hooks hooks, std::string pod, std::string container, Node pod_node,
            Node leaf, bool auto_destroy, std::vector<std::string> created_parents = {})
      : fs_(fs),
        hooks_(std::move(hooks)),
        pod_(std::move(pod)),
        container_(std::move(container)),
        pod_node_(std::move(pod_node)),
        leaf_(std::move(leaf)),
        auto_destroy_(auto_destroy),
        created_parents_(std::move(created_parents)),
        remove_pod_parent_(!pod_.empty()) {}
  ~CgroupJob() override {
    if (auto_destroy_) (void)Destroy();
  }

  const std::string& pod_id() const override { return pod_; }
  const std::string& container_id() const override { return container_; }
  std::string Describe() const override {
    return leaf_.unified.empty() ? leaf_.Dirs().front() : leaf_.unified;
  }

  Status AddProcess(pid_t pid) override {
    std::string s = std::to_string(pid);
    for (const std::string& d : leaf_.Dirs())
      TRY_CTX(WriteCg(d + "/cgroup.procs", s), "add process {} to job \"{}\"", pid, Describe());
    return Ok();
  }

  Result<std::unique_ptr<JobAttach>> PrepareAttach() override {
    auto attach = std::make_unique<CgroupAttach>();
    CgroupAttach& a = *attach;
    if (!leaf_.unified.empty()) {
      ASSIGN_OR_RETURN(a.cgroup_dir, sys::Open(leaf_.unified, O_RDONLY | O_DIRECTORY));
      ASSIGN_OR_RETURN(a.cgroup_procs, sys::Open(leaf_.unified + "/cgroup.procs", O_WRONLY));
    }
    for (const std::string& d : leaf_.Dirs()) {
      if (d == leaf_.unified) continue;
      ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(d + "/tasks", O_WRONLY));
      a.v1_tasks.push_back(std::move(fd));
    }
    return std::unique_ptr<JobAttach>(std::move(attach));
  }

  Result<std::vector<pid_t>> Pids() override {
    std::set<pid_t> all;
    for (const std::string& d : leaf_.Dirs()) {
      auto r = ReadProcs(d + "/cgroup.procs");
      if (!r) {
        if (r.error().sys_errno() == ENOENT) continue;
        return tl::unexpected(std::move(r).error());
      }
      all.insert(r->begin(), r->end());
    }
    return std::vector<pid_t>(all.begin(), all.end());
  }

  Status Signal(JobSignal signal) override {
    if (signal == JobSignal::kKill) return Kill();
    TRY(SignalPids(*this, SIGTERM));
    // A stopped process acts on SIGTERM only once it runs again.
    (void)SignalPids(*this, SIGCONT);
    return Ok();
  }

  Status Kill() override {
    std::string kill_file = leaf_.unified + "/cgroup.kill";
    if (!leaf_.unified.empty() && sys::Exists(kill_file)) return WriteCg(kill_file, "1");
    // No cgroup.kill: freeze so nothing can fork, kill every pid, thaw, until empty.
    std::string freezer = leaf_.DirFor(fs_, "freezer");
    for (int round = 0; round < 100; ++round) {
      bool frozen = false;
      if (!freezer.empty()) frozen = V1Freeze(freezer, milliseconds(500)).has_value();
      ASSIGN_OR_RETURN(std::vector<pid_t> pids, Pids());
      for (pid_t p : pids)
        if (p > 1) ::kill(p, SIGKILL);
      if (frozen) TRY(WriteCg(freezer + "/freezer.state", "THAWED"));
      if (pids.empty()) return Ok();
      std::this_thread::sleep_for(milliseconds(1));
    }
    return Err(ErrorCode::kUnavailable, "job \"{}\" still has processes after kill", Describe());
  }

  Result<bool> WaitEmpty(milliseconds timeout) override {
    auto deadline = Clock::now() + timeout;
    std::string events = leaf_.unified + "/cgroup.events";
    if (!leaf_.unified.empty() && sys::Exists(events)) {
      ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(events, O_RDONLY));
      while (true) {
        auto populated = ReadKeyedFd(fd.get(), "populated", events);
        if (!populated) return tl::unexpected(std::move(populated).error());
        if (*populated == 0) return true;
        // Rounded up: a deadline less than 1 ms away is not yet a timeout.
        auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        // The kernel signals POLLPRI on a change of cgroup.events, but at most once per 10 ms
        // per file (cgroup_file_notify): a job emptied within 10 ms of its last change (a kill
        // right after a start) was seen only when that timer ran. So the exits of the processes
        // it lists are watched too, through pidfds (up to kMaxPidfds; past that, the events
        // alone): those of this cgroup2 leaf, whose emptiness `populated` tells. A pidfd of a
        // pid reused meanwhile only wakes the loop early. The cap keeps fake trees (unit tests)
        // working.
        std::vector<struct pollfd> pfds = {{fd.get(), POLLPRI, 0}};
        std::vector<UniqueFd> pidfds;
        auto pids = ReadProcs(leaf_.unified + "/cgroup.procs");
        if (pids && pids->size() <= kMaxPidfds) {
          for (pid_t p : *pids) {
            int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, p, 0));
            if (pidfd < 0) continue;  // gone already (or no pidfds): the next read tells
            pidfds.emplace_back(pidfd);
            pfds.push_back({pidfd, POLLIN, 0});
          }
        }
        ::poll(pfds.data(), pfds.size(), static_cast<int>(std::min<int64_t>(left.count(), 100)));
      }
    }
    while (true) {
      ASSIGN_OR_RETURN(std::vector<pid_t> pids, Pids());
      if (pids.empty()) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(2));
    }
  }

  Status Terminate(milliseconds grace) override {
    (void)Thaw();
    TRY(Signal(JobSignal::kStop));
    ASSIGN_OR_RETURN(bool empty, WaitEmpty(grace));
    if (empty) return Ok();
    TRY(Kill());
    ASSIGN_OR_RETURN(empty, WaitEmpty(milliseconds(10000)));
    if (!empty)
      return Err(ErrorCode::kUnavailable, "job \"{}\" is not empty 10s after SIGKILL", Describe());
    return Ok();
  }

  Status Freeze() override {
    if (HasV2Freeze()) {
      TRY(WriteCg(leaf_.unified + "/cgroup.freeze", "1"));
      auto deadline = Clock::now() + milliseconds(5000);
      while (Clock::now() < deadline) {
        auto f = ReadKeyed(leaf_.unified + "/cgroup.events", "frozen");
        if (!f || *f == 1) return Ok();  // no "frozen" key (fake/old kernel): trust the write
        std::this_thread::sleep_for(milliseconds(1));
      }
      return Err(ErrorCode::kUnavailable, "freeze job \"{}\": timed out", Describe());
    }
    std::string freezer = leaf_.DirFor(fs_, "freezer");
    if (freezer.empty())
      return Err(ErrorCode::kUnsupported, "freeze job \"{}\": no freezer on this host", Describe());
    return V1Freeze(freezer, milliseconds(5000));
  }

  Status Thaw() override {
    if (HasV2Freeze()) return WriteCg(leaf_.unified + "/cgroup.freeze", "0");
    std::string freezer = leaf_.DirFor(fs_, "freezer");
    if (freezer.empty())
      return Err(ErrorCode::kUnsupported, "thaw job \"{}\": no freezer on this host", Describe());
    return WriteCg(freezer + "/freezer.state", "THAWED");
  }

  Result<bool> IsFrozen() override {
    if (HasV2Freeze()) {
      ASSIGN_OR_RETURN(std::string s, ReadCg(leaf_.unified + "/cgroup.freeze"));
      return TrimSpace(s) == "1";
    }
    std::string freezer = leaf_.DirFor(fs_, "freezer");
    if (freezer.empty()) return false;
    ASSIGN_OR_RETURN(std::string s, ReadCg(freezer + "/freezer.state"));
    return TrimSpace(s) != "THAWED";
  }

  Status Update(const Limits& limits) override {
    TRY_CTX(internal::ApplyLimits(fs_, leaf_, limits), "update job \"{}\"", Describe());
    return Ok();
  }

  Result<Stats> GetStats() override {
    ASSIGN_OR_RETURN(Stats st, internal::ReadStats(fs_, leaf_));
    if (leaf_.DirFor(fs_, "pids").empty()) {
      ASSIGN_OR_RETURN(std::vector<pid_t> pids, Pids());
      st.pids_current = pids.size();
    }
    return st;
  }

  Status Destroy() override {
    if (destroyed_) return Ok();
    // Most often the job is empty by now (its processes were waited for) and each leaf goes at
    // the first rmdir; the kernel refuses one that still holds a process (EBUSY). Only then is
    // what is left (in the leaves still there) thawed, killed and waited for.
    std::vector<std::string> busy;
    for (const std::string& d : leaf_.Dirs()) {
      int e = DoRmdir(hooks_, d);
      if (e == EBUSY) {
        busy.push_back(d);
      } else if (e != 0 && e != ENOENT) {
        return SysErrN(e, "remove cgroup \"{}\"", d);
      }
    }
    if (!busy.empty()) {
      (void)Thaw();
      auto pids = Pids();
      if (!pids || !pids->empty()) {
        TRY(Kill());
        ASSIGN_OR_RETURN(bool empty, WaitEmpty(milliseconds(10000)));
        if (!empty)
          return Err(ErrorCode::kUnavailable, "destroy job \"{}\": processes left after kill",
                     Describe());
      }
      // Retried while the kernel still counts exiting tasks.
      for (const std::string& d : busy) TRY(RemoveCgroupDir(hooks_, d));
    }
    // The pod parent goes with its last container (when it is ours: see KeepPodParent).
    if (remove_pod_parent_)
      for (const std::string& d : pod_node_.Dirs()) (void)DoRmdir(hooks_, d);
    destroyed_ = true;
    auto_destroy_ = false;
    return Ok();
  }

  void Release() override { auto_destroy_ = false; }
  void KeepPodParent() override { remove_pod_parent_ = false; }
  std::vector<std::string> CreatedParents() const override { return created_parents_; }

 private:
  bool HasV2Freeze() const {
    return !leaf_.unified.empty() && sys::Exists(leaf_.unified + "/cgroup.freeze");
  }

  Status V1Freeze(const std::string& freezer, milliseconds timeout) {
    std::string state = freezer + "/freezer.state";
    TRY(WriteCg(state, "FROZEN"));
    auto deadline = Clock::now() + timeout;
    while (true) {
      ASSIGN_OR_RETURN(std::string s, ReadCg(state));
      if (TrimSpace(s) == "FROZEN") return Ok();
      if (Clock::now() > deadline)
        return Err(ErrorCode::kUnavailable, "freeze \"{}\": still {}", freezer, TrimSpace(s));
      std::this_thread::sleep_for(milliseconds(1));
      TRY(WriteCg(state, "FROZEN"));
    }
  }

  static Result<uint64_t> ReadKeyedFd(int fd, std::string_view key, const std::string& path) {
    char buf[512];
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0) return SysErr("read \"{}\"", path);
    std::string_view text(buf, static_cast<size_t>(n));
    for (const std::string& line : Split(text, '\n')) {
      if (!StartsWith(line, key) || line.size() <= key.size() || line[key.size()] != ' ') continue;
      uint64_t v = 0;
      std::string_view num = TrimSpace(std::string_view(line).substr(key.size() + 1));
      std::from_chars(num.data(), num.data() + num.size(), v);
      return v;
    }
    return Err(ErrorCode::kInternal, "no \"{}\" in \"{}\"", key, path);
  }

  CgroupFs fs_;
  Hooks hooks_;
  std::string pod_;
  std::string container_;
  Node pod_node_;
  Node leaf_;
  bool auto_destroy_;
  std::vector<std::string> created_parents_;
  bool remove_pod_parent_;
  bool destroyed_ = false;
};

class CgroupJobManager final : public JobManager {
 public:
  CgroupJobManager(CgroupFs fs, Node root, Hooks hooks)
      : fs_(std::move(fs)), root_(std::move(root)), hooks_(std::move(hooks)) {}

  Result<std::unique_ptr<Job>> Create(const std::string& pod_id, const std::string& container_id,
                                      const Limits& limits) override {
    if (!pod_id.empty()) TRY(ValidateJobName("pod", pod_id));
    TRY(ValidateJobName("container", container_id));
    Node pod = pod_id.empty() ? root_ : root_.Child(pod_id);
    Node leaf = pod.Child(container_id);
    std::vector<std::string> created;  // rolled back in reverse on failure
    ScopeExit rollback([&] {
      for (auto it = created.rbegin(); it != created.rend(); ++it) (void)DoRmdir(hooks_, *it);
    });
    auto ctx = [&] { return fmt::format("create job \"{}/{}\"", pod_id, container_id); };
    for (size_t i = 0; i < root_.Dirs().size(); ++i) {
      const std::string root_dir = root_.Dirs()[i];
      const std::string pod_dir = pod.Dirs()[i];
      const std::string leaf_dir = leaf.Dirs()[i];
      size_t before = created.size();
      TRY_CTX(MkdirP(root_dir, created), "{}", ctx());
      // Remembered for RemoveCreatedRoot (a rollback below may remove them first: harmless).
      created_roots_.insert(created_roots_.end(), created.begin() + before, created.end());
      TRY_CTX(MkdirP(pod_dir, created), "{}", ctx());
      if (hooks_.before_mkdir) hooks_.before_mkdir(leaf_dir);
      if (::mkdir(leaf_dir.c_str(), 0755) < 0) {
        int e = errno;
        if (e == EEXIST)
          return Err(ErrorCode::kAlreadyExists, "{}: cgroup \"{}\" already exists", ctx(),
                     leaf_dir);
        return tl::unexpected(Error::Sys(e, fmt::format("mkdir \"{}\"", leaf_dir)).Context(ctx()));
      }
      created.push_back(leaf_dir);
      if (hooks_.after_mkdir) hooks_.after_mkdir(leaf_dir);
      TRY_CTX(InheritCpuset(leaf_dir), "{}", ctx());
    }
    if (fs_.kind == CgroupKind::kV2) TRY_CTX(EnableV2Controllers(pod), "{}", ctx());
    TRY_CTX(internal::ApplyLimits(fs_, leaf, limits), "{}", ctx());
    rollback.Dismiss();
    const std::vector<std::string> leaf_dirs = leaf.Dirs();
    std::vector<std::string> parents;
    for (const std::string& d : created)
      if (std::find(leaf_dirs.begin(), leaf_dirs.end(), d) == leaf_dirs.end()) parents.push_back(d);
    return std::unique_ptr<Job>(new CgroupJob(fs_, hooks_, pod_id, container_id, pod, leaf,
                                              /*auto_destroy=*/true, std::move(parents)));
  }

  Result<std::unique_ptr<Job>> Open(const std::string& pod_id,
                                    const std::string& container_id) override {
    if (!pod_id.empty()) TRY(ValidateJobName("pod", pod_id));
    TRY(ValidateJobName("container", container_id));
    Node pod = pod_id.empty() ? root_ : root_.Child(pod_id);
    Node leaf = pod.Child(container_id);
    // In any hierarchy: a removal killed half-way leaves the job in the others only.
    const std::vector<std::string> dirs = leaf.Dirs();
    if (std::none_of(dirs.begin(), dirs.end(), [](const std::string& d) { return sys::IsDir(d); }))
      return Err(ErrorCode::kNotFound, "job \"{}/{}\" does not exist (no \"{}\")", pod_id,
                 container_id, dirs.front());
    return std::unique_ptr<Job>(
        new CgroupJob(fs_, hooks_, pod_id, container_id, pod, leaf, /*auto_destroy=*/false));
  }

  Result<Stats> PodStats(const std::string& pod_id) override {
    TRY(ValidateJobName("pod", pod_id));
    Node pod = root_.Child(pod_id);
    if (!sys::IsDir(pod.Dirs().front()))
      return Err(ErrorCode::kNotFound, "pod \"{}\" has no job (no \"{}\")", pod_id,
                 pod.Dirs().front());
    return internal::ReadStats(fs_, pod);
  }

  Result<std::vector<std::string>> ListPods() override { return ListChildren(root_); }

  Result<std::vector<std::string>> ListContainers(const std::string& pod_id) override {
    TRY(ValidateJobName("pod", pod_id));
    return ListChildren(root_.Child(pod_id));
  }

  Status DestroyPod(const std::string& pod_id) override {
    ASSIGN_OR_RETURN(std::vector<std::string> containers, ListContainers(pod_id));
    for (const std::string& c : containers) {
      ASSIGN_OR_RETURN(std::unique_ptr<Job> job, Open(pod_id, c));
      TRY(job->Destroy());
    }
    for (const std::string& d : root_.Child(pod_id).Dirs()) TRY(RemoveCgroupDir(hooks_, d));
    return Ok();
  }

  Status RemoveRoot() override {
    for (const std::string& d : root_.Dirs()) TRY(RemoveCgroupDir(hooks_, d));
    return Ok();
  }

  Status RemoveCreatedRoot() override {
    // Deepest first; one that still holds jobs (a concurrent user of the same root) stays, and
    // so do its ancestors.
    for (auto it = created_roots_.rbegin(); it != created_roots_.rend(); ++it) {
      int e = DoRmdir(hooks_, *it);
      if (e != 0 && e != ENOENT && e != ENOTEMPTY && e != EBUSY)
        return SysErrN(e, "remove cgroup \"{}\"", *it);
    }
    created_roots_.clear();
    return Ok();
  }

  std::string Describe() const override {
    return fmt::format("cgroup {} jobs under \"{}\"", CgroupKindName(fs_.kind),
                       Join(root_.Dirs(), "\", \""));
  }

 private:
  // Makes `dir` and its missing ancestors. The mkdir comes first (one system call when the
  // parent exists, as it mostly does); only ENOENT walks up. A caller that marks what it makes
  // (before_mkdir: the OCI runtime) is told only of directories that are not there yet.
  Status MkdirP(const std::string& dir, std::vector<std::string>& created) {
    if (hooks_.before_mkdir) {
      if (sys::IsDir(dir)) return Ok();
      hooks_.before_mkdir(dir);
    }
    int e = ::mkdir(dir.c_str(), 0755) == 0 ? 0 : errno;
    if (e == ENOENT) {
      auto slash = dir.rfind('/');
      if (slash == std::string::npos || slash == 0) return SysErrN(e, "mkdir \"{}\"", dir);
      TRY(MkdirP(dir.substr(0, slash), created));
      e = ::mkdir(dir.c_str(), 0755) == 0 ? 0 : errno;
    }
    if (e == EEXIST) {
      // It was there, or another process made it a moment ago (two supervisors make their job
      // root at once): its cpuset may not be set yet.
      return InheritCpuset(dir);
    }
    if (e != 0) return SysErrN(e, "mkdir \"{}\"", dir);
    created.push_back(dir);
    if (hooks_.after_mkdir) hooks_.after_mkdir(dir);
    return InheritCpuset(dir);
  }

  // cgroup v1 cpuset: a new cgroup starts with empty cpuset.cpus/mems and refuses tasks
  // (ENOSPC) until they are set; give it its parent's (what runc and kubelet do). A parent still
  // empty (made by another process that has not set it yet) is given its own parent's first, up
  // to the hierarchy's root, as runc's cpuset ensureParent does: copying its emptiness left the
  // container unable to join (seen once in CI as `join job ...: No space left on device`).
  Status InheritCpuset(const std::string& dir) {
    auto it = fs_.controllers.find("cpuset");
    if (fs_.kind == CgroupKind::kV2 || it == fs_.controllers.end() ||
        !StartsWith(dir, it->second + "/"))
      return Ok();
    const std::string parent = dir.substr(0, dir.rfind('/'));
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
      auto own = ReadCg(dir + "/" + f);
      if (!own || !TrimSpace(*own).empty()) continue;  // no such file (fake) or already set
      ASSIGN_OR_RETURN(std::string value, ReadCg(parent + "/" + f));
      if (TrimSpace(value).empty()) {
        TRY(InheritCpuset(parent));
        ASSIGN_OR_RETURN(value, ReadCg(parent + "/" + f));
      }
      TRY(WriteCg(dir + "/" + f, TrimSpace(value)));
    }
    return Ok();
  }

  // cgroup v2: controllers must be enabled in every ancestor's cgroup.subtree_control for the
  // leaf to get their files. Best effort: a controller the parent does not delegate stays off,
  // and a limit that needs it then fails with the missing file's path.
  Status EnableV2Controllers(const Node& pod) {
    std::vector<std::string> want;
    for (const char* c : {"cpu", "memory", "io", "pids"})
      if (fs_.has(c)) want.push_back(fmt::format("+{}", c));
    if (want.empty()) return Ok();
    auto enable = [&](const std::string& dir) {
      if (WriteCg(dir + "/cgroup.subtree_control", Join(want, " "))) return;
      for (const std::string& w : want) (void)WriteCg(dir + "/cgroup.subtree_control", w);
    };
    auto slash = root_.unified.rfind('/');
    if (slash != std::string::npos && root_.unified.substr(0, slash).size() >= fs_.root.size())
      enable(root_.unified.substr(0, slash));
    enable(root_.unified);
    enable(pod.unified);
    return Ok();
  }

  // The jobs under `node` in any of its hierarchies, sorted: a removal killed between two of
  // its rmdirs leaves a job in the later hierarchies only, which must still be found to be
  // removed (the chaos test found a pod's cgroup left in 8 of 10 v1 hierarchies).
  static Result<std::vector<std::string>> ListChildren(const Node& node) {
    std::set<std::string> all;
    for (const std::string& d : node.Dirs()) {
      ASSIGN_OR_RETURN(std::vector<std::string> names, ListSubdirs(d));
      all.insert(names.begin(), names.end());
    }
    return std::vector<std::string>(all.begin(), all.end());
  }

  static Result<std::vector<std::string>> ListSubdirs(const std::string& dir) {
    if (!sys::IsDir(dir)) return std::vector<std::string>{};
    ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
    std::vector<std::string> out;
    for (const std::string& n : names)
      if (sys::IsDir(dir + "/" + n)) out.push_back(n);
    std::sort(out.begin(), out.end());
    return out;
  }

  CgroupFs fs_;
  Node root_;
  Hooks hooks_;
  std::vector<std::string> created_roots_;  // the root and its ancestors that Create made
};

}  // namespace

Status SignalPids(Job& job, int sig) {
  ASSIGN_OR_RETURN(std::vector<pid_t> pids, job.Pids());
  for (pid_t p : pids)
    if (p > 1 && ::kill(p, sig) < 0 && errno != ESRCH)
      return SysErr("send signal {} to process {} of job \"{}\"", sig, p, job.Describe());
  return Ok();
}

Result<std::unique_ptr<JobManager>> NewCgroupJobManager(CgroupManagerOptions options) {
  const CgroupFs& fs = options.fs;
  std::string root = options.root;
  if (root.empty()) return Err(ErrorCode::kInvalidArgument, "cgroup root must not be empty");
  for (const std::string& part : Split(root, '/'))
    if (part == "..")
      return Err(ErrorCode::kInvalidArgument, "cgroup root \"{}\" must not contain \"..\"", root);
  bool relative = root[0] != '/';
  std::map<std::string, std::string> self;
  if (relative) {
    if (options.self_cgroup.empty()) {
      ASSIGN_OR_RETURN(options.self_cgroup, sys::ReadFile("/proc/self/cgroup"));
    }
    self = ParseProcCgroup(options.self_cgroup);
  }
  auto base = [&](const std::string& key) {
    if (!relative) return root;
    auto it = self.find(key);
    return JoinPath(it == self.end() ? "/" : it->second, root);
  };
  Node node;
  if (!fs.unified.empty()) node.unified = JoinPath(fs.unified, base(""));
  if (fs.kind != CgroupKind::kV2)
    for (const auto& [ctrl, mount] : fs.controllers) node.v1[ctrl] = JoinPath(mount, base(ctrl));
  if (node.Dirs().empty())
    return Err(ErrorCode::kUnsupported, "no cgroup hierarchy under \"{}\"", fs.root);
  internal::Hooks hooks{std::move(options.after_mkdir), std::move(options.rmdir),
                        std::move(options.before_mkdir)};
  return std::unique_ptr<JobManager>(new CgroupJobManager(fs, std::move(node), std::move(hooks)));
}

Result<std::unique_ptr<JobManager>> NewJobManager(const JobOptions& options) {
  ASSIGN_OR_RETURN_CTX(CgroupFs fs, CgroupFs::Detect(), "open jobs");
  CgroupManagerOptions o;
  o.fs = std::move(fs);
  o.root = options.root;
  return NewCgroupJobManager(std::move(o));
}

}  // namespace hp::job
