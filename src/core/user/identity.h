// hp/user: who a container's processes run as (SPEC §4 "Accounts"), and the interface that maps
// a pod's account request to it. HostAccounts (accounts.h) is the host's implementation.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/undo.h"
#include "core/launch/launch.h"
#include "core/plan/plan.h"

namespace hp::user {

struct Identity {
  std::string name;  // for messages and logs
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  // nullopt: keep what the runner has (root stays root with the runner's capabilities).
  std::optional<launch::Capabilities> caps;
  bool no_new_privs = false;
};

class AccountProvider {
 public:
  virtual ~AccountProvider() = default;
  // Resolves (and creates when needed: service accounts, ephemeral users) the identity.
  // `undo` is set to what removes created things (ephemeral users).
  virtual Result<Identity> Resolve(const plan::AccountRequest& req, const std::string& container_id,
                                   Undo& undo) = 0;
};

}  // namespace hp::user
