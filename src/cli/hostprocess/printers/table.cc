#include "cli/hostprocess/printers/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/base/strings.h"

namespace hp::cli {

using agent::ContainerState;
using agent::ContainerStatus;
using agent::PodStatus;

std::string HumanDuration(int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return fmt::format("{}s", seconds);
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s);
  }
  if (minutes < 60 * 3) return fmt::format("{}m", minutes);
  int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, m);
  }
  if (hours < 48) return fmt::format("{}h", hours);
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) return fmt::format("{}d", hours / 24);
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? fmt::format("{}y", hours / 24 / 365)
                   : fmt::format("{}y{}d", hours / 24 / 365, dy);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::string Table::Render(bool no_headers) const {
  constexpr size_t kMinWidth = 6, kPadding = 3;
  size_t ncols = 0;
  for (const auto& r : rows_) ncols = std::max(ncols, r.size());
  std::vector<size_t> width(ncols, 0);
  size_t first = no_headers ? 1 : 0;
  for (size_t i = first; i < rows_.size(); ++i)
    for (size_t c = 0; c < rows_[i].size(); ++c)
      width[c] = std::max(width[c], std::max(rows_[i][c].size() + kPadding, kMinWidth));
  std::string out;
  for (size_t i = first; i < rows_.size(); ++i) {
    const auto& r = rows_[i];
    for (size_t c = 0; c < r.size(); ++c) {
      out += r[c];
      if (c + 1 < r.size()) out.append(width[c] - r[c].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string Rfc1123(int64_t unix_seconds) {
  // <chrono>'s calendar (no gmtime_r: Windows too), in the C locale's names.
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  sys_seconds t{seconds{unix_seconds}};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[weekday{day}.c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string ReadyColumn(const PodStatus& s) {
  int ready = 0;
  for (const ContainerStatus& c : s.containers) ready += c.ready && c.state.kind == "running";
  return fmt::format("{}/{}", ready, s.containers.size());
}

// kubectl's printPod (pkg/printers/internalversion/printers.go).
std::string StatusColumn(const PodStatus& s) {
  std::string reason = s.reason.empty() ? s.phase : s.reason;
  bool initializing = false;
  for (size_t i = 0; i < s.init_containers.size(); i++) {
    const ContainerState& st = s.init_containers[i].state;
    if (st.kind == "terminated" && st.exit_code == 0) continue;
    if (st.kind == "terminated") {
      if (!st.reason.empty()) {
        reason = "Init:" + st.reason;
      } else if (st.signal) {
        reason = fmt::format("Init:Signal:{}", st.signal);
      } else {
        reason = fmt::format("Init:ExitCode:{}", st.exit_code);
      }
    } else if (st.kind == "waiting" && !st.reason.empty() && st.reason != "PodInitializing") {
      reason = "Init:" + st.reason;
    } else {
      reason = fmt::format("Init:{}/{}", i, s.init_containers.size());
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    bool has_running = false;
    for (auto it = s.containers.rbegin(); it != s.containers.rend(); ++it) {
      const ContainerState& st = it->state;
      if (st.kind == "waiting" && !st.reason.empty()) {
        reason = st.reason;
      } else if (st.kind == "terminated" && !st.reason.empty()) {
        reason = st.reason;
      } else if (st.kind == "terminated") {
        reason = st.signal ? fmt::format("Signal:{}", st.signal)
                           : fmt::format("ExitCode:{}", st.exit_code);
      } else if (st.kind == "running" && it->ready) {
        has_running = true;
      }
    }
    if (reason == "Completed" && has_running) reason = s.ready ? "Running" : "NotReady";
  }
  if (s.terminating) reason = "Terminating";
  return reason;
}

std::string RestartsColumn(const PodStatus& s, int64_t now) {
  int restarts = 0;
  int64_t last = 0;
  for (const auto* list : {&s.init_containers, &s.containers}) {
    for (const ContainerStatus& c : *list) {
      restarts += c.restart_count;
      if (c.last_state && c.last_state->kind == "terminated" && c.last_state->finished_at > last)
        last = c.last_state->finished_at;
    }
  }
  if (restarts == 0 || last == 0) return std::to_string(restarts);
  return fmt::format("{} ({} ago)", restarts, HumanDuration(now - last));
}

std::string NodeSelectorColumn(const nlohmann::json& daemon_set) {
  nlohmann::json spec = daemon_set.value("spec", nlohmann::json::object())
                            .value("template", nlohmann::json::object())
                            .value("spec", nlohmann::json::object());
  nlohmann::json sel = spec.value("nodeSelector", nlohmann::json::object());
  if (sel.empty()) return "<none>";
  std::vector<std::string> parts;
  for (const auto& [k, v] : sel.items()) parts.push_back(k + "=" + v.get<std::string>());
  return Join(parts, ",");
}

std::vector<std::string> PodWideHeader() {
  return {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"};
}

std::vector<std::string> PodWideColumns(const agent::PodStatus& s, const nlohmann::json& pod,
                                        const std::string& node) {
  bool here = !s.unscheduled;
  auto spec = pod.find("spec");
  std::string bound =
      spec != pod.end() && spec->is_object() ? spec->value("nodeName", "") : std::string();
  return {s.host_ip.empty() || !here ? "<none>" : s.host_ip,
          here            ? node
          : bound.empty() ? "<none>"
                          : bound,
          "<none>", "<none>"};
}

std::vector<std::string> DaemonSetWideHeader() { return {"CONTAINERS", "IMAGES", "SELECTOR"}; }

std::vector<std::string> DaemonSetWideColumns(const nlohmann::json& daemon_set) {
  nlohmann::json spec = daemon_set.value("spec", nlohmann::json::object());
  std::vector<std::string> names, images, sel;
  for (const auto& c : spec.value("template", nlohmann::json::object())
                           .value("spec", nlohmann::json::object())
                           .value("containers", nlohmann::json::array())) {
    names.push_back(c.value("name", ""));
    images.push_back(c.value("image", ""));
  }
  auto labels = spec.value("selector", nlohmann::json::object())
                    .value("matchLabels", nlohmann::json::object());
  for (const auto& [k, v] : labels.items()) sel.push_back(k + "=" + v.get<std::string>());
  return {Join(names, ","), Join(images, ","), sel.empty() ? "<none>" : Join(sel, ",")};
}

std::string EventSource(const agent::Event& e) {
  return e.reason == "Scheduled" || e.reason == "FailedScheduling" ? "default-scheduler" : e.from;
}

std::string LastSeenColumn(const agent::Event& e, int64_t now) {
  std::string last = HumanDuration(now - e.last);
  if (e.count > 1)
    last = fmt::format("{} (x{} over {})", last, e.count, HumanDuration(now - e.first));
  return last;
}

}  // namespace hp::cli
