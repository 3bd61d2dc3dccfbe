// linux.seccomp → BPF (issue 15 item 3): the compiled program is loaded in a forked child (with
// no_new_privs: no root needed) and the child's system calls show what each rule means.
#include "core/oci/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::oci {
namespace {

// Runs `body` in a child under `program`; returns the child's exit code (or 200+signal).
int UnderFilter(const SeccompProgram& program, const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    struct sock_fprog prog = {static_cast<unsigned short>(program.filter.size()),
                              const_cast<struct sock_filter*>(program.filter.data())};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog) != 0) ::_exit(101);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

Seccomp Profile(std::string default_action = "SCMP_ACT_ALLOW") {
  Seccomp s;
  s.default_action = std::move(default_action);
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  return s;
}

TEST(Seccomp, ErrnoRetOfARule) {
  Seccomp s = Profile();
  s.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", EXDEV, {}});
  auto p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(UnderFilter(*p, [] { return ::mkdir("/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            EXDEV);
  // Without errnoRet: EPERM, as runc.
  s.syscalls[0].errno_ret.reset();
  p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p);
  EXPECT_EQ(UnderFilter(*p, [] { return ::mkdir("/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            EPERM);
}

TEST(Seccomp, ArgumentConditions) {
  Seccomp s = Profile();
  // kill(pid, 0) only (AND of one condition).
  s.syscalls.push_back({{"kill"}, "SCMP_ACT_ERRNO", ENOTSUP, {{1, 0, 0, "SCMP_CMP_EQ"}}});
  // getpriority(PRIO_PGRP|PRIO_USER, ...): the same index twice → either matches (OR).
  s.syscalls.push_back({{"getpriority"},
                        "SCMP_ACT_ERRNO",
                        EACCES,
                        {{0, PRIO_PGRP, 0, "SCMP_CMP_EQ"}, {0, PRIO_USER, 0, "SCMP_CMP_EQ"}}});
  // fcntl(fd, F_GETFD): value is the mask, valueTwo the datum.
  s.syscalls.push_back(
      {{"fcntl"}, "SCMP_ACT_ERRNO", EROFS, {{1, 0xff, F_GETFD, "SCMP_CMP_MASKED_EQ"}}});
  auto p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(UnderFilter(*p, [] { return ::kill(::getpid(), 0) < 0 ? errno : 0; }), ENOTSUP);
  EXPECT_EQ(UnderFilter(*p, [] { return ::kill(::getpid(), SIGCONT) < 0 ? errno : 0; }), 0);
  auto prio = [](int which) {
    return [which] {
      errno = 0;
      ::getpriority(static_cast<__priority_which_t>(which), 0);
      return errno;
    };
  };
  EXPECT_EQ(UnderFilter(*p, prio(PRIO_PROCESS)), 0);
  EXPECT_EQ(UnderFilter(*p, prio(PRIO_PGRP)), EACCES);
  EXPECT_EQ(UnderFilter(*p, prio(PRIO_USER)), EACCES);
  EXPECT_EQ(UnderFilter(*p, [] { return ::fcntl(0, F_GETFD) < 0 ? errno : 0; }), EROFS);
  EXPECT_EQ(UnderFilter(*p, [] { return ::fcntl(0, F_GETFL) < 0 ? errno : 0; }), 0);
}

TEST(Seccomp, DefaultActionAndStatus) {
  // RuntimeDefault's shape: deny by default with defaultErrnoRet, allow a list.
  Seccomp s = Profile("SCMP_ACT_ERRNO");
  s.default_errno_ret = ENOSYS;
  // Beyond the body's own calls, what a sanitizer runtime makes in the child (signal stacks
  // and masks, memory advice): the test runs under ASan in CI.
  s.syscalls.push_back({{"read",         "write",          "openat",  "open",         "close",
                         "exit",         "exit_group",     "fstat",   "newfstatat",   "lseek",
                         "mmap",         "munmap",         "brk",     "rt_sigreturn", "sigaltstack",
                         "rt_sigaction", "rt_sigprocmask", "madvise", "mprotect",     "getpid",
                         "gettid",       "prctl",          "futex",   "sched_yield"},
                        "SCMP_ACT_ALLOW",
                        {},
                        {}});
  auto p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(UnderFilter(*p, [] { return ::syscall(SYS_getppid) < 0 ? errno : 0; }), ENOSYS);
  // /proc/self/status says "Seccomp: 2" (filter mode).
  EXPECT_EQ(UnderFilter(*p,
                        [] {
                          int fd = ::open("/proc/self/status", O_RDONLY);
                          char buf[4096];
                          ssize_t n = fd < 0 ? -1 : ::read(fd, buf, sizeof buf - 1);
                          if (n <= 0) return 90;
                          buf[n] = 0;
                          const char* at = ::strstr(buf, "Seccomp:\t");
                          return at ? at[9] - '0' : 91;
                        }),
            2);
}

TEST(Seccomp, UnknownNamesAndErrors) {
  Seccomp s = Profile();
  s.syscalls.push_back({{"no_such_syscall", "mkdir"}, "SCMP_ACT_ERRNO", {}, {}});
  // A rule with the default action is skipped (libseccomp would refuse it).
  s.syscalls.push_back({{"getpid"}, "SCMP_ACT_ALLOW", {}, {}});
  std::vector<std::string> warnings;
  auto p = CompileSeccomp(s, &warnings);
  ASSERT_TRUE(p) << p.error().ToString();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no_such_syscall"), std::string::npos);

  s.syscalls[0].action = "SCMP_ACT_BOGUS";
  auto bad = CompileSeccomp(s, nullptr);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_BOGUS\"");
  s.syscalls[0].action = "SCMP_ACT_ERRNO";
  s.syscalls[0].args = {{0, 1, 0, "SCMP_CMP_XX"}};
  EXPECT_FALSE(CompileSeccomp(s, nullptr));
  Seccomp notify = Profile();
  notify.listener_path = "/run/agent.sock";
  EXPECT_EQ(CompileSeccomp(notify, nullptr).error().code(), ErrorCode::kUnsupported);
  Seccomp arch = Profile();
  arch.architectures = {"SCMP_ARCH_NOPE"};
  EXPECT_FALSE(CompileSeccomp(arch, nullptr));
}

TEST(Seccomp, DecodedFromConfigJson) {
  auto spec = ParseSpec(R"({"ociVersion": "1.0.2", "linux": {"seccomp": {
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 1, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_NE"}]}]}}})");
  ASSERT_TRUE(spec) << spec.error().ToString();
  const Seccomp& s = *spec->linux_spec->seccomp;
  EXPECT_EQ(s.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.default_errno_ret, 38u);
  ASSERT_EQ(s.syscalls.size(), 1u);
  ASSERT_EQ(s.syscalls[0].args.size(), 1u);
  EXPECT_EQ(s.syscalls[0].args[0].index, 1u);
  EXPECT_EQ(s.syscalls[0].args[0].value, 9u);
  EXPECT_EQ(s.syscalls[0].args[0].op, "SCMP_CMP_NE");
  auto p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->flags, static_cast<unsigned>(SECCOMP_FILTER_FLAG_LOG));
  auto bad = ParseSpec(R"({"linux": {"seccomp": {"syscalls": []}}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("linux.seccomp.defaultAction"), std::string::npos);
}

// A long rule list is compiled as a binary tree of syscall numbers (libseccomp's optimize level
// 2), which the kernel loads ~4x faster, with the same decisions: ~170 syscalls denied with
// EXDEV take a few dozen range jumps, and the calls in and out of the list answer as before.
TEST(Seccomp, ALongRuleListIsATreeOfSyscallNumbers) {
  Seccomp s = Profile();
  SeccompSyscall deny{{}, "SCMP_ACT_ERRNO", EXDEV, {}};
  // 150..330 but what the child itself and a sanitizer's runtime may call around the body
  // (prctl, arch_prctl, gettid, futex, clock_gettime, exit_group, tgkill).
  const std::set<int> keep = {157, 158, 186, 202, 228, 231, 234};
  for (int nr = 150; nr <= 330; ++nr) {
    if (keep.count(nr)) continue;
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name) deny.names.emplace_back(name);
    ::free(name);
  }
  ASSERT_GT(deny.names.size(), 150u);
  s.syscalls.push_back(deny);
  auto p = CompileSeccomp(s, nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  int ranges = 0;
  for (const struct sock_filter& i : p->filter)
    ranges += i.code == (BPF_JMP | BPF_JGT | BPF_K) || i.code == (BPF_JMP | BPF_JGE | BPF_K);
  EXPECT_GE(ranges, 30) << "of " << p->filter.size() << " instructions";
  EXPECT_EQ(UnderFilter(*p,
                        [] {
                          return ::syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent-hp/x", 0700) < 0
                                     ? errno
                                     : 0;
                        }),
            EXDEV);
  EXPECT_EQ(UnderFilter(*p, [] { return ::syscall(SYS_getpid) > 0 ? 7 : 0; }), 7);
  EXPECT_EQ(UnderFilter(
                *p, [] { return ::syscall(SYS_mkdir, "/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            ENOENT);
}

// The cache of compiled programs (CompileSeccompCached).
class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    profile_ = Profile();  // allows what the sanitizers' runtime needs in the child
    profile_.syscalls.push_back({{"rmdir", "hp-no-such-call"}, "SCMP_ACT_ERRNO", ENOTEMPTY, {}});
    profile_.syscalls.push_back({{"mkdir"}, "SCMP_ACT_ERRNO", EXDEV, {}});
  }
  std::string Dir() const { return tmp_.path() + "/cache"; }
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(Dir(), ec))
      out.push_back(e.path().string());
    return out;
  }
  static bool Same(const SeccompProgram& a, const SeccompProgram& b) {
    return a.flags == b.flags && a.filter.size() == b.filter.size() &&
           std::memcmp(a.filter.data(), b.filter.data(),
                       a.filter.size() * sizeof(struct sock_filter)) == 0;
  }
  hp::testing::TempDir tmp_{"hp-seccomp-cache-"};
  Seccomp profile_;
};

TEST_F(SeccompCache, GivesTheCompiledProgramAndItsWarningsFromOneEntry) {
  std::vector<std::string> w0, w1, w2;
  auto direct = CompileSeccomp(profile_, &w0);
  ASSERT_TRUE(direct) << direct.error().ToString();
  auto first = CompileSeccompCached(profile_, Dir(), &w1);  // compiled, entry written
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(Entries().size(), 1u);
  auto second = CompileSeccompCached(profile_, Dir(), &w2);  // read
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_TRUE(Same(*direct, *first));
  EXPECT_TRUE(Same(*direct, *second));
  ASSERT_EQ(w0.size(), 1u);
  EXPECT_EQ(w1, w0);
  EXPECT_EQ(w2, w0);
  EXPECT_EQ(UnderFilter(*second, [] { return ::mkdir("/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            EXDEV);
  // Another profile is another entry.
  Seccomp other = profile_;
  other.syscalls[1].errno_ret = EXFULL;
  auto o = CompileSeccompCached(other, Dir(), nullptr);
  ASSERT_TRUE(o);
  EXPECT_FALSE(Same(*o, *direct));
  EXPECT_EQ(Entries().size(), 2u);
  EXPECT_EQ(UnderFilter(*o, [] { return ::mkdir("/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            EXFULL);
}

TEST_F(SeccompCache, AnEntryIsReadNotCompiledAgain) {
  ASSERT_TRUE(CompileSeccompCached(profile_, Dir(), nullptr));
  ASSERT_EQ(Entries().size(), 1u);
  // The entry's program replaced by another's, under the same key: what is read is the entry.
  Seccomp allow_all = Profile("SCMP_ACT_ALLOW");
  allow_all.syscalls.push_back({{"mkdir"}, "SCMP_ACT_ERRNO", EXFULL, {}});
  auto foreign = CompileSeccomp(allow_all, nullptr);
  ASSERT_TRUE(foreign);
  auto text = sys::ReadFile(Entries()[0]);
  ASSERT_TRUE(text);
  auto entry = internal::DecodeSeccompEntry(*text);
  ASSERT_TRUE(entry);
  entry->program = *foreign;
  ASSERT_TRUE(sys::WriteFile(Entries()[0], internal::EncodeSeccompEntry(*entry)));
  auto read = CompileSeccompCached(profile_, Dir(), nullptr);
  ASSERT_TRUE(read);
  EXPECT_TRUE(Same(*read, *foreign));
}

TEST_F(SeccompCache, ADamagedOrForeignEntryIsCompiledAgain) {
  auto direct = CompileSeccomp(profile_, nullptr);
  ASSERT_TRUE(direct);
  ASSERT_TRUE(CompileSeccompCached(profile_, Dir(), nullptr));
  ASSERT_EQ(Entries().size(), 1u);
  const std::string entry = Entries()[0];
  auto whole = sys::ReadFile(entry);
  ASSERT_TRUE(whole);
  // Cut short (a crash mid-write of a non-durable entry), one byte too long, another key under
  // the same name (a collision), no program, the older JSON format.
  auto decoded = internal::DecodeSeccompEntry(*whole);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(internal::EncodeSeccompEntry(*decoded), *whole);
  auto other_key = *decoded;
  other_key.key = "{}";
  auto empty = *decoded;
  empty.program.filter.clear();
  for (const std::string& bad :
       {whole->substr(0, whole->size() / 2), whole->substr(0, whole->size() - 1), *whole + "x",
        internal::EncodeSeccompEntry(other_key), internal::EncodeSeccompEntry(empty),
        std::string(R"({"key":"","flags":0,"warnings":[],"filter":[6,0,0,0]})")}) {
    EXPECT_FALSE(internal::DecodeSeccompEntry(bad) &&
                 internal::DecodeSeccompEntry(bad)->key == decoded->key);
    ASSERT_TRUE(sys::WriteFile(entry, bad));
    auto p = CompileSeccompCached(profile_, Dir(), nullptr);
    ASSERT_TRUE(p) << p.error().ToString();
    EXPECT_TRUE(Same(*p, *direct));
    auto rewritten = sys::ReadFile(entry);  // made whole again
    ASSERT_TRUE(rewritten);
    EXPECT_EQ(*rewritten, *whole);
  }
}

TEST_F(SeccompCache, ACacheThatCannotBeWrittenStillCompiles) {
  ASSERT_TRUE(sys::WriteFile(tmp_.path() + "/file", "x"));
  auto direct = CompileSeccomp(profile_, nullptr);
  ASSERT_TRUE(direct);
  auto p = CompileSeccompCached(profile_, tmp_.path() + "/file/cache", nullptr);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_TRUE(Same(*p, *direct));
}

// A container's own copy of its filter (kept at create, loaded by exec): read back whole, or an
// error naming it when it is missing, cut short or is a cache entry (it has a key).
TEST_F(SeccompCache, AContainersCopyIsLoadedWholeOrNotAtAll) {
  auto direct = CompileSeccomp(profile_, nullptr);
  ASSERT_TRUE(direct);
  const std::string path = tmp_.path() + "/seccomp.bin";
  ASSERT_TRUE(SaveContainerSeccomp(path, *direct));
  auto loaded = LoadContainerSeccomp(path);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_TRUE(Same(*loaded, *direct));
  EXPECT_EQ(UnderFilter(*loaded, [] { return ::mkdir("/nonexistent-hp/x", 0700) < 0 ? errno : 0; }),
            EXDEV);
  auto whole = sys::ReadFile(path);
  ASSERT_TRUE(whole);
  ASSERT_TRUE(CompileSeccompCached(profile_, Dir(), nullptr));
  ASSERT_EQ(Entries().size(), 1u);
  auto cache_entry = sys::ReadFile(Entries()[0]);
  ASSERT_TRUE(cache_entry);
  for (const std::string& bad : {whole->substr(0, whole->size() - 3), *cache_entry}) {
    ASSERT_TRUE(sys::WriteFile(path, bad));
    auto p = LoadContainerSeccomp(path);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().ToString().find(path), std::string::npos) << p.error().ToString();
  }
  auto missing = LoadContainerSeccomp(tmp_.path() + "/none.bin");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().ToString().find("seccomp filter"), std::string::npos)
      << missing.error().ToString();
}

}  // namespace
}  // namespace hp::oci
