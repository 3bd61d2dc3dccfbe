// Limit conversions and the I/O limit parser (platform-neutral parts of hp/job).
#include <charconv>

#include "core/base/strings.h"
#include "core/job/job.h"

namespace hp::job {

uint64_t MilliCpuToShares(int64_t milli_cpu) {
  if (milli_cpu <= 0) return kMinShares;
  // Same arithmetic as kubelet: shares = milli * 1024 / 1000, clamped.
  uint64_t shares = static_cast<uint64_t>(milli_cpu) * 1024 / 1000;
  if (shares < kMinShares) return kMinShares;
  if (shares > kMaxShares) return kMaxShares;
  return shares;
}

int64_t MilliCpuToQuota(int64_t milli_cpu, int64_t period_us) {
  if (milli_cpu <= 0) return 0;
  int64_t quota = milli_cpu * period_us / 1000;
  if (quota < kMinQuotaUs) quota = kMinQuotaUs;
  return quota;
}

uint64_t SharesToWeight(uint64_t shares) {
  // runc/crun: [2, 262144] → [1, 10000].
  if (shares == 0) return 0;
  if (shares < kMinShares) shares = kMinShares;
  if (shares > kMaxShares) shares = kMaxShares;
  return 1 + ((shares - 2) * 9999) / 262142;
}

namespace {

Result<uint64_t> ParseU64(std::string_view s, std::string_view what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return Err(ErrorCode::kInvalidArgument, "invalid {} \"{}\"", what, s);
  return v;
}

}  // namespace

Result<std::vector<IoDeviceLimit>> ParseIoLimits(std::string_view text) {
  std::vector<IoDeviceLimit> out;
  std::string norm(text);
  for (char& c : norm)
    if (c == ';' || c == '\n' || c == '\r') c = ',';
  for (const std::string& raw : Split(norm, ',')) {
    std::string_view entry = TrimSpace(raw);
    if (entry.empty()) continue;
    std::vector<std::string> words;
    for (const std::string& w : Split(std::string(entry), ' '))
      if (!TrimSpace(w).empty()) words.emplace_back(TrimSpace(w));
    IoDeviceLimit lim;
    std::vector<std::string> dev = Split(words[0], ':');
    if (dev.size() != 2)
      return Err(ErrorCode::kInvalidArgument,
                 "invalid device \"{}\" in I/O limit \"{}\": want MAJOR:MINOR", words[0], entry);
    ASSIGN_OR_RETURN(uint64_t major, ParseU64(dev[0], "device major number"));
    ASSIGN_OR_RETURN(uint64_t minor, ParseU64(dev[1], "device minor number"));
    lim.major = static_cast<uint32_t>(major);
    lim.minor = static_cast<uint32_t>(minor);
    if (words.size() < 2)
      return Err(ErrorCode::kInvalidArgument,
                 "I/O limit \"{}\" sets nothing: want e.g. \"8:0 rbps=1048576\"", entry);
    for (size_t i = 1; i < words.size(); ++i) {
      auto eq = words[i].find('=');
      if (eq == std::string::npos)
        return Err(ErrorCode::kInvalidArgument, "invalid I/O limit \"{}\": want KEY=VALUE",
                   words[i]);
      std::string key = words[i].substr(0, eq);
      std::string val = words[i].substr(eq + 1);
      uint64_t v = 0;
      if (val != "max") {
        ASSIGN_OR_RETURN(v, ParseU64(val, "I/O limit value"));
      }
      if (key == "rbps")
        lim.rbps = v;
      else if (key == "wbps")
        lim.wbps = v;
      else if (key == "riops")
        lim.riops = v;
      else if (key == "wiops")
        lim.wiops = v;
      else
        return Err(ErrorCode::kInvalidArgument,
                   "unknown I/O limit key \"{}\": want rbps, wbps, riops or wiops", key);
    }
    MergeIoLimits(out, {lim});
  }
  return out;
}

void MergeIoLimits(std::vector<IoDeviceLimit>& into, const std::vector<IoDeviceLimit>& more) {
  for (const IoDeviceLimit& m : more) {
    IoDeviceLimit* found = nullptr;
    for (IoDeviceLimit& d : into)
      if (d.major == m.major && d.minor == m.minor) found = &d;
    if (!found) {
      into.push_back(m);
      continue;
    }
    if (m.rbps) found->rbps = m.rbps;
    if (m.wbps) found->wbps = m.wbps;
    if (m.riops) found->riops = m.riops;
    if (m.wiops) found->wiops = m.wiops;
  }
}

Status ValidateJobName(std::string_view kind, std::string_view name) {
  if (name.empty()) return Err(ErrorCode::kInvalidArgument, "{} id must not be empty", kind);
  if (name.size() > 200)
    return Err(ErrorCode::kInvalidArgument, "{} id \"{}\" is too long", kind, name);
  if (name[0] == '.')
    return Err(ErrorCode::kInvalidArgument, "{} id \"{}\" must not start with '.'", kind, name);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      return Err(ErrorCode::kInvalidArgument, "{} id \"{}\" has an invalid character '{}'", kind,
                 name, c);
  }
  return Ok();
}

}  // namespace hp::job
