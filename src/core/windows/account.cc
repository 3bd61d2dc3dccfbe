#include "core/windows/account.h"

#include <cctype>

#include "core/windows/path.h"

namespace hp::windows {
namespace {

// Lower case without spaces: `Local service`, `LOCAL SERVICE` and `LocalService` meet.
std::string Fold(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct WellKnown {
  const char* folded[3];
  const char* canonical;
  const char* sid;
};
constexpr WellKnown kWellKnown[] = {
    {{"system", "localsystem", nullptr}, "SYSTEM", "S-1-5-18"},
    {{"localservice", nullptr, nullptr}, "LOCAL SERVICE", "S-1-5-19"},
    {{"networkservice", nullptr, nullptr}, "NETWORK SERVICE", "S-1-5-20"},
};

}  // namespace

std::string EphemeralUserName(std::string_view container_id) {
  return std::string(container_id.substr(0, kUserNameMax));
}

std::string EphemeralUserComment(std::string_view container_id) {
  return "hostprocess: ephemeral user of container " + std::string(container_id);
}

std::string EphemeralPassword(std::span<const uint8_t> random) {
  static constexpr std::string_view kClasses[] = {
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789", "!#%+-.:=?@_~"};
  static constexpr std::string_view kAll =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+-.:=?@_~";
  std::string out;
  out.reserve(kPasswordLength);  // no reallocation leaves a copy of part of it behind
  for (size_t i = 0; i < kPasswordLength && i < random.size(); ++i) {
    // The first four characters one of each class, the rest from all of them. The modulo's
    // bias (256 over 74 or fewer) costs a fraction of a bit per character of 32.
    std::string_view from = i < std::size(kClasses) ? kClasses[i] : kAll;
    out += from[random[i] % from.size()];
  }
  return out;
}

bool WellKnownServiceAccount(std::string_view name, Account* out) {
  std::string_view user = name;
  if (size_t slash = name.find('\\'); slash != std::string_view::npos) {
    if (Fold(name.substr(0, slash)) != "ntauthority") return false;
    user = name.substr(slash + 1);
  }
  std::string folded = Fold(user);
  for (const WellKnown& w : kWellKnown) {
    bool match = folded == Fold(w.sid);
    for (const char* f : w.folded) match |= f && folded == f;
    if (!match) continue;
    if (out) *out = Account{AccountKind::kService, "NT AUTHORITY", w.canonical, "", w.sid};
    return true;
  }
  return false;
}

Result<Account> ClassifyAccount(const std::map<std::string, std::string>& annotations,
                                std::string_view run_as, std::string_view container_id,
                                const GroupProbe& groups) {
  if (auto it = annotations.find(std::string(kInheritUserAnnotation));
      it != annotations.end() && it->second == "true")
    return Account{AccountKind::kInherit, "", "", "", ""};
  if (run_as.empty())
    return Err(ErrorCode::kInvalidArgument, "no runAsUserName and no {}: \"true\" annotation",
               kInheritUserAnnotation);
  if (groups.GroupExists(std::string(run_as))) {
    if (container_id.empty())
      return Err(ErrorCode::kInvalidArgument, "an ephemeral user needs a container id");
    return Account{AccountKind::kEphemeral, "", EphemeralUserName(container_id),
                   std::string(run_as), ""};
  }
  Account service;
  if (WellKnownServiceAccount(run_as, &service)) return service;
  size_t slash = run_as.find('\\');
  if (slash != std::string_view::npos && run_as.find('\\', slash + 1) != std::string_view::npos)
    return Err(ErrorCode::kInvalidArgument, "invalid user string \"{}\"", run_as);
  Account a;
  a.kind = AccountKind::kUser;
  if (slash == std::string_view::npos) {
    a.user = std::string(run_as);
  } else {
    a.domain = std::string(run_as.substr(0, slash));
    a.user = std::string(run_as.substr(slash + 1));
  }
  if (a.user.empty()) return Err(ErrorCode::kInvalidArgument, "invalid user string \"{}\"", run_as);
  return a;
}

}  // namespace hp::windows
