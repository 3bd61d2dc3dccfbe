// hp/pod: kubelet's CRI container log format, written by the container runner and read by
// `hostprocess logs`.
//
// One record per line: `<RFC3339 UTC time, 9 fraction digits> <stdout|stderr> <F|P> <text>\n`,
// e.g. `2026-11-22T10:00:00.000000000Z stdout F hello`. Lines are cut as containerd cuts them
// (crilog_lines.h): the line end ("\n" or "\r\n") dropped, a line longer than `max_line` bytes
// split into P (partial) records followed by a final F record; output left without a newline
// when a stream closes is written as F. When the file would grow past
// `max_size` it is rotated: `<path>` → `<path>.1` → ... → `<path>.<max_files-1>` (oldest
// dropped), so at most `max_files` files exist.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/base/time.h"
#include "core/base/unique_fd.h"
#include "core/pod/crilog_lines.h"

namespace hp::pod {

enum class LogStream { kStdout, kStderr };
const char* LogStreamName(LogStream s);

// Accepts RFC3339 with any number of fraction digits and `Z` or `±hh:mm`.
Result<int64_t> ParseCriTimestamp(std::string_view s);
using hp::NowUnixNanos;  // base/time.h; Rfc3339Nano formats a line's time

struct CriLogOptions {
  int64_t max_size = 10 * 1024 * 1024;  // bytes per file before rotation; 0 = never rotate
  int max_files = 5;                    // current file included; >= 1
  size_t max_line = 16 * 1024;          // longer lines are split into P records
};

// Not copyable; thread-safe (one lock per write).
class CriLogWriter {
 public:
  // Creates the parent directory and opens `path` for appending.
  static Result<std::unique_ptr<CriLogWriter>> Open(const std::string& path,
                                                    CriLogOptions options = {});
  // Appends raw output of a stream; complete lines are written at once, an unfinished line is
  // kept until its newline (or until it exceeds max_line: then a P record is written).
  // `unix_ns` stamps the records (0 = now).
  Status Write(LogStream stream, std::string_view data, int64_t unix_ns = 0);
  // The stream ended: its unfinished line, if any, is written as F.
  Status Close(LogStream stream, int64_t unix_ns = 0);
  const std::string& path() const { return path_; }

 private:
  CriLogWriter(std::string path, CriLogOptions options, UniqueFd fd, int64_t size)
      : path_(std::move(path)),
        options_(options),
        fd_(std::move(fd)),
        size_(size),
        lines_{CriLineSplitter(options.max_line), CriLineSplitter(options.max_line)} {}
  Status Record(LogStream stream, char tag, std::string_view text, int64_t unix_ns);
  Status Rotate();
  // Keeps kLogReserve bytes allocated ahead of the writer (fallocate KEEP_SIZE, best effort), so
  // that a container filling the file system its logs live on cannot stop its own logs (nor a
  // neighbour's) at once: the lines that tell what happened still get written.
  void Reserve();

  std::string path_;
  CriLogOptions options_;
  UniqueFd fd_;
  int64_t size_ = 0;
  int64_t reserved_ = 0;      // bytes allocated from offset 0
  CriLineSplitter lines_[2];  // stdout, stderr
  std::mutex mu_;
};

// One parsed record.
struct CriLogRecord {
  int64_t unix_ns = 0;
  std::string timestamp;  // as written
  LogStream stream = LogStream::kStdout;
  bool partial = false;
  std::string text;  // without the newline
};
Result<CriLogRecord> ParseCriLogLine(std::string_view line);

// A logical line: P records joined with their final F record.
struct LogLine {
  int64_t unix_ns = 0;  // of its first record
  std::string timestamp;
  LogStream stream = LogStream::kStdout;
  std::string text;  // without the newline
};

struct LogReadOptions {
  std::optional<int64_t> tail;      // last N logical lines (kubectl --tail); nullopt = all
  std::optional<int64_t> since_ns;  // only lines at or after this time (--since/--since-time)
  bool follow = false;              // keep reading as the file grows, across rotations
  // Polled while following; returning true ends the follow once everything written is read.
  std::function<bool()> stop;
  int poll_interval_ms = 100;
};

// Reads `<path>.<n>` ... `<path>.1` then `<path>` and calls `sink` for every logical line;
// a sink error stops the read. Malformed lines are skipped. A missing log is an empty log
// (follow waits for it to appear).
Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                  const std::function<Status(const LogLine&)>& sink);

// kubectl's rendering of a line: `[timestamp ]text\n`.
std::string RenderLogLine(const LogLine& line, bool timestamps);

}  // namespace hp::pod
