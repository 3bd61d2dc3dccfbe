// hp/oci: `linux.seccomp` → a classic BPF program, compiled with libseccomp in the parent (as
// runc does with the same library) and loaded by the launched child with seccomp(2) — the child
// only makes that one system call (hp/launch). A seccomp filter is per process and means the
// same for a host process: a RuntimeDefault pod is confined as under runc.
//
// runc's translation rules, kept here:
//   - default action and defaultErrnoRet (SCMP_ACT_ERRNO without a value → EPERM);
//   - the architectures are added to the native one;
//   - a syscall name libseccomp does not know is skipped (with a warning), as runc does;
//   - a rule whose action equals the default action is skipped (libseccomp refuses it);
//   - args: one rule with all conditions (AND), unless an argument index repeats: then one
//     rule per condition (OR), runc's historical behaviour;
//   - op SCMP_CMP_MASKED_EQ: value is the mask, valueTwo the datum;
//   - flags SECCOMP_FILTER_FLAG_TSYNC/LOG/SPEC_ALLOW are passed to seccomp(2).
// SCMP_ACT_NOTIFY (listenerPath) is refused: no seccomp agent protocol here.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/oci/spec.h"

namespace hp::oci {

struct SeccompProgram {
  std::vector<struct sock_filter> filter;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_*
};

Result<SeccompProgram> CompileSeccomp(const Seccomp& seccomp, std::vector<std::string>* warnings);

// The same, through a cache of compiled programs in `cache_dir` (made when missing), so that the
// runtime compiles a profile once rather than at every create and exec: libseccomp's compile
// of containerd's default profile was a third of the runtime's CPU in the CRI bench (issue 16).
// An entry holds its whole input (the profile, libseccomp's version and API level), compared in
// full when read: a name collision or a damaged entry is a miss, compiled again and rewritten.
// Entries are binary (internal::EncodeSeccompEntry): read back with one copy, where a JSON entry
// of containerd's default profile (969 instructions) took 0.7 ms of every `exec` to parse.
// Writing the entry is best effort: a cache that cannot be written costs only the compile.
Result<SeccompProgram> CompileSeccompCached(const Seccomp& seccomp, const std::string& cache_dir,
                                            std::vector<std::string>* warnings);

// A container's own copy of the filter compiled at its create (StateStore::SeccompPath), loaded
// by each exec instead of the bundle's config.json, as runc keeps the container's config in its
// state. Loading fails on a missing or damaged file: an exec never runs without the filter.
Status SaveContainerSeccomp(const std::string& path, const SeccompProgram& program);
Result<SeccompProgram> LoadContainerSeccomp(const std::string& path);

namespace internal {
// A cache entry: the key it was compiled from, the program and the compiler's warnings.
// Encoded as "hp-seccomp-cache 3\n", then native u32 lengths and counts: the key, the flags,
// the warnings, the instructions (struct sock_filter, 8 bytes each). A file of this machine's
// runtime only. Decoding refuses anything short, long, empty or over BPF_MAXINSNS.
struct SeccompEntry {
  std::string key;
  SeccompProgram program;
  std::vector<std::string> warnings;
};
std::string EncodeSeccompEntry(const SeccompEntry& entry);
std::optional<SeccompEntry> DecodeSeccompEntry(std::string_view text);
}  // namespace internal

}  // namespace hp::oci
