// PlanContainer: the whole ContainerPlan (see plan.h); the environment lives in env.cc.
#include "core/plan/plan.h"

#include <algorithm>
#include <charconv>

#include "core/base/strings.h"
#include "core/plan/expand.h"
#include "core/plan/payload.h"

namespace hp::plan {
namespace {

Result<int64_t> ParsePositiveInt(const std::string& annotation, const std::string& text) {
  int64_t v = 0;
  std::string_view s = TrimSpace(text);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) {
    return Err(ErrorCode::kInvalidArgument,
               "annotation \"{}\": invalid value \"{}\": must be a positive integer", annotation,
               text);
  }
  return v;
}

// A mountPath relative to the sandbox; ".." that would leave it is an error.
Result<std::string> SandboxRelative(const std::string& what, const std::string& path) {
  std::string rel = CleanPath(StartsWith(path, "/") ? path.substr(1) : path);
  if (rel.empty() || rel == ".." || StartsWith(rel, "../")) {
    return Err(ErrorCode::kInvalidArgument, "{} \"{}\" is outside the container volume", what,
               path);
  }
  return rel;
}

}  // namespace

Result<LimitsPlan> PlanLimits(const k8s::Pod& pod, const k8s::Container& c, const NodeInfo& node) {
  LimitsPlan l;
  if (const k8s::Quantity* q = FindResource(c.resources.limits, "memory"))
    l.memory_bytes = q->Value();
  const k8s::Quantity* cpu_limit = FindResource(c.resources.limits, "cpu");
  if (cpu_limit) l.cpu_limit_millis = cpu_limit->MilliValue();
  // The API server defaults an unset request to the limit.
  if (const k8s::Quantity* q = FindResource(c.resources.requests, "cpu")) {
    l.cpu_request_millis = q->MilliValue();
  } else if (cpu_limit) {
    l.cpu_request_millis = cpu_limit->MilliValue();
  }
  const auto& ann = pod.metadata.annotations;
  if (const std::string* v = k8s::Lookup(ann, kAnnotationPidsMax)) {
    ASSIGN_OR_RETURN(l.pids_max, ParsePositiveInt(kAnnotationPidsMax, *v));
  } else {
    l.pids_max = node.default_pids_max;
  }
  if (const std::string* v = k8s::Lookup(ann, kAnnotationIoBpsMax)) l.io_bps = *v;
  if (const std::string* v = k8s::Lookup(ann, kAnnotationIoIopsMax)) l.io_iops = *v;
  return l;
}

Result<std::vector<VolumeMountPlan>> PlanMounts(const PlanInput& in, const EnvList& env) {
  const k8s::Pod& pod = *in.pod;
  std::vector<VolumeMountPlan> out;
  bool sa_path_taken = false;
  for (const k8s::VolumeMount& vm : in.container->volume_mounts) {
    auto vol = std::find_if(pod.spec.volumes.begin(), pod.spec.volumes.end(),
                            [&](const k8s::Volume& v) { return v.name == vm.name; });
    if (vol == pod.spec.volumes.end()) {
      return Err(ErrorCode::kInvalidArgument, "volumeMount \"{}\": volume not found", vm.name);
    }
    VolumeMountPlan m;
    m.name = vm.name;
    m.volume = *vol;
    m.mount_path = vm.mount_path;
    ASSIGN_OR_RETURN(std::string rel, SandboxRelative("mountPath", vm.mount_path));
    m.target = in.sandbox + rel;
    m.read_only = vm.read_only.value_or(false);
    m.sub_path = vm.sub_path;
    if (!vm.sub_path_expr.empty()) {
      m.sub_path = ExpandKubernetes(vm.sub_path_expr, LookupIn(&env));
    }
    if (!m.sub_path.empty()) {
      std::string clean = CleanPath(m.sub_path);
      if (StartsWith(m.sub_path, "/") || clean == ".." || StartsWith(clean, "../")) {
        return Err(ErrorCode::kInvalidArgument,
                   "volumeMount \"{}\": subPath \"{}\" must be a relative path inside the volume",
                   vm.name, m.sub_path);
      }
    }
    if (CleanPath("/" + rel) == kServiceAccountMountPath) sa_path_taken = true;
    out.push_back(std::move(m));
  }
  if (pod.spec.automount_service_account_token.value_or(true) && !sa_path_taken) {
    VolumeMountPlan m;
    m.name = "kube-api-access";
    m.volume = ServiceAccountVolume(m.name);
    m.mount_path = kServiceAccountMountPath;
    m.target = in.sandbox + std::string(kServiceAccountMountPath).substr(1);
    m.read_only = true;
    out.push_back(std::move(m));
  }
  return out;
}

Result<ContainerPlan> PlanContainer(const PlanInput& input) {
  PlanInput in = input;
  if (in.pod == nullptr || in.container == nullptr) {
    return Err(ErrorCode::kInvalidArgument, "plan: no pod or container given");
  }
  if (in.sandbox.empty() || in.sandbox[0] != '/') {
    return Err(ErrorCode::kInvalidArgument, "sandbox path \"{}\" is not absolute", in.sandbox);
  }
  if (in.sandbox.back() != '/') in.sandbox.push_back('/');
  const k8s::Pod& pod = *in.pod;
  const k8s::Container& c = *in.container;
  std::string what = fmt::format("container \"{}\"", c.name);

  ContainerPlan plan;
  plan.name = c.name;
  plan.init = in.init;
  plan.sandbox = in.sandbox;

  // Environment: image env, manifest env, PATH, HOSTNAME, CONTAINER_SANDBOX_MOUNT_POINT last.
  ASSIGN_OR_RETURN_CTX(EnvList manifest, ManifestEnv(in), "{}", what);
  EnvList env;
  for (const std::string& kv : in.image.env) {
    size_t eq = kv.find('=');
    if (eq == 0) continue;
    if (eq == std::string::npos) {
      SetEnv(env, kv, "");
    } else {
      SetEnv(env, kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  const std::string* image_path = GetEnv(env, "PATH");
  std::string image_path_value = image_path ? *image_path : std::string();
  std::vector<std::string> mapped = MapImagePath(image_path_value, in.sandbox);
  for (const auto& [k, v] : manifest) SetEnv(env, k, v);
  const std::string* manifest_path = GetEnv(manifest, "PATH");
  plan.search_path = SearchPath(manifest_path, in.node.default_path, mapped);
  SetEnv(env, "PATH", Join(plan.search_path, ":"));
  SetEnv(env, "HOSTNAME", in.node.hostname);
  std::erase_if(env, [](const auto& kv) { return kv.first == kSandboxEnv; });
  env.emplace_back(kSandboxEnv, in.sandbox);
  plan.env = env;

  // Expansion: `$(VAR)` over the manifest's variables (kubelet) and the sandbox variable;
  // `${NAME}` over the final environment.
  EnvList kube_vars = manifest;
  SetEnv(kube_vars, kSandboxEnv, in.sandbox);
  Lookup kube = LookupIn(&kube_vars);
  Lookup shell = LookupIn(&plan.env);
  auto expand = [&](const std::string& s) { return ExpandCommand(s, kube, shell, in.sandbox); };

  if (!c.working_dir.empty()) {
    ASSIGN_OR_RETURN_CTX(plan.working_dir, ResolveWorkingDir(expand(c.working_dir), in.sandbox),
                         "{}", what);
  } else if (!in.image.working_dir.empty()) {
    // The image's WorkingDir names a directory of the image's files: inside the sandbox.
    std::string rel = CleanPath(in.image.working_dir);
    while (StartsWith(rel, "/")) rel = rel.substr(1);
    ASSIGN_OR_RETURN_CTX(plan.working_dir, ResolveWorkingDir(rel.empty() ? "." : rel, in.sandbox),
                         "{}: image working directory", what);
  } else {
    ASSIGN_OR_RETURN(plan.working_dir, ResolveWorkingDir("", in.sandbox));
  }

  // Command: Kubernetes' rules for combining the manifest with the image's entrypoint and cmd.
  std::vector<std::string> argv;
  if (!c.command.empty()) {
    for (const std::string& s : c.command) argv.push_back(expand(s));
    for (const std::string& s : c.args) argv.push_back(expand(s));
  } else {
    argv = in.image.entrypoint;
    if (!c.args.empty()) {
      for (const std::string& s : c.args) argv.push_back(expand(s));
    } else {
      argv.insert(argv.end(), in.image.cmd.begin(), in.image.cmd.end());
    }
  }
  if (argv.empty()) return Err(ErrorCode::kInvalidArgument, "{}: no command specified", c.name);
  plan.process.argv = std::move(argv);
  plan.process.sandbox = in.sandbox;
  plan.process.image_path = ImagePathDirs(image_path_value);
  plan.process.host_path = Split(manifest_path ? *manifest_path : in.node.default_path, ':');
  plan.process.cwd = plan.working_dir.path;
  const std::string* loader = k8s::Lookup(pod.metadata.annotations, kAnnotationImageLoader);
  if (loader && *loader != "true" && *loader != "false") {
    return Err(ErrorCode::kInvalidArgument,
               "annotation \"{}\": invalid value \"{}\": must be \"true\" or \"false\"",
               kAnnotationImageLoader, *loader);
  }
  plan.process.image_loader = !loader || *loader == "true";

  // Account: the container's values win over the pod's.
  const auto& psc = pod.spec.security_context;
  const auto& csc = c.security_context;
  auto pick = [&](auto pod_field, auto ctr_field) {
    decltype(pod_field(*psc)) v{};
    if (psc) v = pod_field(*psc);
    if (csc) {
      auto cv = ctr_field(*csc);
      if (cv) v = cv;
    }
    return v;
  };
  plan.account.user_name = pick(
      [](const k8s::PodSecurityContext& s) {
        return s.windows_options ? s.windows_options->run_as_user_name
                                 : std::optional<std::string>();
      },
      [](const k8s::SecurityContext& s) {
        return s.windows_options ? s.windows_options->run_as_user_name
                                 : std::optional<std::string>();
      });
  plan.account.uid = pick([](const k8s::PodSecurityContext& s) { return s.run_as_user; },
                          [](const k8s::SecurityContext& s) { return s.run_as_user; });
  plan.account.gid = pick([](const k8s::PodSecurityContext& s) { return s.run_as_group; },
                          [](const k8s::SecurityContext& s) { return s.run_as_group; });
  plan.account.run_as_non_root =
      pick([](const k8s::PodSecurityContext& s) { return s.run_as_non_root; },
           [](const k8s::SecurityContext& s) { return s.run_as_non_root; })
          .value_or(false);

  ASSIGN_OR_RETURN_CTX(plan.limits, PlanLimits(pod, c, in.node), "{}", what);
  ASSIGN_OR_RETURN_CTX(plan.mounts, PlanMounts(in, manifest), "{}", what);

  const std::string* layout = k8s::Lookup(pod.metadata.annotations, kAnnotationMountLayout);
  if (layout == nullptr || layout->empty() || *layout == "sandbox") {
    plan.layout = MountLayout::kSandbox;
  } else if (*layout == "absolute") {
    plan.layout = MountLayout::kAbsolute;
  } else {
    return Err(ErrorCode::kInvalidArgument,
               "annotation \"{}\": invalid value \"{}\": must be \"sandbox\" or \"absolute\"",
               kAnnotationMountLayout, *layout);
  }
  plan.grace = std::chrono::seconds(
      std::max<int64_t>(0, pod.spec.termination_grace_period_seconds.value_or(30)));
  return plan;
}

Status ResolveContainerProcess(ContainerPlan& plan, const std::string& cwd, const Fs& fs) {
  plan.process.cwd = cwd;
  ASSIGN_OR_RETURN_CTX(ProcessSpec spec, ResolveProcess(plan.process, fs), "container \"{}\"",
                       plan.name);
  plan.executable = std::move(spec.executable);
  plan.argv = std::move(spec.argv);
  return Ok();
}

}  // namespace hp::plan
