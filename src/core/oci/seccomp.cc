#include "core/oci/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/base/fnv.h"
#include "core/base/strings.h"
#include "core/base/unique_fd.h"
#include "core/sys/file.h"

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

// Everything a compiled program depends on, as one text: the profile, libseccomp's version
// (its syscall tables and code generator) and the kernel API level it found (which actions and
// flags it may use).
std::string CacheKey(const Seccomp& s) {
  nlohmann::json syscalls = nlohmann::json::array();
  for (const SeccompSyscall& c : s.syscalls) {
    nlohmann::json args = nlohmann::json::array();
    for (const SeccompArg& a : c.args) args.push_back({a.index, a.value, a.value_two, a.op});
    syscalls.push_back({c.names, c.action, c.errno_ret ? int64_t{*c.errno_ret} : -1, args});
  }
  const scmp_version* v = seccomp_version();
  nlohmann::json key = {
      {"format", 1},
      {"libseccomp", {v->major, v->minor, v->micro}},
      {"api", seccomp_api_get()},
      {"defaultAction", s.default_action},
      {"defaultErrnoRet", s.default_errno_ret ? int64_t{*s.default_errno_ret} : -1},
      {"architectures", s.architectures},
      {"flags", s.flags},
      {"syscalls", syscalls}};
  return key.dump();
}

// The entry's file name only (the key inside is compared in full).
std::string KeyName(const std::string& key) { return fmt::format("{:016x}.json", Fnv64a(key)); }

// The entry at `path` when it holds `key` and is whole; nothing otherwise.
std::optional<SeccompProgram> ReadEntry(const std::string& path, const std::string& key,
                                        std::vector<std::string>* warnings) {
  auto text = sys::ReadFile(path);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto k = j.find("key"), f = j.find("flags"), w = j.find("warnings"), p = j.find("filter");
  if (k == j.end() || !k->is_string() || k->get_ref<const std::string&>() != key)
    return std::nullopt;
  if (f == j.end() || !f->is_number_unsigned() || w == j.end() || !w->is_array() || p == j.end() ||
      !p->is_array() || p->empty() || p->size() % 4 != 0)
    return std::nullopt;
  SeccompProgram out;
  out.flags = f->get<unsigned>();
  // Each instruction's fields, in range: [code, jt, jf, k] four numbers at a time.
  auto field = [&](size_t i, uint64_t max) -> std::optional<uint64_t> {
    const auto& e = (*p)[i];
    if (!e.is_number_unsigned() || e.get<uint64_t>() > max) return std::nullopt;
    return e.get<uint64_t>();
  };
  for (size_t i = 0; i < p->size(); i += 4) {
    auto code = field(i, UINT16_MAX), jt = field(i + 1, UINT8_MAX), jf = field(i + 2, UINT8_MAX),
         k = field(i + 3, UINT32_MAX);
    if (!code || !jt || !jf || !k) return std::nullopt;
    out.filter.push_back({static_cast<uint16_t>(*code), static_cast<uint8_t>(*jt),
                          static_cast<uint8_t>(*jf), static_cast<uint32_t>(*k)});
  }
  std::vector<std::string> saved;
  for (const auto& e : *w) {
    if (!e.is_string()) return std::nullopt;
    saved.push_back(e.get<std::string>());
  }
  if (warnings) warnings->insert(warnings->end(), saved.begin(), saved.end());
  return out;
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

Result<SeccompProgram> CompileSeccompCached(const Seccomp& seccomp, const std::string& cache_dir,
                                            std::vector<std::string>* warnings) {
  const std::string key = CacheKey(seccomp);
  const std::string path = cache_dir + "/" + KeyName(key);
  if (auto hit = ReadEntry(path, key, warnings)) return std::move(*hit);
  std::vector<std::string> found;
  ASSIGN_OR_RETURN(SeccompProgram program, CompileSeccomp(seccomp, &found));
  nlohmann::json filter = nlohmann::json::array();
  for (const struct sock_filter& i : program.filter) {
    filter.push_back(i.code);
    filter.push_back(i.jt);
    filter.push_back(i.jf);
    filter.push_back(i.k);
  }
  nlohmann::json entry = {
      {"key", key}, {"flags", program.flags}, {"warnings", found}, {"filter", filter}};
  if (sys::MkdirAll(cache_dir, 0700)) (void)sys::WriteFileAtomic(path, entry.dump(), 0600);
  if (warnings) warnings->insert(warnings->end(), found.begin(), found.end());
  return program;
}

}  // namespace hp::oci
