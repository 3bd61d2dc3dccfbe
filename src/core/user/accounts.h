// hp/user: the account mapping of SPEC §4, as an AccountProvider.
//
//   NT AUTHORITY\SYSTEM (or unset)     → uid 0, every capability
//   NT AUTHORITY\Local service          → system account `hp-localservice`, no capabilities
//   NT AUTHORITY\NetworkService         → system account `hp-networkservice`, CAP_NET_BIND_SERVICE
//   user, .\user, HOST\user, DOMAIN\user → that host user (NSS), no capabilities
//   a host group name                   → an ephemeral user `hp-<id>` in that group, removed by
//                                         the Undo
//   runAsUser / runAsGroup              → override uid / gid
// Names are case-insensitive. Service accounts are created on first use (useradd --system);
// a failure is an error, never a fallback to root. Non-root identities get no_new_privs.
#pragma once

#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/user/identity.h"

namespace hp::user {

// Where every change of ours to the host's accounts is ordered (an flock): the accounts are the
// host's, shared by every state root and process, so the lock is too.
inline constexpr const char* kAccountsLockPath = "/run/lock/hostprocess-accounts.lock";
// Takes the accounts lock (waits for it); released when the descriptor is closed, and by the
// tools it was passed to.
Result<UniqueFd> LockAccounts(const std::string& path = kAccountsLockPath);
// Runs a shadow-utils tool (useradd, userdel) through hp/launch and waits for it; a failure
// carries its exit status and output. The tool runs to its end even if its caller dies, and
// holds `lock_fd` (LockAccounts) until then: a clean-up that takes the lock after a killed
// caller sees what the tool did.
Status RunTool(const std::vector<std::string>& argv, int lock_fd = -1);
// Removes the ephemeral user `name` when it exists (the crash clean-up of a container whose
// teardown never ran).
Status RemoveEphemeralUser(const std::string& name);

// Ephemeral users take uids from a range nothing else hands out (systemd's "unused" range,
// between the nspawn container ranges and the foreign range; subuid ranges start at 100000), one
// after the other, never a uid that an earlier one had: a later pod must not own what an earlier
// one left in /tmp or a hostPath, as a fresh SID on Windows owns nothing. The last uid handed out
// is kept in `kEphemeralUidRecord` (written before the user exists, under the accounts lock).
inline constexpr uid_t kEphemeralUidFirst = 0x70000000;  // 1879048192
inline constexpr uid_t kEphemeralUidLast = 0x7ffdffff;   // 2147352575
inline constexpr const char* kEphemeralUidRecord =
    "/var/lib/hostprocess-accounts/last-ephemeral-uid";
// The record: HOSTPROCESS_EPHEMERAL_UID_RECORD when set (the tests' build tree keeps its own:
// they must not write the node's), else kEphemeralUidRecord.
std::string DefaultEphemeralUidRecord();

struct AccountNames {
  std::string local_service = "hp-localservice";
  std::string network_service = "hp-networkservice";
  std::string ephemeral_prefix = "hp-";
  std::string ephemeral_uid_record = DefaultEphemeralUidRecord();
};

// The next ephemeral uid after the one `record` names (kEphemeralUidFirst when it names none),
// skipping any that a user has; written to `record` before it is returned. Call it under the
// accounts lock.
Result<uid_t> NextEphemeralUid(const std::string& record);

class HostAccounts : public AccountProvider {
 public:
  explicit HostAccounts(AccountNames names = {}) : names_(std::move(names)) {}
  Result<Identity> Resolve(const plan::AccountRequest& req, const std::string& container_id,
                           Undo& undo) override;

 private:
  AccountNames names_;
};

// The well-known account a runAsUserName denotes, or "" for other names.
// "system" | "localservice" | "networkservice".
std::string WellKnownAccount(std::string_view run_as_user_name);
// Strips ".\", "HOST\" and "DOMAIN\" prefixes: the host account name to look up.
std::string HostAccountName(std::string_view run_as_user_name);

}  // namespace hp::user
