#include "core/launch/windows/logon.h"

#include <windows.h>
// After <windows.h>: its types.
#include <sddl.h>
#include <userenv.h>

#include <vector>

#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"

namespace hp::launch {

Result<std::string> TokenUserSid(HANDLE token) {
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (size == 0) return Err(sys::Win32Error("read the token's user"));
  std::vector<char> buf(size);
  if (!GetTokenInformation(token, TokenUser, buf.data(), size, &size))
    return Err(sys::Win32Error("read the token's user"));
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid, &text))
    return Err(sys::Win32Error("convert the token's user SID"));
  std::string sid = sys::Narrow(text);
  LocalFree(text);
  return sid;
}

// The SID of a named account ("DOMAIN\user" or "user").
Result<std::string> AccountSid(const std::string& name, int* use_out) {
  DWORD sid_size = 0, domain_size = 0;
  SID_NAME_USE use;
  std::wstring wide = sys::Widen(name);
  LookupAccountNameW(nullptr, wide.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  if (sid_size == 0) return Err(sys::Win32Error("look up the account \"" + name + "\""));
  std::vector<char> sid(sid_size);
  std::wstring domain(domain_size, L'\0');
  if (!LookupAccountNameW(nullptr, wide.c_str(), sid.data(), &sid_size, domain.data(), &domain_size,
                          &use))
    return Err(sys::Win32Error("look up the account \"" + name + "\""));
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(sid.data(), &text))
    return Err(sys::Win32Error("convert the SID of \"" + name + "\""));
  std::string out = sys::Narrow(text);
  LocalFree(text);
  if (use_out) *use_out = static_cast<int>(use);
  return out;
}

Token& Token::operator=(Token&& o) noexcept {
  if (this != &o) {
    if (handle_) CloseHandle(handle_);
    handle_ = o.handle_;
    o.handle_ = nullptr;
  }
  return *this;
}

Token::~Token() {
  if (handle_) CloseHandle(handle_);
}

Result<Token> LogOn(const windows::Account& account) {
  using windows::AccountKind;
  if (account.kind != AccountKind::kService && account.kind != AccountKind::kUser)
    return Err(ErrorCode::kInvalidArgument, "not an account that logs on");
  std::string name = account.domain.empty() ? account.user : account.domain + "\\" + account.user;
  std::wstring user = sys::Widen(account.user), domain = sys::Widen(account.domain);
  DWORD type =
      account.kind == AccountKind::kService ? LOGON32_LOGON_SERVICE : LOGON32_LOGON_INTERACTIVE;
  HANDLE raw = nullptr;
  if (!LogonUserW(user.c_str(), domain.empty() ? nullptr : domain.c_str(), nullptr, type,
                  LOGON32_PROVIDER_DEFAULT, &raw))
    return Err(sys::Win32Error("log on as \"" + name + "\""));
  Token token(raw);
  // The effect: a token whose user is the account.
  std::string want;
  if (account.kind == AccountKind::kService) {
    want = account.sid;
  } else {
    // LogonUserW takes "." for this computer; LookupAccountNameW wants its name.
    std::string lookup = name;
    if (account.domain == ".") {
      wchar_t computer[MAX_COMPUTERNAME_LENGTH + 1];
      DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
      if (GetComputerNameW(computer, &size))
        lookup = sys::Narrow({computer, size}) + "\\" + account.user;
    }
    auto sid = AccountSid(lookup);
    if (!sid) return Err(Error(sid.error()).Context(fmt::format("log on as \"{}\"", name)));
    want = std::move(*sid);
  }
  auto got = TokenUserSid(token.get());
  if (!got || *got != want) {
    std::string why = got ? "a token of " + *got + ", not " + want : got.error().message();
    std::string wine;
    if (auto version = sys::WineVersion())
      wine = "; Wine " + *version + " reports LogonUserW as done without logging on";
    return Err(ErrorCode::kUnsupported, "log on as \"{}\": LogonUserW gave no usable token ({}){}",
               name, why, wine);
  }
  return token;
}

Result<std::vector<std::pair<std::string, std::string>>> TokenEnvironment(const Token& token) {
  void* block = nullptr;
  if (!CreateEnvironmentBlock(&block, token.get(), FALSE))
    return Err(sys::Win32Error("make the account's environment"));
  std::vector<std::pair<std::string, std::string>> env;
  for (const wchar_t* p = static_cast<const wchar_t*>(block); *p; p += wcslen(p) + 1) {
    std::string entry = sys::Narrow(p);
    size_t eq = entry.find('=', 1);  // "=C:=C:\x" entries are the shell's, not variables
    if (entry[0] == '=' || eq == std::string::npos) continue;
    env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  DestroyEnvironmentBlock(block);
  return env;
}

}  // namespace hp::launch
