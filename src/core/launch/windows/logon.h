// hp/launch on Windows: the token a container's processes run with, for the accounts of
// windows/account.h that log on (hcsshim's internal/jobcontainers logon.go): the NT AUTHORITY
// service accounts with a service logon, any other user with an interactive logon. Checked by
// its effect, never by LogonUserW's return value: the token must name the account's SID (Wine
// reports success and hands back a handle that is no token; docs/windows.md).
#pragma once

#include <string>

#include "core/base/result.h"
#include "core/windows/account.h"

namespace hp::launch {

// A primary token (a HANDLE), closed with the object.
class Token {
 public:
  Token() = default;
  explicit Token(void* handle) : handle_(handle) {}
  Token(Token&& o) noexcept : handle_(o.handle_) { o.handle_ = nullptr; }
  Token& operator=(Token&& o) noexcept;
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;
  ~Token();
  void* get() const { return handle_; }

 private:
  void* handle_ = nullptr;
};

// Logs on `account` (kService or kUser). kInherit and kEphemeral are not logons: kInvalidArgument.
Result<Token> LogOn(const windows::Account& account);

// The SID of the token's user as a string ("S-1-5-18").
Result<std::string> TokenUserSid(void* token);
// The SID of the account `name` ("DOMAIN\\user" or "user") as a string, and what it names
// (a SID_NAME_USE: SidTypeUser, SidTypeAlias for a local group, ...) in `use` when not null.
Result<std::string> AccountSid(const std::string& name, int* use = nullptr);

// The account's environment (CreateEnvironmentBlock of the token, as hcsshim starts from) as
// NAME=value entries.
Result<std::vector<std::pair<std::string, std::string>>> TokenEnvironment(const Token& token);

}  // namespace hp::launch
