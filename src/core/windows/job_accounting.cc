#include "core/windows/job_accounting.h"

#include <fmt/format.h>

namespace hp::windows {

std::string BinaryBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  if (bytes < 1024) return std::to_string(bytes);
  int unit = 0;
  uint64_t v = bytes / 1024;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    unit++;
  }
  return std::to_string(v) + kUnits[unit];
}

std::string Seconds100ns(uint64_t t) {
  uint64_t ms = t / 10000;
  return fmt::format("{}.{:03}s", ms / 1000, ms % 1000);
}

std::vector<std::pair<std::string, std::string>> JobAccountingLines(const JobAccounting& a) {
  return {
      {"Processes", fmt::format("{} active, {} total", a.active_processes, a.total_processes)},
      {"CPU Time",
       fmt::format("{} user, {} kernel", Seconds100ns(a.user_100ns), Seconds100ns(a.kernel_100ns))},
      {"Peak Memory", BinaryBytes(a.peak_job_memory)},
      {"I/O", !a.io_reported
                  ? std::string("not reported by this system")
                  : fmt::format("{} reads ({}), {} writes ({}), {} other ({})", a.read_ops,
                                BinaryBytes(a.read_bytes), a.write_ops, BinaryBytes(a.write_bytes),
                                a.other_ops, BinaryBytes(a.other_bytes))},
  };
}

}  // namespace hp::windows
