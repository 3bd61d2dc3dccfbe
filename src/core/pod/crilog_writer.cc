// The CRI log writer (see crilog.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/pod/crilog.h"
#include "core/sys/file.h"

namespace hp::pod {

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
