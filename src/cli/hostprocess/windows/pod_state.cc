#include "cli/hostprocess/windows/pod_state.h"

#include <windows.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/runs.h"
#include "core/agent/apply_plan.h"
#include "core/agent/daemonset_events.h"
#include "core/agent/desired.h"
#include "core/agent/grace.h"
#include "core/agent/naming.h"
#include "core/agent/node.h"
#include "core/agent/pod_spec.h"
#include "core/agent/reconciler.h"
#include "core/agent/schedule.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/decode.h"
#include "core/sys/file.h"
#include "core/sys/windows/file_lock.h"
#include "core/sys/windows/private_dir.h"
#include "core/sys/windows/wide.h"
#include "core/windows/command_line.h"

namespace hp::cli::windows_node {
namespace {

namespace fs = std::filesystem;

// 32 lowercase hex digits: NewContainerId's form, the only volume names removed.
bool IsContainerId(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}
using nlohmann::json;

fs::path FsPath(const std::string& utf8) { return fs::path(sys::Widen(utf8)); }

// The pod's supervisor as recorded in supervisor.json (kGone when there is no record).
Liveness CheckSupervisor(const std::string& dir, DWORD access, HANDLE* handle) {
  auto j = ReadJson(dir + "\\supervisor.json");
  if (!j || !j->is_object()) return Liveness::kGone;
  return CheckProcess(j->value("pid", uint32_t{0}), j->value("startTime", uint64_t{0}), access,
                      handle);
}

// Removes `path` and what is below it, retrying for up to 10 s while dying processes still
// hold files in it. False when something is left.
bool RemoveTree(const std::string& path) {
  for (int i = 0; i < 100; ++i) {
    if (sys::RemoveAll(path)) return true;  // links inside are removed, never followed
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string Self() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n < path.size()) {
      path.resize(n);
      return sys::Narrow(path);
    }
    path.resize(path.size() * 2);
  }
}

}  // namespace

uint64_t ProcessCreationTime(void* process) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(static_cast<HANDLE>(process), &created, &exited, &kernel, &user)) return 0;
  return (uint64_t{created.dwHighDateTime} << 32) | created.dwLowDateTime;
}

Liveness CheckProcess(uint32_t pid, uint64_t start, unsigned long access, void** handle) {
  if (pid == 0) return Liveness::kGone;
  HANDLE h = OpenProcess(access | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (!h) {
    // Only "no such process" means gone: a process this account may not open may well run
    // (an elevated supervisor seen from an unelevated prompt), and nothing is removed under it.
    return GetLastError() == ERROR_INVALID_PARAMETER ? Liveness::kGone : Liveness::kDenied;
  }
  DWORD code = 0;
  bool alive =
      ProcessCreationTime(h) == start && GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
  if (alive && handle) {
    *handle = h;
  } else {
    CloseHandle(h);
  }
  return alive ? Liveness::kAlive : Liveness::kGone;
}

std::string PodsDir(const std::string& root) { return root + "\\pods"; }
std::string PodDir(const std::string& root, const std::string& key) {
  return PodsDir(root) + "\\" + key;
}
std::string DaemonSetPath(const std::string& root, const std::string& key) {
  return agent::DesiredObjects(root).DesiredPath("daemonsets", key);
}
std::string LogDir(const std::string& root, const std::string& key) {
  return root + "\\logs\\" + key;
}
std::string LogPath(const std::string& root, const std::string& key, const std::string& container,
                    int restart) {
  return LogDir(root, key) + "\\" + container + "\\" + std::to_string(restart) + ".log";
}

std::optional<json> ReadJson(const std::string& path) {
  // The store's reader (agent::ReadJsonFile over sys::Open), which opens with every sharing
  // mode, delete included: a reader never makes the writer's move over this file fail.
  auto j = agent::ReadJsonFile(path);
  if (!j) return std::nullopt;
  return std::move(*j);
}

Status WriteJson(const std::string& path, const json& j) {
  // Aside and moved over, retried against other programs' readers (sys::WriteFileAtomic).
  return sys::WriteFileAtomic(path, j.dump(-1, ' ', true));
}

PodRecord NewPodRecord(const std::string& volume_root) {
  PodRecord r;
  r.job_root.clear();  // Linux's settings are not this node's (pod_record.h)
  r.volume_root = volume_root;
  r.created = NowUnixSeconds();
  return r;
}

Result<PodRecord> ReadPodRecord(const std::string& root, const std::string& key) {
  ASSIGN_OR_RETURN(PodRecord r, agent::ReadPodRecord(PodDir(root, key) + "\\pod.json"));
  if (r.volume_root.empty()) r.volume_root = kDefaultVolumeRoot;
  return r;
}

Result<PodRecord> ReadPodRecordBeforeRemoving(const std::string& root, const std::string& key) {
  auto rec = ReadPodRecord(root, key);
  if (rec) return rec;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return ReadPodRecord(root, key);
}

Result<k8s::Pod> DecodeRecordPod(const std::string& root, const std::string& key,
                                 const PodRecord& r) {
  std::string source = PodDir(root, key) + "\\pod.json";
  ASSIGN_OR_RETURN(k8s::Decoded decoded, k8s::DecodeString(r.pod.dump(), source));
  if (decoded.objects.empty() || !decoded.objects[0].pod())
    return Err(ErrorCode::kInvalidArgument, "\"{}\": no Pod", source);
  return *decoded.objects[0].pod();
}

agent::PodStatus InitialStatus(const json& pod) {
  agent::PodStatus s = agent::InitialStatus(pod);  // shared with Linux
  s.start_time = NowUnixSeconds();
  return s;
}

std::optional<agent::PodStatus> ReadStatus(const std::string& root, const std::string& key) {
  // The Linux node's reader (fast for the shape it writes, else through the tree).
  auto status = agent::ReadPodStatus(PodDir(root, key) + "\\status.json");
  if (!status) return std::nullopt;
  return std::move(*status);
}

bool SupervisorAlive(const std::string& root, const std::string& key) {
  return CheckSupervisor(PodDir(root, key), 0, nullptr) != Liveness::kGone;
}

agent::PodStatus ViewStatus(const std::string& root, const std::string& key, const PodRecord& rec) {
  agent::PodStatus s = ReadStatus(root, key).value_or(InitialStatus(rec.pod));
  bool alive = s.finished || s.WithoutSupervisor() || SupervisorAlive(root, key);
  return ViewStatus(std::move(s), alive);
}

agent::PodStatus ViewStatus(agent::PodStatus s, bool supervisor_alive_or_finished) {
  if (supervisor_alive_or_finished) return s;
  for (auto* list : {&s.init_containers, &s.containers}) {
    for (agent::ContainerStatus& c : *list) {
      if (c.state.kind == "terminated") continue;
      c.state = {"terminated",       "Error",         "the pod's supervisor ended", 1, 0,
                 c.state.started_at, NowUnixSeconds()};
      c.ready = false;
    }
  }
  s.phase = "Failed";
  s.ready = s.containers_ready = false;
  return s;
}

std::vector<std::string> PodKeys(const std::string& root, const std::string& ns) {
  std::vector<std::string> keys;
  for (const std::string& key : sys::ListDir(PodsDir(root)).value_or(std::vector<std::string>{}))
    if (ns.empty() || StartsWith(key, ns + "_")) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

namespace {

// Starts the pod's supervisor (detached) and records its pid and creation time.
Status StartSupervisor(const std::string& root, const std::string& key) {
  std::string dir = PodDir(root, key);
  // Quoted by the C runtime's rules (a root ending in `\` would otherwise escape its quote) and
  // with the root made absolute: the supervisor outlives this command's working directory.
  std::wstring full(MAX_PATH, L'\0');
  std::wstring wide_root = sys::Widen(root);
  DWORD n =
      GetFullPathNameW(wide_root.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
  std::string absolute = n > 0 && n < full.size() ? sys::Narrow({full.data(), n}) : root;
  std::wstring cmdline =
      sys::Widen(windows::JoinCommandLine({Self(), "--root", absolute, "supervise-pod", key}));
  STARTUPINFOW si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  // Out of this command's job, if it runs in one (an SSH session, a CI agent): the pod must not
  // die when that session ends.
  DWORD flags = DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_BREAKAWAY_FROM_JOB;
  BOOL started = CreateProcessW(nullptr, cmdline.data(), nullptr, nullptr, FALSE, flags, nullptr,
                                nullptr, &si, &pi);
  if (!started && GetLastError() == ERROR_ACCESS_DENIED)
    return Err(ErrorCode::kPermissionDenied,
               "start the supervisor of pod \"{}\": this command runs in a job that does not let "
               "processes break away, so the pod would die with it; run it outside that job (for "
               "example from a service or a console that is not in a job)",
               key);
  if (!started) return Err(sys::Win32Error("start the supervisor of pod \"" + key + "\""));
  Status saved =
      WriteJson(dir + "\\supervisor.json",
                {{"pid", pi.dwProcessId}, {"startTime", ProcessCreationTime(pi.hProcess)}});
  if (!saved) TerminateProcess(pi.hProcess, 1);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return saved;
}

// Removes the volumes and ephemeral users of the containers the pod's status names as existing
// (each id is recorded before either is made); what is left goes into `left`.
void RemoveLiveVolumes(const std::string& root, const std::string& key,
                       std::vector<std::string>& left) {
  // From the record, else from the status (its supervisor writes it there too), else the default.
  auto rec = ReadPodRecord(root, key);
  auto st = ReadStatus(root, key);
  std::string volume_root = kDefaultVolumeRoot;
  if (rec)
    volume_root = rec->volume_root;
  else if (st && !st->volume_root.empty())
    volume_root = st->volume_root;
  if (st) {
    for (const std::string& id : st->live_containers) {
      if (!IsContainerId(id)) continue;  // never a path: only a volume of ours is removed
      for (std::string& what :
           RemoveLeftovers(volume_root + "\\" + id, id, std::chrono::seconds(10)))
        left.push_back(std::move(what));
    }
  }
}

// A pod whose supervisor died before the pod finished: kill-on-job-close ended its containers.
// (A pod not placed here has none by design.) `st`: its status as read (none yet: nullopt).
bool Lost(const std::string& root, const std::string& key,
          const std::optional<agent::PodStatus>& st) {
  return !(st && (st->finished || st->WithoutSupervisor())) &&
         CheckSupervisor(PodDir(root, key), 0, nullptr) == Liveness::kGone;
}

// The status of a pod `p` did not place, with the events its status keeps (`stored`).
agent::PodStatus UnplacedStatus(const json& pod, const std::optional<agent::PodStatus>& stored,
                                const agent::Placement& p) {
  agent::PodStatus status = InitialStatus(pod);
  if (stored) status.events = stored->events;
  agent::MarkUnplaced(status, p, NowUnixSeconds());
  return status;
}

}  // namespace

Status CreatePod(const std::string& root, const std::string& key, const PodRecord& record,
                 const agent::Placement& placed) {
  // Its uid, as on Linux (agent::NewUid): for the downward API's metadata.uid and kubelet's
  // pod references in events and back-off messages.
  PodRecord r = record;
  if (r.pod.is_object()) r.pod["metadata"]["uid"] = agent::NewUid();
  std::string dir = PodDir(root, key);
  std::error_code ec;
  fs::create_directories(FsPath(dir), ec);
  auto undo = [&](Error e) {
    RemoveTree(dir);
    return tl::unexpected(std::move(e));
  };
  if (ec) return undo(Error("create \"" + dir + "\": " + ec.message(), ErrorCode::kInternal));
  json status = placed.kind == agent::Placement::kPlaced ? InitialStatus(r.pod)
                                                         : UnplacedStatus(r.pod, {}, placed);
  if (Status s = WriteJson(dir + "\\pod.json", r); !s) return undo(s.error());
  if (Status s = WriteJson(dir + "\\status.json", status); !s) return undo(s.error());
  if (placed.kind != agent::Placement::kPlaced) return Ok();
  if (Status s = StartSupervisor(root, key); !s) return undo(s.error());
  return Ok();
}

std::vector<agent::HostPort> HeldHostPorts(const std::string& root) {
  std::vector<agent::HostPort> held;
  for (const std::string& key : PodKeys(root, "")) {
    // No status yet: being made, it holds its ports (a new status is Pending).
    agent::PodStatus st = ReadStatus(root, key).value_or(agent::PodStatus{});
    if (!st.HoldsHostPorts()) continue;  // its record is not read
    auto kept = ReadPodRecord(root, key);
    if (!kept) continue;
    auto ports = agent::HostPortsHeld(st, kept->pod);
    held.insert(held.end(), ports.begin(), ports.end());
  }
  return held;
}

namespace {

// The pod's terminationGracePeriodSeconds as its record says (unset: the default).
std::optional<int64_t> RecordedGrace(const std::string& root, const std::string& key) {
  auto r = ReadPodRecord(root, key);
  if (!r) return std::nullopt;
  auto spec = r->pod.find("spec");
  if (spec == r->pod.end() || !spec->is_object()) return std::nullopt;
  auto g = spec->find("terminationGracePeriodSeconds");
  if (g == spec->end() || !g->is_number_integer()) return std::nullopt;
  return g->get<int64_t>();
}

}  // namespace

Status RemovePod(const std::string& root, const std::string& key,
                 std::optional<int64_t> grace_seconds) {
  std::string dir = PodDir(root, key);
  // The supervisor is asked to stop the containers (a `stop` file: each job gets
  // CTRL_SHUTDOWN_EVENT and the grace period, then is terminated) and given the grace period
  // and 10 s to end; then, or when it cannot be asked, it dies, and with its Job Object handles
  // the containers (kill-on-job-close). Nothing is removed while it may still run.
  HANDLE h = nullptr;
  switch (CheckSupervisor(dir, PROCESS_TERMINATE | SYNCHRONIZE, &h)) {
    case Liveness::kDenied:
      return Err(ErrorCode::kPermissionDenied,
                 "pod \"{}\": its supervisor cannot be stopped by this account (access denied): "
                 "run the command as the account that applied the pod (an administrator)",
                 key);
    case Liveness::kAlive: {
      auto wait =
          agent::SupervisorStopWait(grace_seconds ? grace_seconds : RecordedGrace(root, key));
      bool asked =
          static_cast<bool>(sys::WriteFile(dir + "\\stop", agent::StopFileText(grace_seconds)));
      DWORD ms = static_cast<DWORD>(std::min<int64_t>(wait.count(), INFINITE - 1));
      DWORD waited = asked ? WaitForSingleObject(h, ms) : WAIT_TIMEOUT;
      if (waited != WAIT_OBJECT_0) {
        TerminateProcess(h, 1);
        waited = WaitForSingleObject(h, 10000);
      }
      CloseHandle(h);
      if (waited != WAIT_OBJECT_0)
        return Err(ErrorCode::kInternal,
                   "pod \"{}\": its supervisor did not end within 10 s; nothing was removed", key);
      break;
    }
    case Liveness::kGone:
      break;
  }
  // Each container's id is in liveContainers from before its volume is made until that volume
  // is gone.
  std::vector<std::string> left;
  RemoveLiveVolumes(root, key, left);
  std::vector<std::string> paths;
  paths.push_back(dir);
  paths.push_back(LogDir(root, key));
  for (const std::string& path : paths)
    if (!RemoveTree(path)) left.push_back("\"" + path + "\"");
  if (!left.empty())
    return Err(ErrorCode::kInternal, "pod \"{}\": cannot remove {}", key, Join(left, ", "));
  return Ok();
}

DaemonSetListing ListDaemonSets(const std::string& root) {
  DaemonSetListing out;
  auto listing = agent::ListDaemonSetViews(agent::DesiredObjects(root), agent::LocalNode({}));
  if (!listing) {  // the directory cannot be listed: nothing applied can be seen
    out.messages.push_back(listing.error().ToString());
    return out;
  }
  out.daemonsets = std::move(listing->daemonsets);
  out.unreadable = std::move(listing->unreadable);
  for (const agent::UnreadableDaemonSet& u : out.unreadable)
    out.messages.push_back("\"" + u.path + "\": damaged; `delete daemonset` removes it");
  return out;
}

std::string VolumeRootIn(const json& fields) {
  const json& v = fields.is_object() ? fields.value("volumeRoot", json()) : json();
  return v.is_string() ? v.get<std::string>() : kDefaultVolumeRoot;
}

namespace {

// A bare pod applied before the Windows node kept applied Pods in desired\\pods\\ (as Linux
// does) has only its record, and no revision there (a pod's record always has one now): its
// Pod is stored as it was applied (unless it is there already) and its record gets the revision
// Linux gives it, so that Reconcile keeps it running as it is. Done under the lock, the desired
// object first: a command killed between the two writes leaves what the next one finishes.
Status StoreOldBarePod(const std::string& root, const std::string& key, PodRecord& rec) {
  agent::DesiredObjects desired(root);
  ASSIGN_OR_RETURN(std::optional<json> kept, desired.GetDesired("pods", key));
  if (!kept) {
    json pod = rec.pod;
    if (!pod["metadata"].is_object()) return Ok();  // not a pod: Reconcile removes it
    pod["metadata"].erase("uid");
    pod["metadata"]["namespace"] = agent::SplitObjectKey(key).ns;
    agent::DesiredWrite w = agent::PlanDesiredWrite(std::move(pod), std::nullopt, false);
    w.record["created"] = rec.created;
    w.record["volumeRoot"] = rec.volume_root;
    TRY(desired.PutDesired("pods", key, w.record));
    kept = std::move(w.record);
  }
  rec.revision = agent::BarePodRevision(agent::AppliedObject(*kept));
  return WriteJson(PodDir(root, key) + "\\pod.json", rec);
}

void WarnLine(const std::string& message) {
  std::string line = "Warning: " + message + "\n";
  fwrite(line.data(), 1, line.size(), stderr);
}

// The Windows node under the shared reconciler (agent/reconciler.h): its pods' records,
// supervisors and container volumes.
class WindowsBackend : public agent::NodeBackend {
 public:
  explicit WindowsBackend(std::string root) : root_(std::move(root)) {}
  // What the reconcile names as errors besides its own: the DaemonSets that cannot be read, an
  // old bare pod that could not be stored again.
  std::vector<std::string>& errors() { return errors_; }

  Result<std::vector<agent::DaemonSetView>> DaemonSets(std::set<std::string>& unreadable) override {
    // A DaemonSet file that is there but cannot be read (named): its pod is left as it is.
    DaemonSetListing listing = ListDaemonSets(root_);
    errors_.insert(errors_.end(), listing.messages.begin(), listing.messages.end());
    for (const agent::UnreadableDaemonSet& u : listing.unreadable) unreadable.insert(u.key);
    return std::move(listing.daemonsets);
  }
  void FinishRecord(PodRecord& r, const json& fields) override {
    r.job_root.clear();  // as NewPodRecord makes it
    r.volume_root = VolumeRootIn(fields);
  }
  void NoteUnreadable(const agent::DesiredObjects::Unreadable& u) override {
    WarnLine(u.error + ": skipped (`delete` removes it)");
  }
  Result<std::vector<agent::HeldPod>> HeldPods() override {
    std::vector<agent::HeldPod> held;
    for (const std::string& key : PodKeys(root_, "")) {
      agent::HeldPod h;
      h.key = key;
      if (auto rec = ReadPodRecordBeforeRemoving(root_, key)) {
        if (rec->owner_kind.empty() && rec->revision.empty()) {
          // Applied before this node stored applied Pods (StoreOldBarePod).
          if (Status s = StoreOldBarePod(root_, key, *rec); !s)
            errors_.push_back(s.error().ToString());
        }
        std::optional<agent::PodStatus> st = ReadStatus(root_, key);
        // Re-adopted as on Linux when its supervisor died before the pod finished, or placed
        // again when it was not placed (kube-scheduler tries it again: a port freed, a label).
        h.restart = Lost(root_, key, st) || (st && st->WithoutSupervisor());
        // No status yet: being made, it holds its ports (a new status is Pending).
        h.status = std::move(st).value_or(agent::PodStatus{});
        h.record = std::move(*rec);
      } else {
        // Half made by a command that was killed, or damaged: stopped and removed with what is
        // known of it (its supervisor, its containers' volumes), and made again when wanted.
        WarnLine("pod \"" + key + "\": " + rec.error().ToString() + ": removing it");
      }
      held.push_back(std::move(h));
    }
    return held;
  }
  Status UpdateInPlace(const std::string& key, const PodRecord& record) override {
    // This supervisor reads nothing of it after the start (apply refuses a new image).
    return WriteJson(PodDir(root_, key) + "\\pod.json", record);
  }
  Status RemovePods(const std::vector<std::string>& keys) override {
    std::vector<std::string> failed;
    for (const std::string& key : keys)
      if (Status s = RemovePod(root_, key); !s) failed.push_back(s.error().ToString());
    if (failed.empty()) return Ok();
    return Err(ErrorCode::kInternal, "{}", Join(failed, "\n"));
  }
  Status Restart(const agent::HeldPod& pod, const agent::Placement& placement) override {
    std::string status_path = PodDir(root_, pod.key) + "\\status.json";
    if (placement.kind != agent::Placement::kPlaced)
      return WriteJson(status_path, UnplacedStatus(pod.record->pod, pod.status, placement));
    // What the dead supervisor left is removed and a new one starts the pod's containers again
    // (supervise.cc carries the restart counts over); a pod placed now starts afresh, with the
    // events of its tries.
    std::vector<std::string> left;
    RemoveLiveVolumes(root_, pod.key, left);
    if (!left.empty())
      return Err(ErrorCode::kInternal, "pod \"{}\": cannot remove {}", pod.key, Join(left, ", "));
    if (pod.status.WithoutSupervisor()) {
      agent::PodStatus started = InitialStatus(pod.record->pod);
      started.events = pod.status.events;
      TRY(WriteJson(status_path, started));
    }
    return StartSupervisor(root_, pod.key);
  }
  Status Create(const std::string& key, const PodRecord& record,
                const agent::Placement& placement) override {
    if (sys::Exists(PodDir(root_, key)))  // a removal failed (named by it)
      return Err(ErrorCode::kInternal, "pod \"{}\": its old state is still there", key);
    return CreatePod(root_, key, record, placement);
  }
  void Warn(const std::string& message) override { WarnLine(message); }

 private:
  std::string root_;
  std::vector<std::string> errors_;
};

}  // namespace

Status Reconcile(const std::string& root, std::vector<std::string>* created,
                 std::vector<std::string>* deleted) {
  std::vector<std::string> errors;
  // What a killed foreground `run` left (runs.h).
  for (const std::string& left : ReapForegroundRuns(root))
    errors.push_back("cannot remove " + left + ", left by a run that was killed");
  // Kubelet's and the DaemonSet controller's work, as on Linux (agent/reconciler.h).
  WindowsBackend backend(root);
  agent::ReconcileReport report;
  Status s =
      agent::ReconcileNode(agent::DesiredObjects(root), agent::LocalNode({}), backend, &report);
  errors.insert(errors.end(), backend.errors().begin(), backend.errors().end());
  if (!s) errors.push_back(s.error().ToString());
  if (created) *created = std::move(report.created);
  if (deleted) *deleted = std::move(report.removed);
  if (!errors.empty()) return Err(ErrorCode::kInternal, "{}", Join(errors, "\n"));
  return Ok();
}

namespace {

constexpr const char* kOldLayoutKinds[] = {"daemonsets", "configmaps", "secrets"};
constexpr const char kOldEventsDir[] = "daemonset-events";  // <key>.json

// Every `.json` of `old_dir` moved to `to(file)` (one there already wins: the old copy goes),
// then the directory removed with what else it held (temp files). An error, naming the file,
// when one cannot be listed or moved: the directory is kept, and the caller must not go on as
// if its objects were gone (its reconcile would remove their pods).
Status MoveOldDirectory(const std::string& old_dir, const std::string& new_dir,
                        const std::function<std::string(const std::string&)>& to) {
  if (!sys::IsDir(old_dir)) return Ok();
  TRY(sys::MkdirAll(new_dir));
  ASSIGN_OR_RETURN(std::vector<std::string> files, sys::ListDir(old_dir));
  for (const std::string& file : files) {
    if (!EndsWith(file, ".json") || sys::Exists(to(file))) continue;
    // Another program's reader (a virus scanner) may hold it a moment: tried again for 2 s.
    TRY(sys::MoveRetrying(old_dir + "\\" + file, to(file), false));
  }
  return sys::RemoveAll(old_dir);
}

// Under the lock (UpgradeOldLayout).
Status MoveObjectsOfTheOldLayout(const std::string& root) {
  agent::DesiredObjects desired(root);
  for (const char* kind : kOldLayoutKinds) {
    std::string new_dir = desired.DesiredDir() + "\\" + kind;
    TRY(MoveOldDirectory(root + "\\" + kind, new_dir,
                         [&](const std::string& file) { return new_dir + "\\" + file; }));
  }
  // The DaemonSet controller's events: run\\daemonsets\\<key>.events.json now, as on Linux.
  agent::DaemonSetEvents events(root);
  return MoveOldDirectory(root + "\\" + kOldEventsDir, events.Dir(), [&](const std::string& file) {
    return events.Path(file.substr(0, file.size() - strlen(".json")));
  });
}

}  // namespace

void UpgradeOldLayout(const std::string& root) {
  bool old = sys::IsDir(root + "\\" + kOldEventsDir);
  for (const char* kind : kOldLayoutKinds) old = old || sys::IsDir(root + "\\" + kind);
  if (!old) return;
  // Taking the lock moves them; a reading command goes on with what it can see, and says so.
  if (auto lock = StoreLock::Take(root); !lock) {
    std::string line = "Warning: " + lock.error().ToString() + "\n";
    fwrite(line.data(), 1, line.size(), stderr);
  }
}

Result<StoreLock> StoreLock::Take(const std::string& root) {
  TRY(sys::EnsurePrivateDirectory(root));  // its records are acted on with our rights
  ASSIGN_OR_RETURN(sys::FileLock lock, sys::FileLock::Take(root + "\\lock"));
  TRY_CTX(MoveObjectsOfTheOldLayout(root),
          "move the objects of an older layout of \"{}\" into its desired store (close the "
          "program that holds the file, and run the command again)",
          root);
  // What writers killed before their move left (no live writer: the lock is held).
  (void)agent::DesiredObjects(root).RemoveStaleDesiredTempFiles();
  (void)agent::DaemonSetEvents(root).RemoveStaleTempFiles();
  return StoreLock(std::move(lock));
}

}  // namespace hp::cli::windows_node
