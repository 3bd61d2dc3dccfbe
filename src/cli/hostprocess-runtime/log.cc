#include "cli/hostprocess-runtime/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/oci/state.h"

namespace hp::runtime_cli {
namespace {

LogConfig g_config;
int g_fd = -1;

}  // namespace

void InitLog(const LogConfig& config) {
  g_config = config;
  if (!config.file.empty())
    g_fd = ::open(config.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

void LogLine(const std::string& level, const std::string& msg) {
  if (level == "debug" && !g_config.debug) return;
  std::string line;
  if (g_config.format == "json") {
    nlohmann::ordered_json j;
    j["level"] = level;
    j["msg"] = msg;
    j["time"] = Rfc3339(NowUnixSeconds());
    line = j.dump() + "\n";
  } else {
    line = fmt::format("time={} level={} msg={}\n", Quote(Rfc3339(NowUnixSeconds())), level,
                       Quote(msg));
  }
  int fd = g_fd >= 0 ? g_fd : (g_config.file.empty() ? STDERR_FILENO : -1);
  if (fd < 0) return;
  // One write per line: concurrent runtimes appending to the same file do not interleave.
  (void)!::write(fd, line.data(), line.size());
}

}  // namespace hp::runtime_cli
