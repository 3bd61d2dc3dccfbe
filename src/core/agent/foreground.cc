#include "core/agent/foreground.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "core/agent/cleanup.h"
#include "core/agent/status.h"
#include "core/agent/store.h"
#include "core/base/strings.h"
#include "core/launch/launch.h"
#include "core/pod/runner.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::agent {
namespace {

// How long a reaper waits for a keeper that is still cleaning up after its dead run.
constexpr auto kKeeperWait = std::chrono::seconds(30);
// Written to the keeper's pipe by a run that removed its record and lock itself (Finish); the
// keeper then leaves without looking (hostprocess-keeper's main has the same byte).
constexpr char kRunFinished = 'F';

nlohmann::json ToJson(const ForegroundRecord& r) {
  return {{"pid", r.pid},
          {"start", r.start},
          {"boot", r.boot},
          {"keeper", r.keeper},
          {"root", r.root},
          {"cgroupRoot", r.job_root},
          {"podUid", r.pod_uid},
          {"containers", r.container_ids},
          {"removeDir", r.remove_dir}};
}

Result<ForegroundRecord> ReadRecord(const std::string& path) {
  ASSIGN_OR_RETURN(nlohmann::json j, ReadJsonFile(path));
  ForegroundRecord r;
  try {
    r.pid = j.at("pid").get<pid_t>();
    r.start = j.at("start").get<uint64_t>();
    r.boot = j.value("boot", "");
    r.keeper = j.value("keeper", pid_t{0});
    r.root = j.value("root", "");
    r.job_root = j.at("cgroupRoot").get<std::string>();
    r.pod_uid = j.at("podUid").get<std::string>();
    r.container_ids = j.value("containers", std::vector<std::string>{});
    r.remove_dir = j.value("removeDir", "");
  } catch (const nlohmann::json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "\"{}\": {}", path, e.what());
  }
  return r;
}

bool RunAlive(const ForegroundRecord& r, const std::string& boot) {
  if (r.pid <= 0 || r.start == 0) return false;
  if (!r.boot.empty() && r.boot != boot) return false;  // another boot's pid
  return ProcessAlive(r.pid, r.start);
}

bool TryLock(int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; }

// Removes the files of record `stem`: the record first, the lock last (it guards the rest).
void RemoveRecordFiles(const std::string& dir, const std::string& stem,
                       const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n.rfind(stem + ".json", 0) == 0) (void)::unlink((dir + "/" + n).c_str());
  }
  (void)::unlink((dir + "/" + stem + ".lock.new").c_str());
  (void)::unlink((dir + "/" + stem + ".lock").c_str());
}

// Tells the keeper that the run removed everything itself (it leaves at once, looking for
// nothing), without dying of SIGPIPE when the keeper is gone (killed): the signal a write to a
// pipe without reader raises is blocked for the write, and taken if it came.
void TellKeeperFinished(int pipe) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  if (::write(pipe, &kRunFinished, 1) < 0 && errno == EPIPE) {
    struct timespec now = {0, 0};
    (void)sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

// The run's lock (`lock_path`, or under its temporary name if the run died before it renamed
// it), taken when its other holder ends: the dying run's last descriptors, or a command reaping
// the run itself. Invalid when it is gone or still held after kKeeperWait.
UniqueFd TakeRunLock(const std::string& lock_path) {
  auto fd = sys::Open(lock_path, O_RDWR | O_CLOEXEC);
  if (!fd) fd = sys::Open(lock_path + ".new", O_RDWR | O_CLOEXEC);
  if (!fd) return UniqueFd();
  auto deadline = std::chrono::steady_clock::now() + kKeeperWait;
  while (!TryLock(fd->get())) {
    if (std::chrono::steady_clock::now() >= deadline) return UniqueFd();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::move(*fd);
}

// The keeper forked by a `hostprocess` without its keeper program (hostprocess-keeper's main
// does the same with system calls): waits until `run` (the only writer of `pipe`) is gone; if
// its record is still there, `run` died before its teardown: with the run's lock taken,
// everything the record names is removed.
[[noreturn]] void KeeperMain(int pipe, const std::string& json_path, const std::string& lock_path) {
  ::setpgid(0, 0);  // out of the terminal's foreground group: Ctrl-C is `run`'s to handle
  for (int sig : {SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE}) {
    ::signal(sig, SIG_IGN);
  }
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
  }
  // Only the pipe: nothing of `run`'s (the store, log files) is kept open. With close_range: two
  // calls instead of a thousand close()s on `run`'s path.
  unsigned p = static_cast<unsigned>(pipe);
  bool closed = true;
  for (auto [first, last] : {std::pair{3U, p - 1}, std::pair{p + 1, ~0U}}) {
    if (first <= last && ::syscall(SYS_close_range, first, last, 0) != 0) closed = false;
  }
  for (int fd = 3; !closed && fd < 1024; ++fd) {  // a kernel before 5.9
    if (fd != pipe) ::close(fd);
  }
  char c;
  bool finished = false;
  while (true) {
    ssize_t n = ::read(pipe, &c, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
    if (n == 1 && c == kRunFinished) finished = true;
  }
  if (finished) ::_exit(0);
  if (!sys::Exists(json_path)) {
    FinishKilledRun(json_path, lock_path);  // killed before its record: only its set-up files
  } else if (UniqueFd lock = TakeRunLock(lock_path)) {
    FinishKilledRun(json_path, lock_path);
  }
  ::_exit(0);
}

}  // namespace

void FinishKilledRun(const std::string& json_path, const std::string& lock_path) {
  // The run's files go as a reaper removes them (RemoveRecordFiles): the record with its write
  // temporaries (a run killed while it wrote it), then the lock under either name (a run killed
  // before it renamed it: ForegroundRun::Begin).
  constexpr std::string_view kLock = ".lock";
  size_t slash = lock_path.rfind('/');
  auto remove_files = [&] {
    if (slash == std::string::npos || !EndsWith(lock_path, kLock)) {  // not `run`'s naming
      (void)::unlink(json_path.c_str());
      (void)::unlink(lock_path.c_str());
      return;
    }
    std::string dir = lock_path.substr(0, slash);
    std::string stem = lock_path.substr(slash + 1, lock_path.size() - slash - 1 - kLock.size());
    auto names = sys::ListDir(dir);
    RemoveRecordFiles(dir, stem, names ? *names : std::vector<std::string>{});
  };
  if (!sys::Exists(json_path)) {
    remove_files();  // killed before its record: only what its set-up left
    return;
  }
  auto rec = ReadRecord(json_path);
  if (rec && CleanupForegroundRun(*rec)) remove_files();
  // Otherwise the record stays: the next command tries again and says what failed.
}

std::string ForegroundDir(const std::string& root) { return root + "/run/foreground"; }

Result<ForegroundRun> ForegroundRun::Begin(const std::string& root, const std::string& job_root,
                                           const std::string& pod_uid,
                                           const std::string& remove_dir, size_t containers) {
  std::string dir = ForegroundDir(root);
  TRY(sys::MkdirAll(dir, 0700));
  ASSIGN_OR_RETURN(std::string stem, pod::NewContainerId());
  ForegroundRun run;
  run.json_path_ = dir + "/" + stem + ".json";
  run.lock_path_ = dir + "/" + stem + ".lock";
  ForegroundRecord& r = run.record_;
  r.root = root;
  // The keeper first, before anything of this run exists: a run killed at any later moment
  // leaves it something to act on (the lock under its temporary name, or the record).
  TRY(run.StartKeeper());
  // Locked under a temporary name and renamed once the record exists: a reaper never sees the
  // lock file of this run unlocked.
  std::string fresh = run.lock_path_ + ".new";
  ASSIGN_OR_RETURN(run.lock_, sys::Open(fresh, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!TryLock(run.lock_.get())) return SysErr("flock \"{}\"", fresh);
  r.pid = ::getpid();
  r.start = ProcessStartTime(r.pid);
  ASSIGN_OR_RETURN(r.boot, KernelBootId());
  r.job_root = job_root;
  r.pod_uid = pod_uid;
  r.remove_dir = remove_dir;
  Status s = Ok();
  for (size_t i = 0; s && i < containers; ++i) {
    auto id = pod::NewContainerId();
    if (id)
      r.container_ids.push_back(std::move(*id));
    else
      s = Err(std::move(id).error());
  }
  // One write holds the keeper and every id.
  if (s) s = run.Save();
  if (s && ::rename(fresh.c_str(), run.lock_path_.c_str()) != 0) {
    s = SysErr("rename \"{}\"", fresh);
  }
  if (!s) {
    (void)::unlink(run.json_path_.c_str());
    (void)::unlink(fresh.c_str());
    return Err(std::move(s).error());
  }
  run.active_ = true;
  return run;
}

ForegroundRun& ForegroundRun::operator=(ForegroundRun&& o) noexcept {
  json_path_ = std::move(o.json_path_);
  lock_path_ = std::move(o.lock_path_);
  record_ = std::move(o.record_);
  lock_ = std::move(o.lock_);
  keeper_pipe_ = std::move(o.keeper_pipe_);
  next_container_ = o.next_container_;
  active_ = o.active_;
  o.record_.keeper = 0;
  o.active_ = false;
  return *this;
}

Status ForegroundRun::Save() { return WriteJsonFileAtomic(json_path_, ToJson(record_)); }

Status ForegroundRun::StartKeeper() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd r(p[0]), w(p[1]);
  std::string self = sys::SelfExe().value_or("");
  std::string keeper = self.substr(0, self.rfind('/') + 1) + "hostprocess-keeper";
  if (!self.empty() && ::access(keeper.c_str(), X_OK) == 0) {
    // The small keeper program, exec'd from a clone that copies nothing of this process
    // (hp/launch): the pipe as fd 3, in a session of its own.
    ASSIGN_OR_RETURN(UniqueFd null_fd, sys::Open("/dev/null", O_RDWR | O_CLOEXEC));
    launch::LaunchSpec spec;
    spec.path = keeper;
    spec.argv = {"hostprocess-keeper", json_path_,     lock_path_, self,      "--root",
                 record_.root,         "__finish-run", json_path_, lock_path_};
    spec.env = launch::CurrentEnvironment();
    spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = null_fd.get();
    spec.extra_fds = {r.get()};
    spec.new_session = true;
    ASSIGN_OR_RETURN_CTX(launch::Process proc, launch::Launch(spec), "start the keeper");
    record_.keeper = proc.pid;
  } else {
    // Without it (a binary copied alone): a fork of this process runs the keeper.
    pid_t pid = ::fork();
    if (pid < 0) return SysErr("fork the keeper");
    if (pid == 0) {
      w.reset();
      KeeperMain(r.get(), json_path_, lock_path_);
    }
    record_.keeper = pid;
  }
  keeper_pipe_ = std::move(w);
  return Ok();
}

Result<std::string> ForegroundRun::NextContainerId() {
  if (next_container_ < record_.container_ids.size())
    return record_.container_ids[next_container_++];
  ASSIGN_OR_RETURN(std::string id, pod::NewContainerId());
  record_.container_ids.push_back(id);
  TRY(Save());
  next_container_ = record_.container_ids.size();
  return id;
}

Status ForegroundRun::Finish() {
  if (!active_) return Ok();
  active_ = false;
  Status s = Ok();
  if (::unlink(json_path_.c_str()) != 0 && errno != ENOENT) s = SysErr("unlink \"{}\"", json_path_);
  if (s) {
    (void)::unlink(lock_path_.c_str());
    TellKeeperFinished(keeper_pipe_.get());
  }
  keeper_pipe_.reset();
  if (record_.keeper > 0) {
    int st = 0;
    while (::waitpid(record_.keeper, &st, 0) < 0 && errno == EINTR) {
    }
    record_.keeper = 0;
  }
  lock_.reset();
  return s;
}

ForegroundRun::~ForegroundRun() {
  // Not finished (an early return): the keeper, seeing the record, takes the lock and removes
  // what exists. The lock goes first: the keeper waits for it, and this waits for the keeper.
  lock_.reset();
  keeper_pipe_.reset();
  if (record_.keeper > 0) {
    int st = 0;
    while (::waitpid(record_.keeper, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

Status CleanupForegroundRun(const ForegroundRecord& r) {
  Status s = CleanupPod({r.root, r.job_root, r.pod_uid, r.container_ids});
  // Only below the root's logs (the record might be damaged).
  std::string logs = r.root + "/logs/";
  if (s && !r.remove_dir.empty() && r.remove_dir.rfind(logs, 0) == 0 &&
      r.remove_dir.find("/..") == std::string::npos) {
    s = sys::RemoveAll(r.remove_dir);
  }
  return s;
}

Result<std::vector<ForegroundRecord>> ReapForegroundRuns(
    const std::string& root, const std::function<void(const std::string&)>& warn) {
  std::vector<ForegroundRecord> live;
  std::string dir = ForegroundDir(root);
  if (!sys::IsDir(dir)) return live;
  auto say = [&](const std::string& m) {
    if (warn) warn(m);
  };
  ASSIGN_OR_RETURN(std::vector<std::string> names, sys::ListDir(dir));
  std::map<std::string, std::vector<std::string>> by_stem;
  for (const std::string& n : names) by_stem[n.substr(0, n.find('.'))].push_back(n);
  ASSIGN_OR_RETURN(std::string boot, KernelBootId());
  for (const auto& [stem, files] : by_stem) {
    std::string json = dir + "/" + stem + ".json";
    std::string lock = dir + "/" + stem + ".lock";
    bool fresh = !sys::Exists(lock);
    if (fresh) lock += ".new";
    UniqueFd fd;
    if (sys::Exists(lock)) {
      auto opened = sys::Open(lock, O_RDWR | O_CLOEXEC);
      if (!opened) continue;  // removed meanwhile: its owner finished
      fd = std::move(*opened);
    }
    if (fd && !TryLock(fd.get())) {
      auto rec = ReadRecord(json);
      if (fresh || (rec && RunAlive(*rec, boot))) {  // alive (or still writing its record)
        if (rec) live.push_back(std::move(*rec));
        continue;
      }
      // `run` is dead and its keeper (or another command) is cleaning up: wait for it, so that
      // nothing of it is left once this command has opened the root.
      auto deadline = std::chrono::steady_clock::now() + kKeeperWait;
      bool locked = false;
      while (!(locked = TryLock(fd.get())) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!locked) {
        say(fmt::format("\"{}\": the keeper of a killed `hostprocess run` is still busy", json));
        continue;
      }
    }
    if (!sys::Exists(json)) {  // nothing was created yet, or the keeper removed it all
      RemoveRecordFiles(dir, stem, files);
      continue;
    }
    auto rec = ReadRecord(json);
    if (!rec) {
      say(rec.error().ToString() + ": cannot tell what a killed `hostprocess run` left: removed");
      RemoveRecordFiles(dir, stem, files);
      continue;
    }
    rec->root = root;  // as this command names it (the record's may be relative)
    if (auto s = CleanupForegroundRun(*rec); !s) {
      say(fmt::format("clean up after a killed `hostprocess run` (pod uid {}): {}", rec->pod_uid,
                      s.error().ToString()));
      continue;  // the record stays: the next command tries again
    }
    say(
        fmt::format("removed what a killed `hostprocess run` (pid {}) left: pod uid {}, {} "
                    "container(s)",
                    rec->pid, rec->pod_uid, rec->container_ids.size()));
    RemoveRecordFiles(dir, stem, files);
  }
  return live;
}

}  // namespace hp::agent
