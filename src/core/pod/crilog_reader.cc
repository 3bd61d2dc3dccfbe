// The CRI log reader behind `hostprocess logs` (see crilog.h).
#include <fcntl.h>

#include <cerrno>
#include <deque>
#include <thread>

#include "core/pod/crilog.h"
#include "core/sys/file.h"

namespace hp::pod {

Result<CriLogRecord> ParseCriLogLine(std::string_view line) {
  auto bad = [&]() {
    return Err(ErrorCode::kInvalidArgument, "invalid CRI log line \"{}\"", line);
  };
  size_t s1 = line.find(' ');
  if (s1 == std::string_view::npos) return bad();
  size_t s2 = line.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return bad();
  CriLogRecord rec;
  rec.timestamp = std::string(line.substr(0, s1));
  ASSIGN_OR_RETURN(rec.unix_ns, ParseCriTimestamp(rec.timestamp));
  std::string_view stream = line.substr(s1 + 1, s2 - s1 - 1);
  if (stream == "stdout") {
    rec.stream = LogStream::kStdout;
  } else if (stream == "stderr") {
    rec.stream = LogStream::kStderr;
  } else {
    return bad();
  }
  std::string_view rest = line.substr(s2 + 1);
  // The tag field; kubelet accepts a record without one (old format) as a full line.
  size_t s3 = rest.find(' ');
  std::string_view tag = s3 == std::string_view::npos ? rest : rest.substr(0, s3);
  if (tag == "P" || tag == "F") {
    rec.partial = tag == "P";
    rec.text = s3 == std::string_view::npos ? "" : std::string(rest.substr(s3 + 1));
  } else {
    rec.text = std::string(rest);
  }
  return rec;
}

std::string RenderLogLine(const LogLine& line, bool timestamps) {
  std::string out;
  if (timestamps) out = line.timestamp + " ";
  out += line.text;
  out.push_back('\n');
  return out;
}

namespace {

// Turns raw file bytes into logical lines: splits on '\n', parses records, joins P records
// with their F record (per stream).
class LineAssembler {
 public:
  template <typename Emit>
  void Feed(std::string_view data, Emit&& emit) {
    buf_.append(data);
    size_t start = 0;
    while (true) {
      size_t nl = buf_.find('\n', start);
      if (nl == std::string::npos) break;
      auto rec = ParseCriLogLine(std::string_view(buf_).substr(start, nl - start));
      start = nl + 1;
      if (!rec) continue;  // malformed: skipped
      int idx = rec->stream == LogStream::kStdout ? 0 : 1;
      LogLine& acc = partial_[idx];
      if (!has_partial_[idx]) {
        acc = LogLine{rec->unix_ns, rec->timestamp, rec->stream, {}};
        has_partial_[idx] = true;
      }
      acc.text += rec->text;
      if (!rec->partial) {
        has_partial_[idx] = false;
        emit(std::move(acc));
        acc = LogLine{};
      }
    }
    buf_.erase(0, start);
  }

 private:
  std::string buf_;
  LogLine partial_[2];
  bool has_partial_[2] = {false, false};
};

std::vector<std::string> LogFiles(const std::string& path) {
  std::vector<std::string> rotated;
  for (int i = 1;; ++i) {
    std::string p = path + "." + std::to_string(i);
    if (!sys::Exists(p)) break;
    rotated.push_back(p);
  }
  std::vector<std::string> files(rotated.rbegin(), rotated.rend());
  files.push_back(path);
  return files;
}

Result<bool> ReadAvailable(int fd, LineAssembler& as, const std::function<void(LogLine)>& emit) {
  char buf[65536];
  bool any = false;
  while (true) {
    ASSIGN_OR_RETURN(size_t n, sys::ReadSome(fd, buf, sizeof buf));
    if (n == 0) return any;
    any = true;
    as.Feed(std::string_view(buf, n), emit);
  }
}

}  // namespace

Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                  const std::function<Status(const LogLine&)>& sink) {
  LineAssembler assembler;
  std::deque<LogLine> backlog;  // lines found before following starts (tail applies to them)
  Status sink_status = Ok();
  bool live = false;  // after the initial read, lines go straight to the sink
  auto emit = [&](LogLine line) {
    if (options.since_ns && line.unix_ns < *options.since_ns) return;
    if (!live) {
      backlog.push_back(std::move(line));
      if (options.tail && static_cast<int64_t>(backlog.size()) > *options.tail) {
        backlog.pop_front();
      }
      return;
    }
    if (sink_status) sink_status = sink(line);
  };

  std::vector<std::string> files = LogFiles(path);
  UniqueFd current;
  for (size_t i = 0; i < files.size(); ++i) {
    auto fd = sys::Open(files[i], O_RDONLY);
    if (!fd) {
      if (fd.error().sys_errno() == ENOENT) continue;
      return Err(fd.error());
    }
    TRY_CTX(ReadAvailable(fd->get(), assembler, emit), "read \"{}\"", files[i]);
    if (i + 1 == files.size()) current = std::move(*fd);
  }
  live = true;
  for (const LogLine& line : backlog) {
    TRY(sink(line));
  }
  backlog.clear();
  if (!options.follow) return Ok();

  while (true) {
    bool stopping = options.stop && options.stop();
    if (!current) {
      auto fd = sys::Open(path, O_RDONLY);
      if (fd) current = std::move(*fd);
    }
    if (current) {
      TRY_CTX(ReadAvailable(current.get(), assembler, emit), "read \"{}\"", path);
      TRY(sink_status);
      // Rotated away? Drain done above; switch to the new file.
      if (!sys::IsOpenAt(current.get(), path)) {
        current.reset();
        continue;
      }
    }
    if (stopping) return Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_interval_ms));
  }
}

}  // namespace hp::pod
