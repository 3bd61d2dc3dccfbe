#include "core/launch/windows/ephemeral_user.h"

#include <windows.h>
// After <windows.h>: its types.
#include <lm.h>
#include <sddl.h>
#include <userenv.h>

#include <array>
#include <utility>
#include <vector>

#include "core/sys/random.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"

namespace hp::launch {
namespace {

// A password in memory, zeroed when it goes.
class Secret {
 public:
  Secret() {
    std::array<uint8_t, windows::kPasswordLength> random;
    sys::RandomBytes(random.data(), random.size());
    std::string narrow = windows::EphemeralPassword(random);
    text_ = sys::Widen(narrow);
    SecureZeroMemory(narrow.data(), narrow.size());
    SecureZeroMemory(random.data(), random.size());
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { SecureZeroMemory(text_.data(), text_.size() * sizeof(wchar_t)); }
  wchar_t* get() { return text_.data(); }

 private:
  std::wstring text_;
};

// NetApi's status codes (NERR_*) are not in the system's message table: the common ones by name.
Error NetError(const std::string& what, NET_API_STATUS status) {
  const char* name = status == NERR_UserExists      ? "the user exists"
                     : status == NERR_UserNotFound  ? "no such user"
                     : status == NERR_GroupNotFound ? "no such group"
                     : status == NERR_PasswordTooShort
                         ? "the password does not meet the password policy"
                         : nullptr;
  if (!name) return sys::Win32Error(what, status);
  return Error(fmt::format("{}: {} (error {})", what, name, status),
               status == NERR_UserNotFound ? ErrorCode::kNotFound : ErrorCode::kInternal);
}

// "; Wine 8.0 reports CALL as done without doing it ..." under Wine, else "".
std::string WineHint(std::string_view call) {
  std::optional<std::string> version = sys::WineVersion();
  if (!version) return "";
  return fmt::format(
      "; Wine {} reports {} as done without doing it: ephemeral users need Windows (to run as "
      "this process's account set the annotation {}: \"true\")",
      *version, call, windows::kInheritUserAnnotation);
}

// "COMPUTER\user": LookupAccountNameW finds the local account, never a domain's of that name.
std::string Local(const std::string& user) {
  wchar_t computer[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
  if (!GetComputerNameW(computer, &size)) return user;
  return sys::Narrow({computer, size}) + "\\" + user;
}

// Ok when `user` exists and its comment marks it as container `container_id`'s; kNotFound when
// no such user exists; kFailedPrecondition when one exists that we did not make.
Status CheckOurs(const std::string& user, std::string_view container_id) {
  LPBYTE buf = nullptr;
  NET_API_STATUS st = NetUserGetInfo(nullptr, sys::Widen(user).c_str(), 1, &buf);
  if (st != NERR_Success) return Err(NetError("read the local user \"" + user + "\"", st));
  const wchar_t* raw = reinterpret_cast<USER_INFO_1*>(buf)->usri1_comment;
  std::string comment = raw ? sys::Narrow(raw) : "";
  NetApiBufferFree(buf);
  if (comment != windows::EphemeralUserComment(container_id))
    return Err(ErrorCode::kFailedPrecondition,
               "a local user \"{}\" exists that is not container {}'s ephemeral user (its comment "
               "is \"{}\"); it is left as it is",
               user, container_id, comment);
  return Ok();
}

// The effect of a logon: a token of `user` that carries `group`.
Status CheckToken(HANDLE token, const std::string& user, const std::string& user_sid,
                  const std::string& group, const std::string& group_sid) {
  auto got = TokenUserSid(token);
  if (!got || *got != user_sid)
    return Err(ErrorCode::kUnsupported,
               "log on as the ephemeral user \"{}\": LogonUserW gave no "
               "usable token ({}){}",
               user, got ? "a token of " + *got + ", not " + user_sid : got.error().message(),
               WineHint("LogonUserW"));
  DWORD size = 0;
  GetTokenInformation(token, TokenGroups, nullptr, 0, &size);
  std::vector<char> buf(size);
  if (size == 0 || !GetTokenInformation(token, TokenGroups, buf.data(), size, &size))
    return Err(sys::Win32Error("read the groups of the ephemeral user \"" + user + "\"'s token"));
  const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(buf.data());
  for (DWORD i = 0; i < groups->GroupCount; ++i) {
    LPWSTR text = nullptr;
    if (!ConvertSidToStringSidW(groups->Groups[i].Sid, &text)) continue;
    bool match = sys::Narrow(text) == group_sid;
    LocalFree(text);
    if (match) return Ok();
  }
  return Err(ErrorCode::kInternal,
             "the ephemeral user \"{}\" was added to group \"{}\" ({}) and its token does not "
             "carry the group",
             user, group, group_sid);
}

// The group's SID, which must be a local group's.
Result<std::string> GroupSid(const std::string& group) {
  int use = 0;
  ASSIGN_OR_RETURN(std::string sid, AccountSid(group, &use));
  if (use != SidTypeAlias)
    return Err(ErrorCode::kInvalidArgument, "\"{}\" is not a local group", group);
  return sid;
}

// Logs `user` on with `password` and checks the token.
Result<Token> LogOnWith(const windows::Account& account, const std::string& user_sid,
                        const std::string& group_sid, Secret& password) {
  HANDLE raw = nullptr;
  if (!LogonUserW(sys::Widen(account.user).c_str(), L".", password.get(), LOGON32_LOGON_INTERACTIVE,
                  LOGON32_PROVIDER_DEFAULT, &raw))
    return Err(sys::Win32Error("log on as the ephemeral user \"" + account.user + "\""));
  Token token(raw);
  TRY(CheckToken(raw, account.user, user_sid, account.group, group_sid));
  return token;
}

}  // namespace

bool LocalGroups::GroupExists(const std::string& name) const {
  LPBYTE buf = nullptr;
  if (NetLocalGroupGetInfo(nullptr, sys::Widen(name).c_str(), 0, &buf) != NERR_Success)
    return false;
  NetApiBufferFree(buf);
  return static_cast<bool>(GroupSid(name));
}

Result<Token> CreateEphemeralUser(const windows::Account& account, std::string_view container_id) {
  if (account.kind != windows::AccountKind::kEphemeral)
    return Err(ErrorCode::kInvalidArgument, "not an ephemeral user");
  ASSIGN_OR_RETURN(std::string group_sid, GroupSid(account.group));
  std::string what =
      fmt::format("make the ephemeral user \"{}\" in group \"{}\"", account.user, account.group);
  std::wstring user = sys::Widen(account.user), group = sys::Widen(account.group);
  std::wstring comment = sys::Widen(windows::EphemeralUserComment(container_id));
  Secret password;
  USER_INFO_1 info = {};
  info.usri1_name = user.data();
  info.usri1_password = password.get();
  info.usri1_priv = USER_PRIV_USER;
  info.usri1_comment = comment.data();
  info.usri1_flags = UF_SCRIPT | UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD;
  DWORD bad_field = 0;
  if (NET_API_STATUS st = NetUserAdd(nullptr, 1, reinterpret_cast<LPBYTE>(&info), &bad_field);
      st != NERR_Success)
    return Err(NetError(what + " (NetUserAdd)", st));
  // From here on a failure deletes the user again. NetUserDel itself, not DeleteEphemeralUser:
  // where the user was never really made (Wine), NetUserAdd's record is all there is to undo.
  auto undo = [&](Error e) -> Result<Token> {
    (void)NetUserDel(nullptr, user.c_str());
    return tl::unexpected(std::move(e));
  };
  int use = 0;
  auto user_sid = AccountSid(Local(account.user), &use);
  if (!user_sid || use != SidTypeUser)
    return undo(
        Error(fmt::format("{}: NetUserAdd reported success and made no such user ({}){}", what,
                          user_sid ? "the name is no user's" : user_sid.error().message(),
                          WineHint("NetUserAdd")),
              ErrorCode::kUnsupported));
  // The comment that marks it ours must have stuck, or no later delete would take it.
  if (Status ours = CheckOurs(account.user, container_id); !ours)
    return undo(Error(ours.error()).Context(what));
  PSID sid = nullptr;
  if (!ConvertStringSidToSidW(sys::Widen(*user_sid).c_str(), &sid))
    return undo(sys::Win32Error(what + ": convert the SID " + *user_sid));
  LOCALGROUP_MEMBERS_INFO_0 member = {sid};
  NET_API_STATUS added =
      NetLocalGroupAddMembers(nullptr, group.c_str(), 0, reinterpret_cast<LPBYTE>(&member), 1);
  LocalFree(sid);
  // Already a member (a group new users join anyway): the token check below decides.
  if (added != NERR_Success && added != ERROR_MEMBER_IN_ALIAS)
    return undo(NetError(what + " (NetLocalGroupAddMembers)", added));
  auto token = LogOnWith(account, *user_sid, group_sid, password);
  if (!token) return undo(token.error());
  return token;
}

Result<Token> LogOnEphemeralUser(const windows::Account& account, std::string_view container_id) {
  if (account.kind != windows::AccountKind::kEphemeral)
    return Err(ErrorCode::kInvalidArgument, "not an ephemeral user");
  // Never the password of an account we did not make.
  TRY(CheckOurs(account.user, container_id));
  ASSIGN_OR_RETURN(std::string group_sid, GroupSid(account.group));
  ASSIGN_OR_RETURN(std::string user_sid, AccountSid(Local(account.user)));
  // One logon at a time per user: a second one would set another password between this one's
  // NetUserSetInfo and LogonUserW. The mutex is made with a DACL for SYSTEM and the
  // administrators only and opened with no more than waiting and releasing need; a lock not had
  // (a timeout, a failure) is an error, never a logon without it.
  std::wstring name = L"Global\\hostprocess-ephemeral-user-" + sys::Widen(account.user);
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)",
                                                            SDDL_REVISION_1, &sd, nullptr))
    return Err(sys::Win32Error("make the security descriptor of the ephemeral user's lock"));
  SECURITY_ATTRIBUTES sa{sizeof sa, sd, FALSE};
  HANDLE mutex = CreateMutexExW(&sa, name.c_str(), 0, SYNCHRONIZE | MUTEX_MODIFY_STATE);
  LocalFree(sd);
  if (!mutex)
    return Err(sys::Win32Error("open the lock of the ephemeral user \"" + account.user + "\""));
  DWORD waited = WaitForSingleObject(mutex, 30000);
  if (waited != WAIT_OBJECT_0 && waited != WAIT_ABANDONED) {
    Error e =
        waited == WAIT_TIMEOUT
            ? Error(fmt::format("the ephemeral user \"{}\" is being logged on by another "
                                "command for more than 30 s",
                                account.user),
                    ErrorCode::kUnavailable)
            : sys::Win32Error("wait for the lock of the ephemeral user \"" + account.user + "\"");
    CloseHandle(mutex);
    return Err(std::move(e));
  }
  Secret password;
  USER_INFO_1003 info = {password.get()};
  NET_API_STATUS st = NetUserSetInfo(nullptr, sys::Widen(account.user).c_str(), 1003,
                                     reinterpret_cast<LPBYTE>(&info), nullptr);
  Result<Token> token =
      st == NERR_Success
          ? LogOnWith(account, user_sid, group_sid, password)
          : Result<Token>(Err(NetError(
                "set a new password for the ephemeral user \"" + account.user + "\"", st)));
  ReleaseMutex(mutex);
  CloseHandle(mutex);
  return token;
}

Status DeleteEphemeralUser(std::string_view container_id) {
  std::string user = windows::EphemeralUserName(container_id);
  // No user of that name, or one we did not make (left as it is): nothing of ours to delete.
  if (Status ours = CheckOurs(user, container_id); !ours)
    return ours.error().code() == ErrorCode::kNotFound ||
                   ours.error().code() == ErrorCode::kFailedPrecondition
               ? Ok()
               : ours;
  // Its profile, when something loaded one (LogonUserW and CreateProcessAsUserW do not).
  if (auto sid = AccountSid(Local(user)))
    (void)DeleteProfileW(sys::Widen(*sid).c_str(), nullptr, nullptr);
  NET_API_STATUS st = NetUserDel(nullptr, sys::Widen(user).c_str());
  if (st != NERR_Success && st != NERR_UserNotFound)
    return Err(NetError("delete the ephemeral user \"" + user + "\" (NetUserDel)", st));
  LPBYTE buf = nullptr;
  if (NetUserGetInfo(nullptr, sys::Widen(user).c_str(), 0, &buf) == NERR_Success) {
    NetApiBufferFree(buf);
    return Err(ErrorCode::kInternal,
               "NetUserDel reported the ephemeral user \"{}\" deleted and it is still there", user);
  }
  return Ok();
}

}  // namespace hp::launch
