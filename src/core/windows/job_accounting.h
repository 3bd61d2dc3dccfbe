// hp/windows: a Job Object's accounting as `describe pods` shows it per running container
// (docs/windows.md). Pure: the numbers of JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION and the
// extended limit information's PeakJobMemoryUsed in, kubectl-style lines out.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hp::windows {

struct JobAccounting {
  uint32_t active_processes = 0;
  uint32_t total_processes = 0;  // every process the job has had, the ended ones included
  uint64_t user_100ns = 0;       // TotalUserTime (100 ns units)
  uint64_t kernel_100ns = 0;     // TotalKernelTime
  uint64_t peak_job_memory = 0;  // PeakJobMemoryUsed: the job's peak commit, bytes
  bool io_reported = false;      // the system answered the I/O query (Wine 8 does not)
  uint64_t read_ops = 0, write_ops = 0, other_ops = 0;
  uint64_t read_bytes = 0, write_bytes = 0, other_bytes = 0;
};

// Bytes as kubectl's memory quantities read: below 1 KiB as is ("512"), else the largest binary
// unit with a whole part of at least 1, rounded down ("1023Ki", "12Mi", "3Gi").
std::string BinaryBytes(uint64_t bytes);
// 100 ns units as seconds with millisecond precision ("0.125s", "12.000s").
std::string Seconds100ns(uint64_t t);
// The block under a container's "Job Object:" line, as (key, value):
//   Processes:    2 active, 3 total
//   CPU Time:     0.125s user, 0.031s kernel
//   Peak Memory:  12Mi
//   I/O:          10 reads (4Ki), 3 writes (1Ki), 40 other (2Ki)
// or, when the system did not report the I/O, "I/O:  not reported by this system".
std::vector<std::pair<std::string, std::string>> JobAccountingLines(const JobAccounting& a);

}  // namespace hp::windows
