#include "core/pod/crilog_lines.h"

#include "core/base/time.h"

namespace hp::pod {

std::string CriRecord(std::string_view stream, char tag, std::string_view text, int64_t unix_ns) {
  std::string rec = Rfc3339Nano(unix_ns ? unix_ns : NowUnixNanos());
  rec.reserve(rec.size() + stream.size() + text.size() + 5);
  rec.push_back(' ');
  rec.append(stream);
  rec.push_back(' ');
  rec.push_back(tag);
  rec.push_back(' ');
  rec.append(text);
  rec.push_back('\n');
  return rec;
}

Status CriLineSplitter::EmitParts(const Emit& emit) {
  // Only while more than max_line bytes wait: the last byte (maybe a CR whose LF is still to
  // come) stays.
  size_t at = 0;
  while (pending_.size() - at > max_line_) {
    TRY(emit('P', std::string_view(pending_).substr(at, max_line_)));
    at += max_line_;
  }
  pending_.erase(0, at);
  return Ok();
}

Status CriLineSplitter::Feed(std::string_view data, const Emit& emit) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      pending_.append(data);
      return EmitParts(emit);
    }
    pending_.append(data.substr(0, nl));
    data.remove_prefix(nl + 1);
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();  // "\r\n" ends it too
    TRY(EmitParts(emit));
    Status s = emit('F', pending_);
    pending_.clear();
    TRY(std::move(s));
  }
  return Ok();
}

Status CriLineSplitter::Finish(const Emit& emit) {
  if (pending_.empty()) return Ok();
  Status s = emit('F', pending_);
  pending_.clear();
  return s;
}

}  // namespace hp::pod
