// `apply -f`, `get pods`, `logs`, `delete pod` on Windows (preview, docs/windows.md). `apply`
// starts one supervisor process per pod (`hostprocess.exe supervise-pod`, detached) that holds
// the Job Objects of the pod's containers: kill-on-job-close means a dead supervisor takes its
// containers with it, which is also how `delete` stops a pod. State under --root:
//   pods\<namespace>_<name>\manifest.yaml    the applied file, decoded again by the supervisor
//   pods\<namespace>_<name>\supervisor.json  its pid and creation time (pids are reused)
//   pods\<namespace>_<name>\status.json      written by the supervisor: each container's state,
//                                            exit code and container volume
//   logs\<namespace>_<name>\<container>\0.log  CRI log lines (`<time> <stream> F <text>`)
// Preview limits: Pods only (one per file), no restarts, probes or log rotation.
#include <windows.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "cli/hostprocess/windows/container.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"

namespace hp::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using windows_node::Write;

fs::path FsPath(const std::string& utf8) {
  return fs::path(std::u8string(utf8.begin(), utf8.end()));
}
std::string PodDir(const std::string& root, const std::string& key) {
  return root + "\\pods\\" + key;
}
std::string LogDir(const std::string& root, const std::string& key) {
  return root + "\\logs\\" + key;
}
std::string LogPath(const std::string& root, const std::string& key, const std::string& c) {
  return LogDir(root, key) + "\\" + c + "\\0.log";
}
int Fail(const std::string& message, int code = 1) {
  Write(stderr, message + "\n");
  return code;
}

std::optional<json> ReadJson(const std::string& path) {
  auto data = sys::ReadFile(path);
  if (!data) return std::nullopt;
  json j = json::parse(*data, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Written beside and moved over the old file: a reader never sees half of it.
Status WriteJson(const std::string& path, const json& j) {
  TRY(sys::WriteFile(path + ".tmp", j.dump()));
  if (!MoveFileExW(sys::Widen(path + ".tmp").c_str(), sys::Widen(path).c_str(),
                   MOVEFILE_REPLACE_EXISTING))
    return tl::unexpected(sys::Win32Error("replace \"" + path + "\""));
  return Ok();
}

uint64_t CreationTime(HANDLE process) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return 0;
  return (uint64_t{created.dwHighDateTime} << 32) | created.dwLowDateTime;
}

// The pod's supervisor, if it still runs: the pid recorded by apply, checked against the
// process's creation time (Windows reuses pids).
HANDLE OpenSupervisor(const std::string& dir, DWORD access) {
  auto j = ReadJson(dir + "\\supervisor.json");
  if (!j) return nullptr;
  HANDLE h =
      OpenProcess(access | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, j->value("pid", uint32_t{0}));
  if (!h) return nullptr;
  DWORD code = 0;
  if (CreationTime(h) != j->value("start_time", uint64_t{0}) || !GetExitCodeProcess(h, &code) ||
      code != STILL_ACTIVE) {
    CloseHandle(h);
    return nullptr;
  }
  return h;
}

// The one Pod of a manifest file, admitted as the API server would.
Result<k8s::Pod> AdmittedPod(const std::string& file, const AdmissionFlags& admission) {
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(admission, &opts))
    return Err(ErrorCode::kInvalidArgument, "bad admission flags");
  ASSIGN_OR_RETURN(k8s::Decoded decoded, DecodeManifests({file}));
  for (const auto& w : decoded.warnings) Write(stderr, "Warning: " + w.ToString() + "\n");
  for (const k8s::Verdict& v : k8s::Admit(decoded.objects, opts))
    if (!v.allowed()) return Err(ErrorCode::kFailedPrecondition, "{}", k8s::KubectlText(v));
  for (const k8s::Object& o : decoded.objects)
    if (const k8s::Pod* p = o.pod()) return *p;
  return Err(ErrorCode::kUnsupported, "\"{}\": no Pod; the Windows preview build applies Pods only",
             file);
}

std::string Key(const k8s::ObjectMeta& m) {
  return (m.namespace_.empty() ? "default" : m.namespace_) + "_" + m.name;
}

// ---- apply --------------------------------------------------------------------------------

struct ApplyFlags {
  std::string file;
  AdmissionFlags admission;
  std::string volume_root = "C:\\hpc";
};

int Apply(const GlobalOptions& g, const ApplyFlags& f) {
  auto pod = AdmittedPod(f.file, f.admission);
  if (!pod) {
    if (pod.error().code() == ErrorCode::kFailedPrecondition) return Fail(pod.error().message());
    return Fail("error: " + pod.error().ToString(), 2);
  }
  std::string key = Key(pod->metadata), dir = PodDir(g.root, key);
  if (sys::Exists(dir + "\\manifest.yaml")) {
    Write(stdout, "pod/" + pod->metadata.name + " unchanged\n");
    return 0;
  }
  std::error_code ec;
  fs::create_directories(FsPath(dir), ec);
  auto manifest = sys::ReadFile(f.file);
  if (ec || !manifest || !sys::WriteFile(dir + "\\manifest.yaml", *manifest))
    return Fail("error: cannot write the pod's state under \"" + dir + "\"");

  wchar_t self[MAX_PATH];
  DWORD n = GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring cmdline = L"\"" + std::wstring(self, n) + L"\" --root \"" + sys::Widen(g.root) +
                         L"\" supervise-pod " + sys::Widen(key) + L" --volume-root \"" +
                         sys::Widen(f.volume_root) + L"\"";
  STARTUPINFOW si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  if (!CreateProcessW(nullptr, cmdline.data(), nullptr, nullptr, FALSE,
                      DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP, nullptr, nullptr, &si, &pi)) {
    fs::remove_all(FsPath(dir), ec);
    return Fail("error: " + sys::Win32Error("start the pod's supervisor").ToString());
  }
  Status saved = WriteJson(dir + "\\supervisor.json", {{"pid", pi.dwProcessId},
                                                       {"start_time", CreationTime(pi.hProcess)},
                                                       {"created", NowUnixSeconds()}});
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  if (!saved) return Fail("error: " + saved.error().ToString());
  Write(stdout, "pod/" + pod->metadata.name + " created\n");
  return 0;
}

// ---- supervise-pod (hidden: started by apply) ----------------------------------------------

// Copies one stream of a container into its CRI log, a record per line.
void Pump(HANDLE pipe, const char* stream, FILE* log, std::mutex& mu) {
  std::string pending;
  char buf[4096];
  DWORD n = 0;
  auto record = [&](std::string_view text) {
    std::lock_guard lock(mu);
    std::string line = Rfc3339Nano(NowUnixNanos()) + " " + stream + " F " + std::string(text);
    line += "\n";
    fwrite(line.data(), 1, line.size(), log);
    fflush(log);
  };
  while (ReadFile(pipe, buf, sizeof buf, &n, nullptr) && n > 0) {
    pending.append(buf, n);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string_view text(pending.data(), nl);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      record(text);
    }
  }
  if (!pending.empty()) record(pending);
  CloseHandle(pipe);
}

int Supervise(const GlobalOptions& g, const std::string& key, const std::string& volume_root) {
  std::string dir = PodDir(g.root, key);
  auto pod = AdmittedPod(dir + "\\manifest.yaml", {});
  if (!pod) return 1;
  std::map<std::string, std::string> annotations(pod->metadata.annotations.begin(),
                                                 pod->metadata.annotations.end());
  json status = {{"containers", json::array()}};
  std::vector<windows_node::Running> running;
  std::vector<std::thread> pumps;
  std::vector<FILE*> logs;
  std::mutex mu;
  for (const k8s::Container& c : pod->spec.containers) {
    std::error_code ec;
    std::string log_path = LogPath(g.root, key, c.name);
    fs::create_directories(FsPath(log_path).parent_path(), ec);
    FILE* log = _wfopen(sys::Widen(log_path).c_str(), L"ab");
    HANDLE out_r, out_w, err_r, err_w;
    if (!log || !CreatePipe(&out_r, &out_w, nullptr, 0) || !CreatePipe(&err_r, &err_w, nullptr, 0))
      return 1;
    windows_node::ContainerOptions options{g.root, volume_root, out_w, err_w};
    auto r = windows_node::Start(pod->spec, annotations, c, options);
    CloseHandle(out_w);
    CloseHandle(err_w);
    json entry = {{"name", c.name}};
    if (!r) {
      fprintf(log, "%s stderr F %s\n", Rfc3339Nano(NowUnixNanos()).c_str(),
              r.error().ToString().c_str());
      CloseHandle(out_r);
      CloseHandle(err_r);
      entry["state"] = "terminated";
      entry["exit_code"] = 128;
    } else {
      entry["state"] = "running";
      entry["volume"] = r->volume;
      pumps.emplace_back(Pump, out_r, "stdout", log, std::ref(mu));
      pumps.emplace_back(Pump, err_r, "stderr", log, std::ref(mu));
      running.push_back(std::move(*r));
    }
    logs.push_back(log);
    status["containers"].push_back(entry);
  }
  (void)WriteJson(dir + "\\status.json", status);
  for (windows_node::Running& r : running) {
    auto code = windows_node::Finish(r);
    for (json& e : status["containers"])
      if (e["name"] == r.name) {
        e["state"] = "terminated";
        e["exit_code"] = code ? *code : 128;
      }
    (void)WriteJson(dir + "\\status.json", status);
  }
  for (std::thread& t : pumps) t.join();
  for (FILE* f : logs) fclose(f);
  return 0;
}

// ---- get pods -----------------------------------------------------------------------------

// kubectl's age: "45s", "3m12s" (under 10 minutes), "42m", "5h", "3d".
std::string Age(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 600) return fmt::format("{}m{}s", seconds / 60, seconds % 60);
  if (seconds < 3 * 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 48 * 3600) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

int GetPods(const GlobalOptions& g, const std::string& ns) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}};
  std::vector<std::string> keys =
      sys::ListDir(g.root + "\\pods").value_or(std::vector<std::string>{});
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    if (key.rfind(ns + "_", 0) != 0) continue;
    std::string dir = PodDir(g.root, key);
    auto sup = ReadJson(dir + "\\supervisor.json");
    auto st = ReadJson(dir + "\\status.json");
    HANDLE h = OpenSupervisor(dir, 0);
    bool alive = h != nullptr;
    if (h) CloseHandle(h);
    size_t total = 0, ready = 0, failed = 0;
    if (st)
      for (const json& c : st->value("containers", json::array())) {
        ++total;
        if (c.value("state", "") == "running" && alive) ++ready;
        if (c.value("state", "") == "terminated" && c.value("exit_code", 0) != 0) ++failed;
      }
    std::string phase = !st                           ? "ContainerCreating"
                        : ready == total && total > 0 ? "Running"
                        : failed > 0                  ? "Error"
                        : alive                       ? "Running"
                                                      : "Completed";
    int64_t created = sup ? sup->value("created", int64_t{0}) : NowUnixSeconds();
    rows.push_back({key.substr(ns.size() + 1), fmt::format("{}/{}", ready, total), phase, "0",
                    Age(NowUnixSeconds() - created)});
  }
  if (rows.size() == 1) {
    Write(stderr, "No resources found in " + ns + " namespace.\n");
    return 0;
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? r[i] + std::string(width[i] + 3 - r[i].size(), ' ') : r[i];
    out += line + "\n";
  }
  Write(stdout, out);
  return 0;
}

// ---- logs ---------------------------------------------------------------------------------

int Logs(const GlobalOptions& g, const std::string& ns, const std::string& name,
         std::string container) {
  std::string key = ns + "_" + name;
  auto st = ReadJson(PodDir(g.root, key) + "\\status.json");
  if (!sys::Exists(PodDir(g.root, key)))
    return Fail("Error from server (NotFound): pods \"" + name + "\" not found");
  std::vector<std::string> names;
  if (st)
    for (const json& c : st->value("containers", json::array())) names.push_back(c["name"]);
  if (container.empty()) {
    if (names.size() != 1)
      return Fail("error: a container name must be specified for pod " + name +
                  ", choose one of: [" + Join(names, " ") + "]");
    container = names[0];
  }
  auto data = sys::ReadFile(LogPath(g.root, key, container));
  if (!data) return Fail("error: container " + container + " is not valid for pod " + name);
  std::string out;
  for (const std::string& line : Split(*data, '\n')) {
    // <time> <stream> <F|P> <text>
    size_t a = line.find(' '), b = a == std::string::npos ? a : line.find(' ', a + 1);
    if (b == std::string::npos || b + 2 > line.size()) continue;
    out += line.substr(b + 3 <= line.size() ? b + 3 : line.size());
    if (line[b + 1] == 'F') out += "\n";
  }
  Write(stdout, out);
  return 0;
}

// ---- delete -------------------------------------------------------------------------------

int DeletePod(const GlobalOptions& g, const std::string& ns, const std::string& name) {
  std::string key = ns + "_" + name, dir = PodDir(g.root, key);
  if (!sys::Exists(dir))
    return Fail("Error from server (NotFound): pods \"" + name + "\" not found");
  // The supervisor dies, and with its Job Object handles the containers (kill-on-job-close).
  if (HANDLE h = OpenSupervisor(dir, PROCESS_TERMINATE | SYNCHRONIZE)) {
    TerminateProcess(h, 1);
    WaitForSingleObject(h, 10000);
    CloseHandle(h);
  }
  std::vector<std::string> volumes;
  if (auto st = ReadJson(dir + "\\status.json"))
    for (const json& c : st->value("containers", json::array()))
      if (c.contains("volume")) volumes.push_back(c["volume"]);
  // Files stay in use until the killed processes are gone: retry for up to 10 s.
  for (const std::string& path : {dir, LogDir(g.root, key)}) volumes.push_back(path);
  bool left = false;
  for (const std::string& path : volumes) {
    std::error_code ec;
    for (int i = 0; i < 100 && fs::exists(FsPath(path), ec); ++i) {
      fs::remove_all(FsPath(path), ec);
      if (fs::exists(FsPath(path), ec)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (fs::exists(FsPath(path), ec)) {
      Write(stderr, "error: cannot remove \"" + path + "\"\n");
      left = true;
    }
  }
  Write(stdout, "pod \"" + name + "\" deleted\n");
  return left ? 1 : 0;
}

// ---- registration -------------------------------------------------------------------------

CommandRegistration apply_reg(30, {"apply"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<ApplyFlags>();
  auto* cmd = app.add_subcommand("apply", "Start a Pod under a supervisor (Windows preview)");
  cmd->add_option("-f,--filename", f->file, "Manifest file with one Pod")->required();
  AddAdmissionFlags(cmd, f->admission);
  cmd->add_option("--volume-root", f->volume_root, "Where container volumes are made")
      ->capture_default_str();
  cmd->callback([&g, &rc, f] { rc = Apply(g, *f); });
});

CommandRegistration supervise_reg(
    90, {"supervise-pod"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
      auto key = std::make_shared<std::string>();
      auto volume_root = std::make_shared<std::string>("C:\\hpc");
      auto* cmd = app.add_subcommand("supervise-pod", "");  // hidden: started by apply
      cmd->group("");
      cmd->add_option("KEY", *key)->required();
      cmd->add_option("--volume-root", *volume_root);
      cmd->callback([&g, &rc, key, volume_root] { rc = Supervise(g, *key, *volume_root); });
    });

CommandRegistration get_reg(31, {"get"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto ns = std::make_shared<std::string>("default");
  auto what = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("get", "List pods (Windows preview: get pods)");
  cmd->add_option("RESOURCE", *what)->required();
  cmd->add_option("-n,--namespace", *ns);
  cmd->callback([&g, &rc, ns, what] {
    rc = *what == "pods" || *what == "pod" || *what == "po"
             ? GetPods(g, *ns)
             : Fail("error: the Windows preview build lists pods only", 2);
  });
});

CommandRegistration logs_reg(33, {"logs"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto ns = std::make_shared<std::string>("default");
  auto name = std::make_shared<std::string>();
  auto container = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("logs", "Print a container's logs");
  cmd->add_option("POD", *name)->required();
  cmd->add_option("-c,--container", *container);
  cmd->add_option("-n,--namespace", *ns);
  cmd->callback([&g, &rc, ns, name, container] { rc = Logs(g, *ns, *name, *container); });
});

CommandRegistration delete_reg(36, {"delete"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto ns = std::make_shared<std::string>("default");
  auto what = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("delete", "Stop and remove a pod (Windows preview)");
  cmd->add_option("RESOURCE", *what)->required();
  cmd->add_option("NAME", *name)->required();
  cmd->add_option("-n,--namespace", *ns);
  cmd->callback([&g, &rc, ns, what, name] {
    rc = *what == "pods" || *what == "pod" || *what == "po"
             ? DeletePod(g, *ns, *name)
             : Fail("error: the Windows preview build deletes pods only", 2);
  });
});

}  // namespace
}  // namespace hp::cli
