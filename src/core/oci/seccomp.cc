#include "core/oci/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

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

// Length-prefixed text ("5:mkdir") and terminated numbers ("17;"): no two inputs give one key.
void KeyText(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}
void KeyNumber(std::string& out, int64_t n) {
  out += std::to_string(n);
  out += ';';
}
void KeyNumber(std::string& out, std::optional<uint32_t> n) {
  KeyNumber(out, n ? int64_t{*n} : int64_t{-1});
}
void KeyList(std::string& out, const std::vector<std::string>& list) {
  KeyNumber(out, static_cast<int64_t>(list.size()));
  for (const std::string& s : list) KeyText(out, s);
}

// Everything a compiled program depends on, as one text: the profile, libseccomp's version
// (its syscall tables and code generator) and the kernel API level it found (which actions and
// flags it may use). Built by appending (a JSON document of the same took a tenth of an `exec`).
std::string CacheKey(const Seccomp& s) {
  std::string key = "hp-seccomp-key 2;";
  const scmp_version* v = seccomp_version();
  for (unsigned n : {v->major, v->minor, v->micro, seccomp_api_get()}) KeyNumber(key, n);
  KeyText(key, s.default_action);
  KeyNumber(key, s.default_errno_ret);
  KeyList(key, s.architectures);
  KeyList(key, s.flags);
  KeyNumber(key, static_cast<int64_t>(s.syscalls.size()));
  for (const SeccompSyscall& c : s.syscalls) {
    KeyList(key, c.names);
    KeyText(key, c.action);
    KeyNumber(key, c.errno_ret);
    KeyNumber(key, static_cast<int64_t>(c.args.size()));
    for (const SeccompArg& a : c.args) {
      KeyNumber(key, a.index);
      key += std::to_string(a.value) + ';' + std::to_string(a.value_two) + ';';
      KeyText(key, a.op);
    }
  }
  return key;
}

// The entry's file name only (the key inside is compared in full).
std::string KeyName(const std::string& key) { return fmt::format("{:016x}.bin", Fnv64a(key)); }

// Version 3: programs compiled as a binary tree (entries of version 2 hold lists: compiled again).
constexpr std::string_view kEntryMagic = "hp-seccomp-cache 3\n";

void PutU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void PutText(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

// Reads a u32, or a length-prefixed string (PutText's), from `in` at `pos`; false when `in` is
// too short.
bool GetU32(std::string_view in, size_t& pos, uint32_t& v) {
  if (in.size() - pos < 4) return false;
  std::memcpy(&v, in.data() + pos, 4);
  pos += 4;
  return true;
}
bool GetText(std::string_view in, size_t& pos, std::string_view& s) {
  uint32_t n = 0;
  if (!GetU32(in, pos, n) || in.size() - pos < n) return false;
  s = in.substr(pos, n);
  pos += n;
  return true;
}

}  // namespace

namespace internal {

std::string EncodeSeccompEntry(const SeccompEntry& e) {
  std::string out(kEntryMagic);
  PutText(out, e.key);
  PutU32(out, e.program.flags);
  PutU32(out, static_cast<uint32_t>(e.warnings.size()));
  for (const std::string& w : e.warnings) PutText(out, w);
  PutU32(out, static_cast<uint32_t>(e.program.filter.size()));
  out.append(reinterpret_cast<const char*>(e.program.filter.data()),
             e.program.filter.size() * sizeof(struct sock_filter));
  return out;
}

std::optional<SeccompEntry> DecodeSeccompEntry(std::string_view in) {
  if (in.substr(0, kEntryMagic.size()) != kEntryMagic) return std::nullopt;
  size_t pos = kEntryMagic.size();
  SeccompEntry e;
  std::string_view key;
  uint32_t warnings = 0, count = 0;
  if (!GetText(in, pos, key) || !GetU32(in, pos, e.program.flags) || !GetU32(in, pos, warnings))
    return std::nullopt;
  e.key = key;
  for (uint32_t i = 0; i < warnings; ++i) {
    std::string_view w;
    if (!GetText(in, pos, w)) return std::nullopt;
    e.warnings.emplace_back(w);
  }
  // A whole program: at least one instruction, no more than the kernel loads, nothing after it.
  if (!GetU32(in, pos, count) || count == 0 || count > BPF_MAXINSNS ||
      in.size() - pos != size_t{count} * sizeof(struct sock_filter))
    return std::nullopt;
  e.program.filter.resize(count);
  std::memcpy(e.program.filter.data(), in.data() + pos, in.size() - pos);
  return e;
}

}  // namespace internal

namespace {

// The entry at `path` when it holds `key` and is whole; nothing otherwise.
std::optional<SeccompProgram> ReadEntry(const std::string& path, const std::string& key,
                                        std::vector<std::string>* warnings) {
  auto text = sys::ReadFile(path);
  if (!text) return std::nullopt;
  auto e = internal::DecodeSeccompEntry(*text);
  if (!e || e->key != key) return std::nullopt;
  if (warnings) warnings->insert(warnings->end(), e->warnings.begin(), e->warnings.end());
  return std::move(e->program);
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
  // The syscall numbers as a binary tree rather than a list: the same decisions, and a load
  // four times faster. The kernel runs the filter on every syscall number of each architecture
  // when it is loaded (its cache of the always-allowed ones), so a list's length is paid ~900
  // times: containerd's default profile took 800 us to load as a list, 200 us as a tree.
  // A libseccomp without the attribute (before 2.5) keeps the list.
  (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
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
  std::string entry = internal::EncodeSeccompEntry({key, program, found});
  if (sys::MkdirAll(cache_dir, 0700)) (void)sys::WriteFileAtomic(path, entry, 0600);
  if (warnings) warnings->insert(warnings->end(), found.begin(), found.end());
  return program;
}

Status SaveContainerSeccomp(const std::string& path, const SeccompProgram& program) {
  // The entry's format with no key: the file is the container's, written once by its create.
  return sys::WriteFileAtomic(path, internal::EncodeSeccompEntry({"", program, {}}), 0600, false);
}

Result<SeccompProgram> LoadContainerSeccomp(const std::string& path) {
  ASSIGN_OR_RETURN_CTX(std::string text, sys::ReadFile(path), "the container's seccomp filter");
  auto e = internal::DecodeSeccompEntry(text);
  if (!e || !e->key.empty())
    return Err(ErrorCode::kInternal, "the container's seccomp filter {} is damaged", Quote(path));
  return std::move(e->program);
}

}  // namespace hp::oci
