// hp/windows: which account a container runs as, decided in hcsshim's order (SPEC §7,
// internal/jobcontainers logon.go): the inherit-user annotation, then a local group (an
// ephemeral user is made in it), then the NT AUTHORITY service accounts (service logon), then
// any other name as a user (interactive logon). Pure: whether a group exists is asked through
// GroupProbe, so the order is tested on every platform.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::windows {

inline constexpr std::string_view kInheritUserAnnotation = "microsoft.com/hostprocess-inherit-user";
// NetUserAdd's limit on a user name (UNLEN is 256, but USER_INFO names are cut at 20).
inline constexpr size_t kUserNameMax = 20;

class GroupProbe {
 public:
  virtual ~GroupProbe() = default;
  virtual bool GroupExists(const std::string& name) const = 0;
};

enum class AccountKind {
  kInherit,    // the supervisor's own token
  kEphemeral,  // a new local user in `group`, named `user`
  kService,    // NT AUTHORITY\SYSTEM, LOCAL SERVICE, NETWORK SERVICE: service logon
  kUser,       // `domain\user` (domain may be empty or `.`): interactive logon
};

struct Account {
  AccountKind kind = AccountKind::kUser;
  std::string domain;  // kService: "NT AUTHORITY"; kUser: as given
  std::string user;    // kService: the canonical name ("SYSTEM", "LOCAL SERVICE", ...)
  std::string group;   // kEphemeral
  std::string sid;     // kService: S-1-5-18, -19, -20
};

// `run_as` is runAsUserName; `container_id` names an ephemeral user (its first 20 characters).
Result<Account> ClassifyAccount(const std::map<std::string, std::string>& annotations,
                                std::string_view run_as, std::string_view container_id,
                                const GroupProbe& groups);

// The name of container `container_id`'s ephemeral user: its first 20 characters (hcsshim's
// `c.id[:UserNameCharLimit]`).
std::string EphemeralUserName(std::string_view container_id);
// The comment an ephemeral user is made with. A user is deleted as a container's ephemeral user
// only when its comment is exactly this (a local account of the same name that we did not make
// is never deleted).
std::string EphemeralUserComment(std::string_view container_id);
// A password for an ephemeral user from `random` bytes (at least kPasswordLength of them): 32
// characters, each of upper case, lower case, digits and symbols present (Windows' complexity
// rule asks for three of the four), no quote, space or backslash.
inline constexpr size_t kPasswordLength = 32;
std::string EphemeralPassword(std::span<const uint8_t> random);

// The well-known service account `name` (with or without `NT AUTHORITY\`, any case, any of
// its spellings: `LocalSystem`, `Local service`, `NetworkService`, ...), or false.
bool WellKnownServiceAccount(std::string_view name, Account* out);

}  // namespace hp::windows
