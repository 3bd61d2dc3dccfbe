#include "core/oci/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>

#include "core/base/strings.h"
#include "core/base/unique_fd.h"

namespace hp::oci {
namespace {

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

Result<uint32_t> Action(const std::string& name, std::optional<uint32_t> errno_ret,
                        const std::string& field) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM) & 0xffff);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM) & 0xffff);
  if (name == "SCMP_ACT_NOTIFY")
    return Err(ErrorCode::kUnsupported, "{}: SCMP_ACT_NOTIFY (a seccomp agent) is not supported",
               field);
  return Err(ErrorCode::kInvalidArgument, "{}: unknown seccomp action {}", field, Quote(name));
}

Result<scmp_compare> Op(const std::string& name, const std::string& field) {
  static const std::map<std::string, scmp_compare, std::less<>> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end())
    return Err(ErrorCode::kInvalidArgument, "{}: unknown seccomp operator {}", field, Quote(name));
  return it->second;
}

Result<uint32_t> Arch(const std::string& name) {
  // "SCMP_ARCH_X86_64" → libseccomp's "x86_64".
  std::string n = ToLower(StartsWith(name, "SCMP_ARCH_") ? name.substr(10) : name);
  uint32_t token = seccomp_arch_resolve_name(n.c_str());
  if (token == 0)
    return Err(ErrorCode::kInvalidArgument, "linux.seccomp.architectures: unknown {}", Quote(name));
  return token;
}

Result<unsigned> Flag(const std::string& name) {
  if (name == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
  if (name == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
  if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  return Err(ErrorCode::kInvalidArgument, "linux.seccomp.flags: unknown flag {}", Quote(name));
}

}  // namespace

Result<SeccompProgram> CompileSeccomp(const Seccomp& s, std::vector<std::string>* warnings) {
  if (!s.listener_path.empty())
    return Err(ErrorCode::kUnsupported,
               "linux.seccomp.listenerPath: a seccomp agent (SCMP_ACT_NOTIFY) is not supported");
  ASSIGN_OR_RETURN(uint32_t def,
                   Action(s.default_action, s.default_errno_ret, "linux.seccomp.defaultAction"));
  Ctx ctx(seccomp_init(def));
  if (!ctx) return Err(ErrorCode::kInvalidArgument, "seccomp_init: invalid default action");
  for (const std::string& a : s.architectures) {
    ASSIGN_OR_RETURN(uint32_t token, Arch(a));
    int rc = seccomp_arch_add(ctx.get(), token);
    if (rc != 0 && rc != -EEXIST) return SysErrN(-rc, "seccomp: add architecture {}", Quote(a));
  }
  SeccompProgram out;
  for (const std::string& f : s.flags) {
    ASSIGN_OR_RETURN(unsigned flag, Flag(f));
    out.flags |= flag;
  }
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const SeccompSyscall& call = s.syscalls[i];
    const std::string field = fmt::format("linux.seccomp.syscalls[{}]", i);
    ASSIGN_OR_RETURN(uint32_t action, Action(call.action, call.errno_ret, field + ".action"));
    if (action == def) continue;
    std::vector<scmp_arg_cmp> conds;
    bool repeated = false;
    for (size_t k = 0; k < call.args.size(); ++k) {
      const SeccompArg& a = call.args[k];
      if (a.index > 5)
        return Err(ErrorCode::kInvalidArgument, "{}.args[{}].index: {} is not 0..5", field, k,
                   a.index);
      ASSIGN_OR_RETURN(scmp_compare op, Op(a.op, fmt::format("{}.args[{}].op", field, k)));
      for (const scmp_arg_cmp& c : conds) repeated |= c.arg == a.index;
      conds.push_back(scmp_arg_cmp{a.index, op, a.value, a.value_two});
    }
    for (const std::string& name : call.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        if (warnings) warnings->push_back(fmt::format("seccomp: unknown syscall {} skipped", name));
        continue;
      }
      auto add = [&](unsigned n, const scmp_arg_cmp* c) -> Status {
        int rc = seccomp_rule_add_array(ctx.get(), action, nr, n, c);
        if (rc != 0) return SysErrN(-rc, "{}: seccomp rule for {}", field, Quote(name));
        return Ok();
      };
      if (!repeated) {
        TRY(add(static_cast<unsigned>(conds.size()), conds.data()));
      } else {
        for (const scmp_arg_cmp& c : conds) TRY(add(1, &c));
      }
    }
  }
  // Export the program through a memfd and read it back as instructions.
  int raw = ::memfd_create("hp-seccomp", MFD_CLOEXEC);
  if (raw < 0) return SysErr("memfd_create");
  UniqueFd fd(raw);
  int rc = seccomp_export_bpf(ctx.get(), fd.get());
  if (rc != 0) return SysErrN(-rc, "seccomp: export the filter");
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) != 0)
    return Err(ErrorCode::kInternal, "seccomp: exported filter has {} bytes", size);
  out.filter.resize(static_cast<size_t>(size) / sizeof(struct sock_filter));
  if (::pread(fd.get(), out.filter.data(), static_cast<size_t>(size), 0) != size)
    return SysErr("seccomp: read the exported filter");
  return out;
}

}  // namespace hp::oci
