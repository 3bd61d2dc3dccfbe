// Reading usage from cgroup files. Every file read here is hierarchical, so the same code
// gives a container's stats (its leaf) and a pod's (the pod parent).
#include <unistd.h>

#include <charconv>

#include "core/base/strings.h"
#include "core/job/cgroup_internal.h"
#include "core/sys/file.h"

namespace hp::job::internal {
namespace {

uint64_t Or0(const Result<uint64_t>& r) { return r ? *r : 0; }

uint64_t ToU64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void ReadCpu(const CgroupFs& fs, const Node& node, Stats& st) {
  // The v2 hierarchy keeps basic CPU accounting even without controllers (hybrid hosts).
  if (!node.unified.empty() && sys::Exists(node.unified + "/cpu.stat")) {
    st.cpu_user_ns = Or0(ReadKeyed(node.unified + "/cpu.stat", "user_usec")) * 1000;
    st.cpu_system_ns = Or0(ReadKeyed(node.unified + "/cpu.stat", "system_usec")) * 1000;
    return;
  }
  std::string dir = node.DirFor(fs, "cpuacct");
  if (dir.empty()) return;
  if (sys::Exists(dir + "/cpuacct.usage_user")) {
    st.cpu_user_ns = Or0(ReadU64(dir + "/cpuacct.usage_user"));
    st.cpu_system_ns = Or0(ReadU64(dir + "/cpuacct.usage_sys"));
    return;
  }
  long hz = ::sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;
  uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(hz);
  st.cpu_user_ns = Or0(ReadKeyed(dir + "/cpuacct.stat", "user")) * ns_per_tick;
  st.cpu_system_ns = Or0(ReadKeyed(dir + "/cpuacct.stat", "system")) * ns_per_tick;
}

void ReadMemory(const CgroupFs& fs, const Node& node, Stats& st) {
  std::string dir = node.DirFor(fs, "memory");
  if (dir.empty()) return;
  if (fs.kind == CgroupKind::kV2) {
    st.memory_current_bytes = Or0(ReadU64(dir + "/memory.current"));
    st.memory_peak_bytes = Or0(ReadU64(dir + "/memory.peak"));
    st.oom_kills = Or0(ReadKeyed(dir + "/memory.events", "oom_kill"));
    return;
  }
  st.memory_current_bytes = Or0(ReadU64(dir + "/memory.usage_in_bytes"));
  st.memory_peak_bytes = Or0(ReadU64(dir + "/memory.max_usage_in_bytes"));
  st.oom_kills = Or0(ReadKeyed(dir + "/memory.oom_control", "oom_kill"));
}

void ReadIo(const CgroupFs& fs, const Node& node, Stats& st) {
  if (fs.kind == CgroupKind::kV2) {
    std::string dir = node.DirFor(fs, "io");
    if (dir.empty()) return;
    auto text = ReadCg(dir + "/io.stat");
    if (!text) return;
    // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
    for (const std::string& line : Split(*text, '\n'))
      for (const std::string& w : Split(line, ' ')) {
        if (StartsWith(w, "rbytes=")) st.io_read_bytes += ToU64(std::string_view(w).substr(7));
        if (StartsWith(w, "wbytes=")) st.io_write_bytes += ToU64(std::string_view(w).substr(7));
      }
    return;
  }
  std::string dir = node.DirFor(fs, "blkio");
  if (dir.empty()) return;
  std::string file = dir + "/blkio.throttle.io_service_bytes_recursive";
  if (!sys::Exists(file)) file = dir + "/blkio.throttle.io_service_bytes";
  auto text = ReadCg(file);
  if (!text) return;
  // "8:0 Read 4096" ... "Total 8192"
  for (const std::string& line : Split(*text, '\n')) {
    std::vector<std::string> w = Split(line, ' ');
    if (w.size() != 3) continue;
    if (w[1] == "Read") st.io_read_bytes += ToU64(w[2]);
    if (w[1] == "Write") st.io_write_bytes += ToU64(w[2]);
  }
}

}  // namespace

Result<Stats> ReadStats(const CgroupFs& fs, const Node& node) {
  Stats st;
  ReadCpu(fs, node, st);
  ReadMemory(fs, node, st);
  ReadIo(fs, node, st);
  std::string pids = node.DirFor(fs, "pids");
  if (!pids.empty()) st.pids_current = Or0(ReadU64(pids + "/pids.current"));
  return st;
}

}  // namespace hp::job::internal
