// hp/launch on Windows: a container that runs as a local *group* runs as a new local user in
// that group, made for it and deleted with it (hcsshim's internal/jobcontainers logon.go:
// `groupExists`, `makeLocalAccount`, `processToken`; SPEC §7). The user is named after the
// container id (windows::EphemeralUserName), marked ours by its comment
// (windows::EphemeralUserComment), has a random password that is never stored, and is deleted
// when the container's job is empty, or, after a crash, by whoever finds the container id
// recorded (the pod's liveContainers, a foreground run's record): the id is recorded before the
// user is made.
//
// Every step is checked by its effect, never by its return value: under Wine 8 NetUserAdd keeps
// the user inside the calling process (LookupAccountNameW never finds it) and LogonUserW hands
// back no token, so there a group container does not start and the error says why.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/launch/windows/logon.h"
#include "core/windows/account.h"

namespace hp::launch {

// Local groups as hcsshim finds them (NetLocalGroupGetInfo), confirmed by their effect: the
// name must resolve (LookupAccountNameW) to a local group, an alias (Wine's NetLocalGroupGetInfo
// succeeds for any name).
class LocalGroups : public windows::GroupProbe {
 public:
  bool GroupExists(const std::string& name) const override;
};

// Makes container `container_id`'s ephemeral user (`account`, kEphemeral) with a random
// password, adds it to `account.group` and logs it on interactively (hcsshim's logon type). The
// user must then resolve to a user SID with our comment, and the token must be the user's and
// carry the group's SID (enabled, or deny-only in a token UAC filtered, as hcsshim's logon of a
// member of Administrators gives). On failure the user is deleted again (NetUserDel; the
// caller's DeleteEphemeralUser is the check that it went).
Result<Token> CreateEphemeralUser(const windows::Account& account, std::string_view container_id);

// Logs container `container_id`'s existing ephemeral user on again (exec, exec probes: the
// password is not kept): a new random password is set and used at once, under a mutex named
// after the user (SYSTEM and administrators only) so that two logons do not set each other's;
// a lock not had in 30 s is kUnavailable. The user must be ours. (hcsshim instead keeps the
// first logon's token for its execs; our exec is another process than the supervisor.)
Result<Token> LogOnEphemeralUser(const windows::Account& account, std::string_view container_id);

// Deletes container `container_id`'s ephemeral user (and its profile, if one was loaded). Ok
// when there is no user of ours to delete: none of that name, or one we did not make (its
// comment is not ours: it is left as it is). An error when the user cannot be read or is still
// there after NetUserDel.
Status DeleteEphemeralUser(std::string_view container_id);

}  // namespace hp::launch
