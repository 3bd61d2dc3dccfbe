// hostprocess-runtime: runc's logging. With --log FILE, messages are appended to FILE, one per
// line, as logrus writes them: json → {"level":"error","msg":"...","time":"2026-11-22T10:00:00Z"},
// text → time="..." level=error msg="...". containerd's shim shows the last "error" line of
// the JSON log to the user. Without --log, messages go to stderr.
#pragma once

#include <string>

namespace hp::runtime_cli {

struct LogConfig {
  std::string file;
  std::string format = "text";  // text | json
  bool debug = false;
};

void InitLog(const LogConfig& config);
// level: debug, info, warning, error.
void LogLine(const std::string& level, const std::string& msg);

}  // namespace hp::runtime_cli
