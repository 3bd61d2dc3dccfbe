// hp/pod: how a stream's bytes become CRI log records, as containerd cuts them
// (pkg/cri/io/logger.go redirectLogs over bufio.Reader.ReadLine): a line's text without its end
// ("\n", or "\r\n": ReadLine drops both), split into P (partial) records of `max_line` bytes
// followed by its F (final) record. Two known differences from containerd: what is left
// without a newline when the stream ends is one F record here (containerd writes P, so kubectl
// prints it without a newline; `hostprocess logs` reads records line by line and would drop a
// trailing P), and a CR that ends a full max_line part is sent with it when its LF comes in the
// next read (containerd holds it back).
// Platform-neutral: the Linux log writer (crilog.h CriLogWriter, files with rotation and
// reserved space) and the Windows supervisor (pipes into a file) cut lines with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::pod {

// `<RFC 3339 time, 9 fraction digits> <stream> <tag> <text>\n` (`unix_ns` 0: now).
std::string CriRecord(std::string_view stream, char tag, std::string_view text, int64_t unix_ns);

class CriLineSplitter {
 public:
  // Receives each record's tag ('P' or 'F') and text.
  using Emit = std::function<Status(char tag, std::string_view text)>;
  explicit CriLineSplitter(size_t max_line = 16 * 1024) : max_line_(max_line ? max_line : 1) {}

  // The stream's next bytes: every record they complete is emitted; an unfinished line is kept
  // (a part of it longer than max_line goes out as P records at once).
  Status Feed(std::string_view data, const Emit& emit);
  // The stream ended: its unfinished line, if any, is emitted as F.
  Status Finish(const Emit& emit);
  bool empty() const { return pending_.empty(); }

 private:
  Status EmitParts(const Emit& emit);
  size_t max_line_;
  std::string pending_;
};

}  // namespace hp::pod
