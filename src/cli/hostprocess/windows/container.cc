#include "cli/hostprocess/windows/container.h"

#include <windows.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/agent/node.h"
#include "core/agent/windows/host_ip.h"
#include "core/base/time.h"
#include "core/image/windows/dir_images.h"
#include "core/launch/windows/ephemeral_user.h"
#include "core/launch/windows/logon.h"
#include "core/launch/windows/spawn.h"
#include "core/plan/expand.h"
#include "core/plan/payload.h"
#include "core/plan/plan.h"
#include "core/sys/file.h"
#include "core/sys/random.h"
#include "core/sys/windows/private_dir.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"
#include "core/windows/account.h"
#include "core/windows/application.h"
#include "core/windows/command_line.h"
#include "core/windows/environment.h"
#include "core/windows/graceful_stop.h"
#include "core/windows/job_limits.h"
#include "core/windows/mounts.h"
#include "core/windows/path.h"

namespace hp::cli::windows_node {
namespace {

class RealProbe : public windows::FileProbe {
 public:
  windows::FileKind Probe(const std::string& path) const override {
    DWORD attrs = GetFileAttributesW(sys::Widen(path).c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES) return windows::FileKind::kMissing;
    return attrs & FILE_ATTRIBUTE_DIRECTORY ? windows::FileKind::kDirectory
                                            : windows::FileKind::kFile;
  }
};

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

std::map<std::string, std::string> Annotations(const k8s::Pod& pod) {
  return {pod.metadata.annotations.begin(), pod.metadata.annotations.end()};
}

// This node as kubelet's downward API sees it (fieldRef, resourceFieldRef's defaults).
plan::NodeInfo NodeInfo() {
  plan::NodeInfo node;
  node.os = "windows";
  node.hostname = agent::LocalNode({}).name;
  node.host_ip = agent::HostIp();
  node.allocatable_cpu_millis = int64_t{std::max(1u, std::thread::hardware_concurrency())} * 1000;
  MEMORYSTATUSEX memory{};
  memory.dwLength = sizeof memory;
  if (GlobalMemoryStatusEx(&memory))
    node.allocatable_memory_bytes = static_cast<int64_t>(memory.ullTotalPhys);
  return node;
}

// What kubelet's environment and file volumes are made from (plan::ManifestEnv, VolumePayload):
// the pod, the container, this node, and the ConfigMaps and Secrets of the pod's namespace.
plan::PlanInput PlanInputOf(const k8s::Pod& pod, const k8s::Container& c,
                            const ContainerOptions& flags) {
  plan::PlanInput input;
  input.pod = &pod;
  input.container = &c;
  input.node = NodeInfo();
  input.config_maps = flags.config_maps;
  input.secrets = flags.secrets;
  return input;
}

std::optional<std::string> RunAsUserName(const k8s::PodSpec& pod, const k8s::Container& c) {
  if (c.security_context && c.security_context->windows_options &&
      c.security_context->windows_options->run_as_user_name)
    return c.security_context->windows_options->run_as_user_name;
  if (pod.security_context && pod.security_context->windows_options)
    return pod.security_context->windows_options->run_as_user_name;
  return std::nullopt;
}

job::Limits Resources(const k8s::ResourceRequirements& r) {
  job::Limits out;
  for (const auto& [name, q] : r.limits) {
    if (name == "memory") out.memory_bytes = q.Value();
    if (name == "cpu") out.cpu_limit_millis = q.MilliValue();
  }
  for (const auto& [name, q] : r.requests)
    if (name == "cpu") out.cpu_request_millis = q.MilliValue();
  return out;
}

}  // namespace

std::string NewContainerId() {
  unsigned char b[16];
  sys::RandomBytes(b, sizeof b);
  std::string id;
  for (unsigned char c : b) id += fmt::format("{:02x}", c);
  return id;
}

void Write(FILE* f, const std::string& s) {
  if (!s.empty()) fwrite(s.data(), 1, s.size(), f);
  fflush(f);
}

namespace {

// A hostPath source as kubelet checks it by its type (DirectoryOrCreate and FileOrCreate make
// what is missing); whether it is a directory.
Result<bool> HostPathSource(const k8s::HostPathVolumeSource& hp) {
  std::string type = hp.type.value_or("");
  std::wstring path = sys::Widen(hp.path);
  DWORD attrs = GetFileAttributesW(path.c_str());
  bool exists = attrs != INVALID_FILE_ATTRIBUTES;
  bool dir = exists && (attrs & FILE_ATTRIBUTE_DIRECTORY);
  if (type == "DirectoryOrCreate" && !exists) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path), ec);
    if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", hp.path, ec.message());
    return true;
  }
  if (type == "FileOrCreate" && !exists) {
    HANDLE h = CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return Err(sys::Win32Error("create \"" + hp.path + "\""));
    CloseHandle(h);
    return false;
  }
  if ((type == "Directory" || type == "DirectoryOrCreate") && !dir)
    return Err(ErrorCode::kFailedPrecondition, "hostPath type check failed: {} is not a directory",
               hp.path);
  if ((type == "File" || type == "FileOrCreate") && (!exists || dir))
    return Err(ErrorCode::kFailedPrecondition, "hostPath type check failed: {} is not a file",
               hp.path);
  if (type == "Socket" || type == "CharDevice" || type == "BlockDevice")
    return Err(ErrorCode::kUnsupported, "hostPath type {} is not supported on Windows", type);
  // No type: mounted as it is; a missing source is linked as a directory.
  return !exists || dir;
}

// A warning about container `c` to options.warn, or to stderr (ContainerOptions::warn).
void Warn(const ContainerOptions& options, const k8s::Container& c, const std::string& reason,
          const std::string& text) {
  std::string message = "container \"" + c.name + "\": " + text;
  if (options.warn)
    options.warn(reason, message);
  else
    Write(stderr, "Warning: " + message + "\n");
}

// A configMap or secret volume's files in `dir` (made here), each at its item path below it
// (core/windows/mounts.h's path rules). The mode means on Windows what Go's os.Chmod makes of
// it for kubelet: only the owner's write bit (0200), cleared as the read-only attribute.
Status WritePayload(const std::string& dir, const plan::Payload& files) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(dir)), ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", dir, ec.message());
  for (const auto& [rel, f] : files) {
    ASSIGN_OR_RETURN_CTX(std::string path, windows::MountLinkPath(dir, rel), "file \"{}\"", rel);
    std::filesystem::create_directories(std::filesystem::path(sys::Widen(path)).parent_path(), ec);
    if (ec)
      return Err(ErrorCode::kInternal, "create the directory of \"{}\": {}", path, ec.message());
    TRY(sys::WriteFile(path, f.content));
    if (!(f.mode & 0200) && !SetFileAttributesW(sys::Widen(path).c_str(), FILE_ATTRIBUTE_READONLY))
      return Err(sys::Win32Error("make \"" + path + "\" read-only"));
  }
  return Ok();
}

// The SID of the account the container runs as: its token's user, or this process's when it
// inherits ours (a null token).
Result<std::string> AccountSid(void* token) {
  if (token) return launch::TokenUserSid(token);
  HANDLE own = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &own))
    return Err(sys::Win32Error("open this process's token"));
  auto sid = launch::TokenUserSid(own);
  CloseHandle(own);
  return sid;
}

// The container's volume mounts as symbolic links inside its volume (containerd 1.6's layout,
// core/windows/mounts.h), each checked by its effect: Wine reports CreateSymbolicLinkW done and
// makes nothing; its file volumes as files in it, made from `input` (PlanInputOf).
Status MakeMounts(const plan::PlanInput& input, const ContainerOptions& flags,
                  const std::string& volume, void* token) {
  const k8s::Pod& pod = *input.pod;
  const k8s::Container& c = *input.container;
  // First what each mount is, with no effect: a mount the preview cannot make is refused before
  // any is made.
  struct Planned {
    std::string what, link, source;
    const k8s::Volume* volume;
    std::optional<plan::Payload> files;  // a file volume: written, not linked
  };
  // The manifest's mounts, then the service account's that the API server's admission adds
  // (plan::ServiceAccountVolume, as on Linux) unless automountServiceAccountToken is false or a
  // mount of the manifest is at its path (or above or below it: links cannot be nested).
  std::vector<std::pair<k8s::VolumeMount, const k8s::Volume*>> mounts;
  for (const k8s::VolumeMount& m : c.volume_mounts) {
    const k8s::Volume* v = nullptr;
    for (const k8s::Volume& candidate : pod.spec.volumes)
      if (candidate.name == m.name) v = &candidate;
    mounts.emplace_back(m, v);
  }
  const k8s::Volume service_account = plan::ServiceAccountVolume("kube-api-access");
  if (pod.spec.automount_service_account_token.value_or(true)) {
    k8s::VolumeMount m;
    m.name = service_account.name;
    m.mount_path = plan::kServiceAccountMountPath;
    m.read_only = true;
    auto at = windows::MountLinkPath(volume, m.mount_path);
    bool taken = false;
    for (const auto& [other, v] : mounts) {
      auto other_at = windows::MountLinkPath(volume, other.mount_path);
      taken |= at && other_at &&
               (windows::IsSameOrBelow(*at, *other_at) || windows::IsSameOrBelow(*other_at, *at));
    }
    if (!taken) mounts.emplace_back(m, &service_account);
  }
  plan::PayloadSources sources{input, {}, {}, NowUnixSeconds()};
  std::vector<Planned> planned;
  for (const auto& [m, v] : mounts) {
    std::string what = fmt::format("volumeMount \"{}\" at \"{}\"", m.name, m.mount_path);
    if (!m.sub_path.empty() || !m.sub_path_expr.empty())
      return Err(ErrorCode::kUnsupported,
                 "{}: subPath is not supported by the Windows preview build yet", what);
    if (!v)
      return Err(ErrorCode::kInvalidArgument, "{}: no volume \"{}\" in the pod", what, m.name);
    std::string source;
    std::optional<plan::Payload> files;
    if (v->config_map || v->secret || v->downward_api || v->projected) {
      // kubelet's payload (plan/payload.h, shared with Linux), written into the container
      // volume at the mount path: no link, so it works where links cannot be made (Wine). A
      // secret volume's directory gets its own protected DACL (below).
      auto payload = plan::VolumePayload(*v, sources);
      if (!payload) return Err(Error(payload.error()).Context(what));
      files = std::move(*payload);
    } else if (v->host_path) {
      if (windows::IsNamedPipe(v->host_path->path))
        return Err(ErrorCode::kUnsupported, "{}: {}", what, windows::kNamedPipeMountError);
      TRY_CTX(windows::CheckHostPathSource(v->host_path->path), "{}", what);
      source = v->host_path->path;
    } else if (v->empty_dir) {
      if (flags.volumes_dir.empty())
        return Err(ErrorCode::kUnsupported, "{}: emptyDir needs the pod's directory", what);
      source = windows::JoinPath(flags.volumes_dir, v->name);
    } else {
      return Err(ErrorCode::kUnsupported,
                 "{}: only hostPath, emptyDir, configMap, secret, downwardAPI and projected "
                 "volumes are supported by the Windows preview build yet",
                 what);
    }
    ASSIGN_OR_RETURN_CTX(std::string link, windows::MountLinkPath(volume, m.mount_path), "{}",
                         what);
    if (m.read_only.value_or(false) && !files)
      Warn(flags, c, "ReadOnlyNotEnforced",
           what +
               " is readOnly, which a symbolic link cannot enforce (containerd 1.6's layout): it "
               "is writable");
    // A link inside another mount's link would be made in that mount's source, on the host,
    // and never removed with the volume.
    for (const Planned& other : planned)
      if (windows::IsSameOrBelow(link, other.link) || windows::IsSameOrBelow(other.link, link))
        return Err(ErrorCode::kUnsupported,
                   "{}: overlaps {} (mounts are links in the container volume and cannot be "
                   "nested or repeated)",
                   what, other.what);
    planned.push_back({what, link, source, v, std::move(files)});
  }
  for (const Planned& p : planned) {
    bool dir = true;
    if (p.files) {
      // Checked below like a link's path; written once nothing of the image is there.
    } else if (p.volume->host_path) {
      auto kind = HostPathSource(*p.volume->host_path);
      if (!kind) return Err(Error(kind.error()).Context(p.what));
      dir = *kind;
    } else {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(sys::Widen(p.source)), ec);
      if (ec)
        return Err(ErrorCode::kInternal, "{}: create \"{}\": {}", p.what, p.source, ec.message());
    }
    // No directory on the way from the volume to the link may be a link itself (the image's):
    // the link, and the directories made for it, must land inside the volume.
    for (std::string at = windows::JoinPath(volume, "");;) {
      size_t next = p.link.find('\\', at.size());
      if (next == std::string::npos) break;
      at = p.link.substr(0, next);
      DWORD a = GetFileAttributesW(sys::Widen(at).c_str());
      if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT))
        return Err(ErrorCode::kFailedPrecondition, "{}: \"{}\" in the container volume is a link",
                   p.what, at);
      at += '\\';
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(sys::Widen(p.link)).parent_path(),
                                        ec);
    if (GetFileAttributesW(sys::Widen(p.link).c_str()) != INVALID_FILE_ATTRIBUTES)
      return Err(ErrorCode::kFailedPrecondition, "{}: \"{}\" exists in the image", p.what, p.link);
    if (p.files) {
      if (p.volume->secret) {
        // Whatever the volume root grants (it may have existed before the node made it), a
        // Secret's files are readable by SYSTEM, the Administrators and the container's account
        // only: a protected DACL on their directory, checked by reading it back.
        ASSIGN_OR_RETURN_CTX(std::string reader, AccountSid(token), "{}", p.what);
        if (Status made = sys::MakeProtectedDirectory(p.link, reader); !made) {
          std::optional<std::string> wine = sys::WineVersion();
          if (!wine) return Err(Error(made.error()).Context(p.what));
          Warn(flags, c, "SecretNotProtected",
               p.what + ": " + made.error().message() + " (Wine " + *wine +
                   " does not keep security descriptors): the Secret's files are not protected "
                   "from other accounts here");
        }
      }
      TRY_CTX(WritePayload(p.link, *p.files), "{}", p.what);
      continue;
    }
    DWORD link_flags =
        SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE | (dir ? SYMBOLIC_LINK_FLAG_DIRECTORY : 0);
    BOOL made =
        CreateSymbolicLinkW(sys::Widen(p.link).c_str(), sys::Widen(p.source).c_str(), link_flags);
    Error call_error = sys::Win32Error("CreateSymbolicLinkW");
    DWORD attrs = GetFileAttributesW(sys::Widen(p.link).c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
      std::string why =
          made ? "CreateSymbolicLinkW reported success and made no link" : call_error.message();
      if (auto wine = sys::WineVersion())
        why += " (Wine " + *wine + " makes no links); volume mounts need Windows";
      return Err(ErrorCode::kUnsupported, "{}: no link \"{}\" to \"{}\": {}", p.what, p.link,
                 p.source, why);
    }
  }
  return Ok();
}

// The ephemeral user made for a container's start, deleted when this goes unless released to
// the started container (whose Finish deletes it).
class MadeUser {
 public:
  MadeUser() = default;
  MadeUser(MadeUser&& o) noexcept : id_(std::exchange(o.id_, {})) {}
  MadeUser& operator=(MadeUser&&) = delete;
  ~MadeUser() {
    if (!id_.empty()) (void)launch::DeleteEphemeralUser(id_);
  }
  void Made(std::string id) { id_ = std::move(id); }
  std::string Release() { return std::exchange(id_, {}); }

 private:
  std::string id_;
};

// What a container's processes run with (its first process and exec's): the account's token
// and environment, the image, the built environment and working directory.
struct ProcessContext {
  MadeUser user;  // declared first: deleted after the token that is logged on as it is closed
  launch::Token token;
  plan::PlanInput input;       // the pod, container, node and objects (PlanInputOf)
  plan::EnvList manifest_env;  // kubelet's: what `$(VAR)` in command and args refers to
  std::optional<image::ImageRecord> img;
  windows::EnvList env;
  std::string sandbox, work, path_env;
};

Result<ProcessContext> ContextFor(const k8s::Pod& pod, const k8s::Container& c,
                                  const ContainerOptions& flags, const std::string& id,
                                  bool starting) {
  ProcessContext ctx;
  bool warn = starting;
  std::map<std::string, std::string> annotations = Annotations(pod);
  std::string run_as = RunAsUserName(pod.spec, c).value_or("");
  ASSIGN_OR_RETURN(windows::Account account,
                   windows::ClassifyAccount(annotations, run_as, id, launch::LocalGroups()));
  // The account's token and environment (hcsshim's order; the inherited one is ours). A group
  // gets its ephemeral user when the container starts; exec logs that user on again.
  windows::EnvList account_env;
  if (account.kind == windows::AccountKind::kInherit) {
    account_env = OwnEnvironment();
  } else {
    Result<launch::Token> logged_on = Err(ErrorCode::kInternal, "no logon");
    if (account.kind != windows::AccountKind::kEphemeral) {
      logged_on = launch::LogOn(account);
    } else if (starting) {
      // Marked made before it is: whatever CreateEphemeralUser leaves, the delete that comes
      // with ctx takes (it deletes only a user whose comment is this container's).
      ctx.user.Made(id);
      logged_on = launch::CreateEphemeralUser(account, id);
    } else {
      logged_on = launch::LogOnEphemeralUser(account, id);
    }
    if (!logged_on) {
      std::string message = logged_on.error().ToString();
      if (message.find(windows::kInheritUserAnnotation) == std::string::npos)
        message += fmt::format("; to run as this process's account set the annotation {}: \"true\"",
                               windows::kInheritUserAnnotation);
      return Err(ErrorCode::kUnsupported, "container \"{}\": {}", c.name, message);
    }
    ctx.token = std::move(*logged_on);
    auto token_env = launch::TokenEnvironment(ctx.token);
    if (!token_env)
      return Err(Error(token_env.error()).Context(fmt::format("container \"{}\"", c.name)));
    account_env = std::move(*token_env);
  }
  if (!c.image.empty()) {
    auto found = image::ResolveDirectoryImage(flags.root, c.image);
    if (found) {
      TRY_CTX(plan::CheckImageOs(c.image, found->config.os, "windows"), "container \"{}\"", c.name);
      ctx.img = std::move(*found);
    } else if (found.error().code() == ErrorCode::kNotFound) {
      if (warn)
        Warn(flags, c, "ImageNotImported",
             found.error().message() + "; its container volume starts empty");
    } else {
      return Err(Error(found.error()).Context(fmt::format("container \"{}\"", c.name)));
    }
  }
  windows::EnvList image_env;
  if (ctx.img)
    for (const std::string& e : ctx.img->config.env) {
      size_t eq = e.find('=');
      image_env.emplace_back(e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
    }
  // The manifest's environment as kubelet makes it (plan::ManifestEnv: `$(VAR)` expansion,
  // fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef, envFrom), over the ConfigMaps
  // and Secrets of the pod's namespace.
  ctx.input = PlanInputOf(pod, c, flags);
  auto manifest_env = plan::ManifestEnv(ctx.input);
  if (!manifest_env)
    return Err(Error(manifest_env.error()).Context(fmt::format("container \"{}\"", c.name)));
  ctx.manifest_env = std::move(*manifest_env);
  const windows::EnvList& pod_env = ctx.manifest_env;
  ctx.sandbox = windows::SandboxPath(windows::JoinPath(flags.volume_root, id));
  ctx.env = windows::BuildEnvironment(account_env, image_env, pod_env, ctx.sandbox);
  for (const auto& [name, value] : ctx.env)
    if (windows::EqualsIgnoreCase(name, "PATH")) ctx.path_env = value;
  ctx.work = windows::WorkingDirectory(ctx.sandbox, !c.working_dir.empty() || !ctx.img
                                                        ? c.working_dir
                                                        : ctx.img->config.working_dir);
  return ctx;
}

}  // namespace

Result<Running> Start(const k8s::Pod& pod, const k8s::Container& c, const ContainerOptions& flags) {
  std::string id = flags.id.empty() ? NewContainerId() : flags.id;
  std::map<std::string, std::string> annotations = Annotations(pod);
  ASSIGN_OR_RETURN(ProcessContext ctx, ContextFor(pod, c, flags, id, true));
  const std::optional<image::ImageRecord>& img = ctx.img;
  // Kubernetes' rule: command replaces the entrypoint (and then the image's cmd is unused);
  // args replace the cmd.
  // kubelet expands `$(VAR)` in the manifest's command and args (not the image's) with the
  // manifest's environment; hcsshim's %CONTAINER_SANDBOX_MOUNT_POINT% comes after.
  auto kube = [&](const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const std::string& w : in)
      out.push_back(plan::ExpandKubernetes(w, plan::LookupIn(&ctx.manifest_env)));
    return out;
  };
  std::vector<std::string> words = kube(c.command);
  if (words.empty() && img) {
    words = img->config.entrypoint;
    for (const std::string& a : c.args.empty() ? img->config.cmd : kube(c.args)) words.push_back(a);
  } else {
    for (const std::string& a : kube(c.args)) words.push_back(a);
  }
  if (words.empty())
    return Err(ErrorCode::kUnsupported,
               "container \"{}\": no command: the manifest sets none and the image \"{}\" has no "
               "entrypoint or cmd",
               c.name, c.image);

  std::string volume = windows::JoinPath(flags.volume_root, id);
  const std::string& sandbox = ctx.sandbox;
  std::error_code ec;
  // The volumes' root is the node's own (others must not plant or swap volumes there).
  TRY_CTX(sys::EnsurePrivateDirectory(flags.volume_root), "container \"{}\"", c.name);
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(volume)), ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", volume, ec.message());
  auto remove_volume = [&] { (void)sys::RemoveAll(volume); };
  if (img) {
    if (Status copied = image::CopyDirectoryImage(flags.root, *img, volume); !copied) {
      remove_volume();
      return Err(Error(copied.error()).Context(fmt::format("container \"{}\"", c.name)));
    }
  }
  if (Status mounted = MakeMounts(ctx.input, flags, volume, ctx.token.get()); !mounted) {
    remove_volume();
    return Err(Error(mounted.error()).Context(fmt::format("container \"{}\"", c.name)));
  }

  const std::string& work = ctx.work;
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(work)), ec);

  std::vector<std::string> argv;
  for (const std::string& a : words) argv.push_back(windows::ExpandSandbox(a, sandbox));
  auto app = windows::ResolveApplication(windows::JoinCommandLine(argv),
                                         {work, ctx.path_env, SystemDirs()}, RealProbe());
  if (!app) {
    remove_volume();
    return Err(Error(app.error()).Context(fmt::format("container \"{}\"", c.name)));
  }
  job::Limits limits = Resources(c.resources);
  if (limits.memory_bytes || limits.cpu_limit_millis || limits.cpu_request_millis) {
    // Wine accepts the limits and reads them back as 0 (docs/windows.md): say so, by name.
    if (std::optional<std::string> wine = sys::WineVersion())
      Warn(flags, c, "LimitsNotEnforced",
           "Wine " + *wine +
               " accepts Job Object limits without enforcing them: its CPU and memory resources "
               "are not applied here");
  }
  std::vector<std::string> io_warnings;
  windows::IoRate io = windows::IoRateFromAnnotations(annotations, &io_warnings);
  if ((io.iops || io.bytes_per_second) && sys::WineVersion()) {
    // Wine 8 has no I/O rate control at all (docs/windows.md): said by name, not set.
    io_warnings.push_back("Wine " + *sys::WineVersion() +
                          " has no I/O rate control (SetIoRateControlInformationJobObject): the "
                          "storage QoS annotations are not applied here");
    io = {};
  }
  limits.io_total_iops = io.iops;
  limits.io_total_bytes_per_second = io.bytes_per_second;
  for (const std::string& w : io_warnings) Warn(flags, c, "IoRateNotApplied", w);
  auto jobs = job::NewJobManager({});
  auto job =
      jobs ? (*jobs)->Create("", id, limits) : Result<std::unique_ptr<job::Job>>(Err(jobs.error()));
  if (!job) {
    remove_volume();
    return Err(job.error());
  }
  auto attach = (*job)->PrepareAttach();
  if (!attach) {
    remove_volume();
    return Err(attach.error());
  }
  auto process = launch::Spawn({app->path, app->command_line, windows::EnvironmentBlock(ctx.env),
                                work, nullptr, flags.std_out, flags.std_err, ctx.token.get()},
                               **attach);
  if (!process) {
    remove_volume();
    return Err(Error(process.error()).Context(fmt::format("container \"{}\"", c.name)));
  }
  return Running{c.name,
                 volume,
                 std::move(*job),
                 std::move(*process),
                 ctx.user.Release(),
                 ctx.img.has_value()};
}

Result<uint32_t> Exec(const k8s::Pod& pod, const k8s::Container& c, const ContainerOptions& flags,
                      const std::vector<std::string>& command) {
  ASSIGN_OR_RETURN(ProcessContext ctx, ContextFor(pod, c, flags, flags.id, false));
  std::vector<std::string> argv;
  for (const std::string& a : command) argv.push_back(windows::ExpandSandbox(a, ctx.sandbox));
  ASSIGN_OR_RETURN(
      windows::Application app,
      windows::ResolveApplication(windows::JoinCommandLine(argv),
                                  {ctx.work, ctx.path_env, SystemDirs()}, RealProbe()));
  // The job's handle is closed as soon as the process is in it (when the lambda returns): a
  // handle held while waiting would keep the job alive past its supervisor, and
  // kill-on-job-close would not end it.
  Result<launch::Process> process = [&]() -> Result<launch::Process> {
    // Opened with the rights to add a process and query, not to terminate (job.h's Open asks
    // for those too: exec needs no more than it uses).
    ASSIGN_OR_RETURN(job::JobObject job, job::JobObject::Open(flags.id));
    return launch::Spawn(
        {app.path, app.command_line, windows::EnvironmentBlock(ctx.env), ctx.work, nullptr,
         flags.std_out, flags.std_err, ctx.token.get(), flags.pseudo_console},
        job::JobObjectAttach(job.handle()));
  }();
  if (!process) return Err(process.error());
  ASSIGN_OR_RETURN(bool ended,
                   process->Wait(flags.timeout.count() < 0 ? std::chrono::milliseconds(INFINITE)
                                                           : flags.timeout));
  if (!ended) {
    (void)process->Terminate(1);
    return Err(ErrorCode::kUnavailable, "timed out");
  }
  return process->ExitCode();
}

Status WaitFirstProcess(Running& r) {
  for (;;) {
    ASSIGN_OR_RETURN(bool ended, r.process.Wait(std::chrono::seconds(1)));
    if (ended) return Ok();
    // What the job's processes queued on its port (exec probes start and end some) is dropped
    // while the container runs.
    if (job::JobObject* obj = r.job ? job::JobObjectOf(*r.job) : nullptr) obj->DrainMessages();
  }
}

Result<uint32_t> Finish(Running& r, Status* volume_left) {
  TRY(WaitFirstProcess(r));
  ASSIGN_OR_RETURN(uint32_t code, r.process.ExitCode());
  Status killed = r.job->Kill();
  auto empty = r.job->WaitEmpty(std::chrono::seconds(10));
  if (!killed) return Err(killed.error());
  if (!empty) return Err(empty.error());
  // The volume and the ephemeral user are removed only once no process of the job is left to
  // use them: an error here cleans nothing, and the caller keeps the container's id recorded
  // (RemoveLeftovers does the rest later).
  if (!*empty)
    return Err(ErrorCode::kInternal, "container \"{}\": job \"{}\" still has processes", r.name,
               r.job->Describe());
  // The job goes first (as hcsshim's Close): with its last handle closed, kill-on-job-close
  // ends anything that was started in it since.
  r.job.reset();
  auto left = [&](Error e) -> Status {
    if (!volume_left) return Err(std::move(e));
    *volume_left = tl::unexpected(std::move(e));
    return Ok();
  };
  if (!r.ephemeral_user.empty()) {
    Status deleted = launch::DeleteEphemeralUser(r.ephemeral_user);
    if (!deleted) {
      TRY(left(Error(deleted.error()).Context(fmt::format("container \"{}\"", r.name))));
    } else {
      r.ephemeral_user.clear();
    }
  }
  // The container's links (symbolic links, junctions) go, never what they point to.
  if (Status removed = sys::RemoveAll(r.volume); !removed)
    TRY(left(Error(removed.error())
                 .Context(fmt::format("container \"{}\": its volume \"{}\" is left", r.name,
                                      r.volume))));
  return code;
}

std::vector<std::string> RemoveLeftovers(const std::string& volume, const std::string& id,
                                         std::chrono::milliseconds retry) {
  std::vector<std::string> left;
  // Kill-on-job-close ends a dead holder's job only once its last handle is closed (a
  // concurrent top, describe or exec may hold one): what is still in it is ended first, and
  // nothing is removed while it runs.
  if (auto jobs = job::NewJobManager({})) {
    auto job = (*jobs)->Open("", id);
    if (job) {
      (void)(*job)->Kill();
      auto empty = (*job)->WaitEmpty(std::chrono::seconds(10));
      if (!empty || !*empty) {
        left.push_back("the processes of job object \"JobContainer_" + id + "\"");
        return left;
      }
    } else if (job.error().code() != ErrorCode::kNotFound) {
      left.push_back("job object \"JobContainer_" + id + "\" (" + job.error().message() + ")");
      return left;
    }
  }
  if (Status deleted = launch::DeleteEphemeralUser(id); !deleted)
    left.push_back("the ephemeral user of container " + id + " (" + deleted.error().message() +
                   ")");
  auto deadline = std::chrono::steady_clock::now() + retry;
  for (;;) {
    if (sys::RemoveAll(volume)) break;  // links inside are removed, never followed
    if (std::chrono::steady_clock::now() >= deadline) {
      left.push_back("\"" + volume + "\"");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return left;
}

void StopContainers(const std::vector<std::string>& ids, std::chrono::milliseconds grace) {
  std::vector<job::JobObject> jobs;
  for (const std::string& id : ids)
    if (auto job = job::JobObject::Open(id, /*terminate=*/true)) jobs.push_back(std::move(*job));
  std::vector<job::JobObject*> stopping;
  for (job::JobObject& job : jobs) stopping.push_back(&job);
  StopJobs(stopping, grace);
}

void StopJobs(const std::vector<job::JobObject*>& jobs, std::chrono::milliseconds grace) {
  struct Stopping {
    job::JobObject* job;
    windows::GracefulStop plan;
    bool done = false;
  };
  std::vector<Stopping> stops;
  for (job::JobObject* job : jobs) {
    stops.push_back({job, windows::GracefulStop(grace, SteadyNowMs())});
    Stopping& s = stops.back();
    windows::StopAction act = s.plan.Begin();
    if (act == windows::StopAction::kSendShutdown) {
      auto sent = s.job->SendCtrlShutdown(
          std::min<std::chrono::milliseconds>(grace, std::chrono::seconds(2)));
      act = sent ? s.plan.Sent(*sent) : windows::StopAction::kTerminate;
    }
    if (act == windows::StopAction::kTerminate) {
      (void)s.job->Terminate(1);
      s.done = true;
    }
  }
  for (;;) {
    bool waiting = false;
    for (Stopping& s : stops) {
      if (s.done) continue;
      auto active = s.job->ActiveProcesses();
      windows::StopAction act = s.plan.Poll(active && *active == 0, SteadyNowMs());
      if (act == windows::StopAction::kTerminate) (void)s.job->Terminate(1);
      s.done = act != windows::StopAction::kWait;
      waiting = waiting || !s.done;
    }
    if (!waiting) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace hp::cli::windows_node
