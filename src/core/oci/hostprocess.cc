#include "core/oci/hostprocess.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/base/strings.h"
#include "core/plan/process.h"

namespace hp::oci {

Result<NsId> ResolveNamespace(const std::string& type, const std::string& path) {
  static const std::map<std::string, std::string> kProcName = {
      {"pid", "pid"}, {"network", "net"}, {"mount", "mnt"},     {"ipc", "ipc"},
      {"uts", "uts"}, {"user", "user"},   {"cgroup", "cgroup"}, {"time", "time"}};
  std::string p = path;
  if (p.empty()) {
    auto it = kProcName.find(type);
    if (it == kProcName.end())
      return Err(ErrorCode::kInvalidArgument, "unknown namespace type {}", Quote(type));
    p = "/proc/self/ns/" + it->second;
  }
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return SysErr("stat \"{}\"", p);
  return NsId{st.st_dev, st.st_ino};
}

Result<std::vector<std::string>> CheckNamespaces(const std::vector<Namespace>& namespaces,
                                                 NsResolver resolve) {
  static const std::set<std::string> kIgnored = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
  std::vector<std::string> warnings;
  for (const Namespace& ns : namespaces) {
    bool refused = ns.type == "user" || ns.type == "time";
    if (!refused && !kIgnored.count(ns.type))
      return Err(ErrorCode::kInvalidArgument, "namespace type {} is not supported", Quote(ns.type));
    if (!ns.path.empty()) {
      ASSIGN_OR_RETURN(NsId host, resolve(ns.type, ""));
      auto given = resolve(ns.type, ns.path);
      if (given && *given == host) continue;  // the host's own namespace: nothing to do
      if (refused)
        return Err(ErrorCode::kUnsupported,
                   "HostProcess containers run in the host's {} namespace: joining {} is not "
                   "supported",
                   ns.type, Quote(ns.path));
      warnings.push_back(fmt::format(
          "HostProcess container: ignoring {} namespace {}: the host's {} namespace is kept",
          ns.type, Quote(ns.path), ns.type));
      continue;
    }
    if (refused)
      return Err(ErrorCode::kUnsupported,
                 "HostProcess containers run in the host's {} namespace: a new {} namespace is "
                 "not supported",
                 ns.type, ns.type);
    warnings.push_back(fmt::format(
        "HostProcess container: ignoring the request for a new {} namespace: the host's {} "
        "namespace is kept",
        ns.type, ns.type));
  }
  return warnings;
}

Result<std::vector<std::string>> CheckAnnotations(
    const std::map<std::string, std::string>& annotations) {
  std::vector<std::string> warnings;
  if (auto it = annotations.find(kHostProcessAnnotation); it != annotations.end()) {
    if (!EqualsIgnoreCase(it->second, "true"))
      return Err(ErrorCode::kInvalidArgument,
                 "annotation {}={}: this runtime only runs HostProcess containers",
                 kHostProcessAnnotation, Quote(it->second));
  }
  if (auto it = annotations.find(kMountLayoutAnnotation); it != annotations.end()) {
    if (it->second != "sandbox")
      warnings.push_back(fmt::format(
          "annotation {}={}: only the \"sandbox\" layout is supported by the OCI runtime; volumes "
          "are under the sandbox",
          kMountLayoutAnnotation, Quote(it->second)));
  }
  return warnings;
}

namespace {

bool Below(const std::string& path, const std::string& dir) {
  return path == dir || StartsWith(path, dir + "/");
}

Result<std::string> CleanDestination(const std::string& dest) {
  if (dest.empty() || dest[0] != '/')
    return Err(ErrorCode::kInvalidArgument, "mount destination {} must be absolute", Quote(dest));
  std::string out;
  for (const std::string& part : Split(dest, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..")
      return Err(ErrorCode::kInvalidArgument, "mount destination {} must not contain \"..\"",
                 Quote(dest));
    out += "/" + part;
  }
  return out.empty() ? std::string("/") : out;
}

}  // namespace

bool IsSystemMount(const std::string& d) {
  return Below(d, "/proc") || Below(d, "/sys") || Below(d, "/dev");
}

std::vector<MountPlan> InMountOrder(std::vector<MountPlan> plans) {
  auto depth = [](const MountPlan& p) {
    return std::count(p.destination.begin(), p.destination.end(), '/');
  };
  std::stable_sort(plans.begin(), plans.end(),
                   [&](const MountPlan& a, const MountPlan& b) { return depth(a) < depth(b); });
  return plans;
}

Result<std::vector<MountPlan>> PlanMounts(const std::vector<Mount>& mounts,
                                          std::vector<std::string>* warnings) {
  std::vector<MountPlan> out;
  for (const Mount& m : mounts) {
    MountPlan p;
    ASSIGN_OR_RETURN(p.destination, CleanDestination(m.destination));
    bool bind = m.type == "bind";
    std::vector<std::string> data;
    for (const std::string& o : m.options) {
      if (o == "bind")
        bind = true;
      else if (o == "rbind")
        bind = p.recursive = true;
      else if (o == "ro")
        p.read_only = true;
      else if (o == "rw")
        p.read_only = false;
      else if (o == "nosuid")
        p.flags |= MS_NOSUID;
      else if (o == "nodev")
        p.flags |= MS_NODEV;
      else if (o == "noexec")
        p.flags |= MS_NOEXEC;
      else if (o == "suid" || o == "dev" || o == "exec")
        continue;
      else if (o == "private" || o == "rprivate" || o == "shared" || o == "rshared" ||
               o == "slave" || o == "rslave" || o == "relatime" || o == "norelatime" ||
               o == "strictatime" || o == "noatime")
        continue;  // propagation / atime: the host mount's own settings are kept
      else
        data.push_back(o);
    }
    if (IsSystemMount(p.destination)) {
      p.action = MountAction::kSkipSystem;
    } else if (p.destination == "/") {
      return Err(ErrorCode::kInvalidArgument, "mount on \"/\" is not supported");
    } else if (bind) {
      if (m.source.empty() || m.source[0] != '/')
        return Err(ErrorCode::kInvalidArgument, "bind mount {}: source {} must be absolute",
                   Quote(m.destination), Quote(m.source));
      p.action = MountAction::kBind;
      p.source = m.source;
    } else if (m.type == "tmpfs") {
      p.action = MountAction::kTmpfs;
      p.source = "tmpfs";
      p.data = Join(data, ",");
    } else {
      p.action = MountAction::kSkipUnsupported;
      if (warnings)
        warnings->push_back(fmt::format(
            "HostProcess container: skipping {} mount on {}: only bind and tmpfs mounts are "
            "placed under the sandbox",
            m.type.empty() ? "untyped" : m.type, Quote(m.destination)));
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string SandboxPath(const std::string& bundle, const std::string& root_path) {
  std::string p = root_path.empty() ? "rootfs" : root_path;
  if (p[0] != '/') p = bundle + "/" + p;
  std::string clean;
  for (const std::string& part : Split(p, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      auto slash = clean.rfind('/');
      clean = slash == std::string::npos ? "" : clean.substr(0, slash);
      continue;
    }
    clean += "/" + part;
  }
  return clean + "/";
}

namespace {

std::string ExpandSandbox(const std::string& s, const std::string& sandbox) {
  std::string out = s;
  for (const std::string& pat :
       {std::string("${") + kSandboxEnv + "}", std::string("$") + kSandboxEnv}) {
    size_t pos = 0;
    while ((pos = out.find(pat, pos)) != std::string::npos) {
      out.replace(pos, pat.size(), sandbox);
      pos += sandbox.size();
    }
  }
  return out;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string InSandbox(const std::string& sandbox_no_slash, const std::string& abs) {
  return abs == "/" ? sandbox_no_slash : sandbox_no_slash + abs;
}

}  // namespace

Result<ProcessPlan> PlanProcess(const Process& process, const std::string& sandbox_in) {
  std::string sandbox = sandbox_in;
  if (sandbox.empty() || sandbox[0] != '/')
    return Err(ErrorCode::kInvalidArgument, "sandbox {} must be absolute", Quote(sandbox));
  if (sandbox.back() != '/') sandbox += '/';
  const std::string root = sandbox.substr(0, sandbox.size() - 1);
  if (process.args.empty()) return Err(ErrorCode::kInvalidArgument, "args must not be empty");

  ProcessPlan plan;
  for (const std::string& a : process.args) plan.argv.push_back(ExpandSandbox(a, sandbox));

  // Working directory.
  std::string cwd = ExpandSandbox(process.cwd, sandbox);
  if (cwd.empty() || cwd == "/") {
    plan.cwd = root;
  } else if (cwd[0] != '/') {
    return Err(ErrorCode::kInvalidArgument, "cwd {} must be absolute", Quote(process.cwd));
  } else if (StartsWith(cwd, sandbox) || IsDirectory(cwd)) {
    plan.cwd = cwd;
  } else {
    plan.cwd = InSandbox(root, cwd);
    plan.create_cwd = !IsDirectory(plan.cwd);
  }

  // Environment: the process's, PATH extended with the sandbox, the sandbox variable last.
  std::string path_value;
  bool have_path = false;
  for (const std::string& e : process.env) {
    if (StartsWith(e, "PATH=")) {
      path_value = e.substr(5);
      have_path = true;
    }
  }
  // The PATH variable: the host's directories, then the same ones inside the sandbox.
  std::vector<std::string> search;
  std::vector<std::string> entries = Split(have_path ? path_value : kDefaultPath, ':');
  for (const std::string& d : entries)
    if (!d.empty()) search.push_back(d);
  if (have_path)
    for (const std::string& d : entries)
      if (!d.empty() && d[0] == '/') search.push_back(InSandbox(root, d));
  for (const std::string& e : process.env) {
    if (StartsWith(e, "PATH=") || StartsWith(e, std::string(kSandboxEnv) + "=")) continue;
    plan.env.push_back(e);
  }
  plan.env.push_back("PATH=" + Join(search, ":"));
  plan.env.push_back(std::string(kSandboxEnv) + "=" + sandbox);

  // What to execute: resolved by ResolveExecutable once the working directory exists.
  plan.request.argv = plan.argv;
  plan.request.sandbox = sandbox;
  plan.request.image_path = plan::ImagePathDirs(have_path ? path_value : kDefaultPath);
  for (const std::string& d : entries)
    if (!d.empty()) plan.request.host_path.push_back(d);
  plan.request.wording = plan::NotFoundWording::kRuntime;
  return plan;
}

Status ResolveExecutable(ProcessPlan& plan) {
  plan.request.cwd = plan.cwd;
  ASSIGN_OR_RETURN(plan::ProcessSpec spec, plan::ResolveProcess(plan.request, plan::RealFs()));
  plan.path = std::move(spec.executable);
  plan.argv = std::move(spec.argv);
  return Ok();
}

}  // namespace hp::oci
