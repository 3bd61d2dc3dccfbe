// The CRI log writer and the timestamp helpers (see crilog.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/pod/crilog.h"
#include "core/sys/file.h"

namespace hp::pod {

const char* LogStreamName(LogStream s) { return s == LogStream::kStdout ? "stdout" : "stderr"; }

Result<int64_t> ParseCriTimestamp(std::string_view s) {
  auto bad = [&]() { return Err(ErrorCode::kInvalidArgument, "invalid timestamp \"{}\"", s); };
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  struct tm tm = {};
  int year, mon, day, hour, min, sec;
  if (s.size() < 20 || !num(0, 4, year) || s[4] != '-' || !num(5, 2, mon) || s[7] != '-' ||
      !num(8, 2, day) || (s[10] != 'T' && s[10] != 't') || !num(11, 2, hour) || s[13] != ':' ||
      !num(14, 2, min) || s[16] != ':' || !num(17, 2, sec)) {
    return bad();
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!num(pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, om))
      return bad();
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(::timegm(&tm)) - offset;
  return secs * 1000000000 + nanos;
}

Result<std::unique_ptr<CriLogWriter>> CriLogWriter::Open(const std::string& path,
                                                         CriLogOptions options) {
  if (options.max_files < 1) options.max_files = 1;
  if (options.max_line == 0) options.max_line = 16 * 1024;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(sys::MkdirAll(path.substr(0, slash), 0755));
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_WRONLY | O_APPEND | O_CREAT, 0640));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return SysErr("stat \"{}\"", path);
  std::unique_ptr<CriLogWriter> w(
      new CriLogWriter(path, options, std::move(fd), static_cast<int64_t>(st.st_size)));
  w->Reserve();
  return w;
}

namespace {
constexpr int64_t kLogReserve = 1 << 20;
}  // namespace

void CriLogWriter::Reserve() {
  int64_t end = size_ + kLogReserve;
  if (options_.max_size > 0) end = std::min(end, std::max(options_.max_size, size_));
  if (end <= reserved_) return;
  if (::fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, reserved_, end - reserved_) == 0) {
    reserved_ = end;
  }
}

Status CriLogWriter::Rotate() {
  for (int i = options_.max_files - 1; i >= 1; --i) {
    std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
    std::string to = path_ + "." + std::to_string(i);
    if (::rename(from.c_str(), to.c_str()) < 0 && errno != ENOENT) {
      return SysErr("rotate \"{}\" to \"{}\"", from, to);
    }
  }
  int flags = O_WRONLY | O_APPEND | O_CREAT | (options_.max_files == 1 ? O_TRUNC : 0);
  ASSIGN_OR_RETURN(fd_, sys::Open(path_, flags, 0640));
  size_ = 0;
  reserved_ = 0;
  Reserve();
  return Ok();
}

Status CriLogWriter::Record(LogStream stream, char tag, std::string_view text, int64_t unix_ns) {
  std::string rec = CriRecord(LogStreamName(stream), tag, text, unix_ns);
  if (options_.max_size > 0 && size_ > 0 &&
      size_ + static_cast<int64_t>(rec.size()) > options_.max_size) {
    TRY(Rotate());
  }
  auto w = sys::WriteAll(fd_.get(), rec);
  if (!w) return SysErrN(w.error().sys_errno(), "write \"{}\"", path_);
  size_ += static_cast<int64_t>(rec.size());
  if (size_ + kLogReserve / 2 > reserved_) Reserve();
  return Ok();
}

Status CriLogWriter::Write(LogStream stream, std::string_view data, int64_t unix_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_[stream == LogStream::kStdout ? 0 : 1].Feed(
      data, [&](char tag, std::string_view text) { return Record(stream, tag, text, unix_ns); });
}

Status CriLogWriter::Close(LogStream stream, int64_t unix_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_[stream == LogStream::kStdout ? 0 : 1].Finish(
      [&](char tag, std::string_view text) { return Record(stream, tag, text, unix_ns); });
}

}  // namespace hp::pod
