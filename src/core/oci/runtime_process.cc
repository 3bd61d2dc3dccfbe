#include <sys/resource.h>

#include <map>

#include "core/base/strings.h"
#include "core/oci/runtime.h"
#include "core/oci/runtime_internal.h"
#include "core/oci/seccomp.h"

namespace hp::oci {

Result<int> ParseRlimit(std::string_view name) {
  static const std::map<std::string, int, std::less<>> kRlimits = {
      {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},
      {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_STACK", RLIMIT_STACK}};
  auto it = kRlimits.find(name);
  if (it == kRlimits.end()) return Err(ErrorCode::kInvalidArgument, "wrong rlimit value: {}", name);
  return it->second;
}

namespace internal {
namespace {

uint64_t CapMask(const std::vector<std::string>& names, std::vector<std::string>* warnings) {
  uint64_t mask = 0;
  for (const std::string& n : names) {
    auto bit = launch::ParseCapabilities({n});
    if (bit) {
      mask |= *bit;
    } else if (warnings) {
      warnings->push_back(fmt::format("ignoring unknown or unsupported capability {}", Quote(n)));
    }
  }
  return mask;
}

}  // namespace

Result<PreparedProcess> PrepareProcess(const Process& process, const ProcessPlan& plan,
                                       const std::string& console_socket, int preserve_fds,
                                       std::vector<std::string>* warnings) {
  PreparedProcess out;
  launch::LaunchSpec& s = out.spec;
  s.path = plan.path;
  s.argv = plan.argv;
  s.env = plan.env;
  s.cwd = plan.cwd;
  s.uid = process.user.uid;
  s.gid = process.user.gid;
  s.groups =
      std::vector<gid_t>(process.user.additional_gids.begin(), process.user.additional_gids.end());
  if (process.capabilities) {
    const Capabilities& c = *process.capabilities;
    launch::Capabilities caps;
    caps.bounding = CapMask(c.bounding, warnings);
    caps.effective = CapMask(c.effective, warnings);
    caps.permitted = CapMask(c.permitted, warnings);
    caps.inheritable = CapMask(c.inheritable, warnings);
    caps.ambient = CapMask(c.ambient, warnings);
    // The kernel raises an ambient capability only if it is permitted and inheritable; like
    // runc, ask for no more than that instead of failing.
    caps.ambient &= caps.permitted & caps.inheritable;
    s.caps = caps;
  }
  s.no_new_privs = process.no_new_privileges;
  for (const Rlimit& r : process.rlimits) {
    ASSIGN_OR_RETURN(int res, ParseRlimit(r.type));
    s.rlimits.push_back({res, static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)});
  }
  if (process.user.umask) s.umask = static_cast<mode_t>(*process.user.umask);

  if (process.terminal) {
    if (console_socket.empty())
      return Err(ErrorCode::kInvalidArgument,
                 "cannot allocate tty if runc will detach without setting console socket");
    ASSIGN_OR_RETURN(Pty pty, OpenPty(process.console_size));
    TRY(SendFd(console_socket, pty.master.get(), pty.slave_name));
    pty.master.reset();
    s.stdin_fd = s.stdout_fd = s.stderr_fd = pty.slave.get();
    s.controlling_tty = pty.slave.get();
    s.new_session = true;
    out.pty = std::move(pty);
  } else if (!console_socket.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "cannot use console socket if runc will not detach or allocate tty");
  }
  for (int i = 0; i < preserve_fds; ++i) s.extra_fds.push_back(3 + i);
  return out;
}

void ApplySeccomp(SeccompProgram program, launch::LaunchSpec& spec) {
  spec.seccomp_filter = std::move(program.filter);
  spec.seccomp_flags = program.flags;
}

}  // namespace internal
}  // namespace hp::oci
