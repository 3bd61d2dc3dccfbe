#include "core/agent/kubelet_text.h"

#include <fmt/format.h>

namespace hp::agent {

std::string GoDuration(int64_t ms) {
  std::string secs = std::to_string(ms / 1000 % 60);
  if (ms % 1000) {
    secs += fmt::format(".{:03d}", ms % 1000);
    while (secs.back() == '0') secs.pop_back();
  }
  int64_t minutes = ms / 60000;
  if (minutes == 0) return secs + "s";
  if (minutes < 60) return fmt::format("{}m{}s", minutes, secs);
  return fmt::format("{}h{}m{}s", minutes / 60, minutes % 60, secs);
}

namespace {
const std::string& Namespace(const k8s::ObjectMeta& pod) {
  static const std::string kDefault = "default";
  return pod.namespace_.empty() ? kDefault : pod.namespace_;
}
}  // namespace

std::string PodRef(const k8s::ObjectMeta& pod) {
  return fmt::format("{}_{}({})", pod.name, Namespace(pod), pod.uid);
}

std::string ScheduledMessage(const k8s::ObjectMeta& pod, const std::string& node) {
  return fmt::format("Successfully assigned {}/{} to {}", Namespace(pod), pod.name, node);
}
std::string ImagePresentMessage(const std::string& image) {
  return fmt::format("Container image \"{}\" already present on machine", image);
}
std::string CreatedMessage(const std::string& container) {
  return "Created container " + container;
}
std::string StartedMessage(const std::string& container) {
  return "Started container " + container;
}
std::string StoppingMessage(const std::string& container) {
  return "Stopping container " + container;
}

std::string CrashLoopBackOffMessage(int64_t delay_ms, const std::string& container,
                                    const k8s::ObjectMeta& pod) {
  return fmt::format("back-off {} restarting failed container={} pod={}", GoDuration(delay_ms),
                     container, PodRef(pod));
}
std::string BackOffMessage(const std::string& container, const k8s::ObjectMeta& pod) {
  return fmt::format("Back-off restarting failed container {} in pod {}", container, PodRef(pod));
}

}  // namespace hp::agent
