#include "core/agent/daemonset_events.h"

#include <nlohmann/json.hpp>

#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {
constexpr std::string_view kSuffix = ".events.json";
}  // namespace

DaemonSetEvents::DaemonSetEvents(const std::string& root)
    : dir_(root + sys::kPathSeparator + "run" + sys::kPathSeparator + "daemonsets") {}

std::string DaemonSetEvents::Path(const std::string& key) const {
  return dir_ + sys::kPathSeparator + key + std::string(kSuffix);
}

std::vector<Event> DaemonSetEvents::Read(const std::string& key) const {
  std::vector<Event> events;
  auto stored = ReadJsonFile(Path(key));
  if (!stored || !stored->is_array()) return events;
  try {
    stored->get_to(events);
  } catch (const nlohmann::json::exception&) {
    events.clear();
  }
  return events;
}

Status DaemonSetEvents::Record(const std::string& key, const std::string& reason,
                               const std::string& message) {
  std::vector<Event> events = Read(key);
  AddEvent(events, "Normal", reason, message, NowUnixSeconds(), "daemonset-controller");
  TRY(sys::MkdirAll(dir_, 0700));
  return WriteJsonFileAtomic(Path(key), events);
}

std::vector<std::string> DaemonSetEvents::Prune(const DesiredObjects& desired) {
  std::vector<std::string> errors;
  if (!sys::IsDir(dir_)) return errors;
  for (const std::string& name : sys::ListDir(dir_).value_or(std::vector<std::string>{})) {
    // (A killed writer's temp file goes with RemoveStaleTempFiles.)
    if (!EndsWith(name, kSuffix)) continue;
    std::string key = name.substr(0, name.size() - kSuffix.size());
    auto applied = desired.GetDesired("daemonsets", key);
    if (!applied || *applied) continue;  // applied, or unreadable (not deleted): kept
    if (Status s = sys::RemoveFile(dir_ + sys::kPathSeparator + name); !s)
      errors.push_back(s.error().ToString());
  }
  return errors;
}

Status DaemonSetEvents::RemoveStaleTempFiles() { return sys::RemoveAtomicWriteTemps(dir_); }

}  // namespace hp::agent
