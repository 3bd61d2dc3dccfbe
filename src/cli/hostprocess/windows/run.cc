// `hostprocess run -f pod.yaml` on Windows (preview, docs/windows.md): validates as `validate`
// does, then runs the first Pod (or DaemonSet's pod) in the foreground: init containers one
// after another, then every container; each in its own Job Object, from its container volume
// `<volume-root>\<id>\` (CONTAINER_SANDBOX_MOUNT_POINT, trailing `\`), with hcsshim's
// environment and application-name rules (core/windows). When a container's first process
// ends, its job is terminated: nothing it started outlives it. Exit code: the first failing
// container's; 1: rejected manifest; 2: bad usage, unreadable input or what the preview does
// not support yet; 128: a container could not be started.
//
// Images are the directory images of `hostprocess import` (core/image/windows/dir_images.h):
// their files are copied into the container volume, their config gives the command, env and
// working directory, and an image built for another OS is refused. An image never imported is
// warned about and the volume starts empty.
//
// Preview limits: accounts other than microsoft.com/hostprocess-inherit-user: "true", volumes,
// env valueFrom/envFrom, probes and restarts are refused or ignored as said below.
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "core/image/windows/dir_images.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/launch/windows/spawn.h"
#include "core/plan/plan.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"
#include "core/windows/account.h"
#include "core/windows/application.h"
#include "core/windows/command_line.h"
#include "core/windows/environment.h"
#include "core/windows/job_limits.h"
#include "core/windows/path.h"

namespace hp::cli {
namespace {

struct RunFlags {
  std::string root;  // --root: where imported images are
  std::vector<std::string> files;
  AdmissionFlags admission;
  std::string volume_root = "C:\\hpc";
};

void Write(FILE* f, const std::string& s) {
  if (!s.empty()) fwrite(s.data(), 1, s.size(), f);
  fflush(f);
}

class RealProbe : public windows::FileProbe {
 public:
  windows::FileKind Probe(const std::string& path) const override {
    DWORD attrs = GetFileAttributesW(sys::Widen(path).c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES) return windows::FileKind::kMissing;
    return attrs & FILE_ATTRIBUTE_DIRECTORY ? windows::FileKind::kDirectory
                                            : windows::FileKind::kFile;
  }
};

// Group lookups are not trusted yet (Wine's NetLocalGroupGetInfo succeeds for any name), and
// only the inherited token runs in this preview: no name is taken for a group.
class NoGroups : public windows::GroupProbe {
 public:
  bool GroupExists(const std::string&) const override { return false; }
};

std::string NewContainerId() {
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 32; i++) id += "0123456789abcdef"[rd() % 16];
  return id;
}

windows::EnvList OwnEnvironment() {
  windows::EnvList env;
  wchar_t* block = GetEnvironmentStringsW();
  for (const wchar_t* p = block; p && *p; p += wcslen(p) + 1) {
    std::string entry = sys::Narrow(p);
    size_t eq = entry.find('=', 1);  // "=C:=C:\x" entries are the shell's, not variables
    if (entry[0] == '=' || eq == std::string::npos) continue;
    env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  if (block) FreeEnvironmentStringsW(block);
  return env;
}

std::vector<std::string> SystemDirs() {
  wchar_t buf[MAX_PATH];
  std::vector<std::string> dirs;
  if (UINT n = GetSystemDirectoryW(buf, MAX_PATH); n > 0 && n < MAX_PATH)
    dirs.push_back(sys::Narrow({buf, n}));
  if (UINT n = GetWindowsDirectoryW(buf, MAX_PATH); n > 0 && n < MAX_PATH) {
    std::string windows_dir = sys::Narrow({buf, n});
    dirs.push_back(windows_dir + "\\System");
    dirs.push_back(windows_dir);
  }
  return dirs;
}

std::optional<std::string> RunAsUserName(const k8s::PodSpec& pod, const k8s::Container& c) {
  if (c.security_context && c.security_context->windows_options &&
      c.security_context->windows_options->run_as_user_name)
    return c.security_context->windows_options->run_as_user_name;
  if (pod.security_context && pod.security_context->windows_options)
    return pod.security_context->windows_options->run_as_user_name;
  return std::nullopt;
}

windows::ResourceRequest Resources(const k8s::ResourceRequirements& r) {
  windows::ResourceRequest out;
  for (const auto& [name, q] : r.limits) {
    if (name == "memory") out.memory_bytes = q.Value();
    if (name == "cpu") out.cpu_limit_millis = q.MilliValue();
  }
  for (const auto& [name, q] : r.requests)
    if (name == "cpu") out.cpu_request_millis = q.MilliValue();
  return out;
}

// A started container: its job, first process and container volume.
struct Running {
  std::string name;
  std::string volume;
  job::JobObject job;
  launch::Process process;
};

Result<Running> Start(const k8s::PodSpec& pod,
                      const std::map<std::string, std::string>& annotations,
                      const k8s::Container& c, const RunFlags& flags) {
  std::string id = NewContainerId();
  std::string run_as = RunAsUserName(pod, c).value_or("");
  ASSIGN_OR_RETURN(windows::Account account,
                   windows::ClassifyAccount(annotations, run_as, id, NoGroups()));
  if (account.kind != windows::AccountKind::kInherit)
    return Err(ErrorCode::kUnsupported,
               "container \"{}\": running as \"{}\" is not supported by the Windows preview build "
               "yet; set the annotation {}: \"true\" to run as this process's account",
               c.name, run_as, windows::kInheritUserAnnotation);
  std::optional<image::ImageRecord> img;
  if (!c.image.empty()) {
    auto found = image::ResolveDirectoryImage(flags.root, c.image);
    if (found) {
      TRY_CTX(plan::CheckImageOs(c.image, found->config.os, "windows"), "container \"{}\"", c.name);
      img = std::move(*found);
    } else if (found.error().code() == ErrorCode::kNotFound) {
      Write(stderr, "Warning: container \"" + c.name + "\": " + found.error().message() +
                        "; its container volume starts empty\n");
    } else {
      return Err(Error(found.error()).Context(fmt::format("container \"{}\"", c.name)));
    }
  }
  // Kubernetes' rule: command replaces the entrypoint (and then the image's cmd is unused);
  // args replace the cmd.
  std::vector<std::string> words = c.command;
  if (words.empty() && img) {
    words = img->config.entrypoint;
    for (const std::string& a : c.args.empty() ? img->config.cmd : c.args) words.push_back(a);
  } else {
    words.insert(words.end(), c.args.begin(), c.args.end());
  }
  if (words.empty())
    return Err(ErrorCode::kUnsupported,
               "container \"{}\": no command: the manifest sets none and the image \"{}\" has no "
               "entrypoint or cmd",
               c.name, c.image);
  windows::EnvList image_env;
  if (img)
    for (const std::string& e : img->config.env) {
      size_t eq = e.find('=');
      image_env.emplace_back(e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
    }
  windows::EnvList pod_env;
  for (const k8s::EnvVar& e : c.env) {
    if (e.value_from)
      return Err(ErrorCode::kUnsupported,
                 "container \"{}\": env \"{}\": valueFrom is not supported by the Windows preview "
                 "build yet",
                 c.name, e.name);
    pod_env.emplace_back(e.name, e.value.value_or(""));
  }
  if (!c.env_from.empty() || !c.volume_mounts.empty())
    return Err(ErrorCode::kUnsupported,
               "container \"{}\": envFrom and volumeMounts are not supported by the Windows "
               "preview build yet",
               c.name);

  std::string volume = windows::JoinPath(flags.volume_root, id);
  std::string sandbox = windows::SandboxPath(volume);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(volume)), ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", volume, ec.message());
  auto remove_volume = [&] {
    std::filesystem::remove_all(std::filesystem::path(sys::Widen(volume)), ec);
  };
  if (img) {
    if (Status copied = image::CopyDirectoryImage(flags.root, *img, volume); !copied) {
      remove_volume();
      return Err(Error(copied.error()).Context(fmt::format("container \"{}\"", c.name)));
    }
  }

  windows::EnvList env = windows::BuildEnvironment(OwnEnvironment(), image_env, pod_env, sandbox);
  std::string path_env;
  for (const auto& [name, value] : env)
    if (windows::EqualsIgnoreCase(name, "PATH")) path_env = value;
  std::string work = windows::WorkingDirectory(
      sandbox, !c.working_dir.empty() || !img ? c.working_dir : img->config.working_dir);
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(work)), ec);

  std::vector<std::string> argv;
  for (const std::string& a : words) argv.push_back(windows::ExpandSandbox(a, sandbox));
  auto app = windows::ResolveApplication(windows::JoinCommandLine(argv),
                                         {work, path_env, SystemDirs()}, RealProbe());
  if (!app) {
    remove_volume();
    return Err(Error(app.error()).Context(fmt::format("container \"{}\"", c.name)));
  }
  windows::ResourceRequest resources = Resources(c.resources);
  if (resources.memory_bytes || resources.cpu_limit_millis || resources.cpu_request_millis) {
    // Wine accepts the limits and reads them back as 0 (docs/windows.md): say so, by name.
    if (std::optional<std::string> wine = sys::WineVersion())
      Write(stderr, "Warning: container \"" + c.name + "\": Wine " + *wine +
                        " accepts Job Object limits without enforcing them: its CPU and memory "
                        "resources are not applied here\n");
  }
  auto job = job::JobObject::Create(
      id, windows::ToJobObjectLimits(resources, std::max(1u, std::thread::hardware_concurrency())));
  if (!job) {
    remove_volume();
    return Err(job.error());
  }
  auto process =
      launch::Spawn({app->path, app->command_line, windows::EnvironmentBlock(env), work}, *job);
  if (!process) {
    remove_volume();
    return Err(Error(process.error()).Context(fmt::format("container \"{}\"", c.name)));
  }
  return Running{c.name, volume, std::move(*job), std::move(*process)};
}

// Waits for the first process, then ends the rest of the job and removes the volume.
Result<uint32_t> Finish(Running& r) {
  ASSIGN_OR_RETURN(bool ended, r.process.Wait(std::chrono::milliseconds(INFINITE)));
  (void)ended;
  ASSIGN_OR_RETURN(uint32_t code, r.process.ExitCode());
  Status killed = r.job.Terminate(1);
  auto empty = r.job.WaitEmpty(std::chrono::seconds(10));
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(sys::Widen(r.volume)), ec);
  if (!killed) return Err(killed.error());
  if (!empty) return Err(empty.error());
  if (!*empty)
    return Err(ErrorCode::kInternal, "container \"{}\": job \"{}\" still has processes", r.name,
               r.job.name());
  return code;
}

int RunPod(const RunFlags& flags) {
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(flags.admission, &opts)) return 2;
  auto decoded = DecodeManifests(flags.files);
  if (!decoded) {
    Write(stderr, "error: " + decoded.error().ToString() + "\n");
    return 2;
  }
  for (const auto& w : decoded->warnings) Write(stderr, "Warning: " + w.ToString() + "\n");
  bool rejected = false;
  for (const k8s::Verdict& v : k8s::Admit(decoded->objects, opts)) {
    if (!v.allowed()) {
      Write(stderr, k8s::KubectlText(v) + "\n");
      rejected = true;
    }
  }
  if (rejected) return 1;
  const k8s::PodSpec* spec = nullptr;
  const k8s::ObjectMeta* meta = nullptr;
  for (const k8s::Object& o : decoded->objects) {
    if (const k8s::Pod* p = o.pod()) {
      spec = &p->spec, meta = &p->metadata;
    } else if (const k8s::DaemonSet* d = o.daemon_set()) {
      spec = &d->spec.template_.spec, meta = &d->spec.template_.metadata;
    }
    if (spec) break;
  }
  if (!spec) {
    Write(stderr, "error: no Pod or DaemonSet to run\n");
    return 2;
  }
  std::map<std::string, std::string> annotations(meta->annotations.begin(),
                                                 meta->annotations.end());
  auto run_one = [&](const k8s::Container& c) -> Result<Running> {
    auto r = Start(*spec, annotations, c, flags);
    if (!r) Write(stderr, "error: " + r.error().ToString() + "\n");
    return r;
  };
  for (const k8s::Container& c : spec->init_containers) {
    auto r = run_one(c);
    if (!r) return r.error().code() == ErrorCode::kUnsupported ? 2 : 128;
    auto code = Finish(*r);
    if (!code) {
      Write(stderr, "error: " + code.error().ToString() + "\n");
      return 128;
    }
    if (*code != 0) return static_cast<int>(*code);
  }
  std::vector<Running> running;
  int failed = 0;
  for (const k8s::Container& c : spec->containers) {
    auto r = run_one(c);
    if (!r) {
      failed = r.error().code() == ErrorCode::kUnsupported ? 2 : 128;
      break;
    }
    running.push_back(std::move(*r));
  }
  int exit_code = failed;
  for (Running& r : running) {
    if (failed) (void)r.job.Terminate(1);
    auto code = Finish(r);
    if (!code) {
      Write(stderr, "error: " + code.error().ToString() + "\n");
      if (exit_code == 0) exit_code = 128;
    } else if (*code != 0 && exit_code == 0) {
      exit_code = static_cast<int>(*code);
    }
  }
  return exit_code;
}

CommandRegistration registration(20, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run one pod in the foreground (Windows preview: see docs/windows.md) and exit with the\n"
      "code of its first failing container.");
  cmd->add_option("-f,--filename", flags->files, "Manifest file, directory or - for stdin")
      ->required();
  AddAdmissionFlags(cmd, flags->admission);
  cmd->add_option("--volume-root", flags->volume_root,
                  "Where container volumes are made: <volume-root>\\<container-id>\\")
      ->capture_default_str();
  cmd->callback([flags, &global, &exit_code] {
    flags->root = global.root;
    exit_code = RunPod(*flags);
  });
});

}  // namespace
}  // namespace hp::cli
