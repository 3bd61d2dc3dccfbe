#include "core/oci/spec.h"

#include <nlohmann/json.hpp>

#include "core/base/json.h"
#include "core/sys/file.h"

namespace hp::oci {
namespace {

using nlohmann::json;

// Decoding errors are thrown inside this file only (the decode boundary) and turned into an
// Error naming the field by the public functions.
struct DecodeError {
  std::string field;
  std::string what;
};

std::string Sub(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const json* Find(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

void ExpectObject(const json& j, const std::string& path) {
  if (!j.is_object()) throw DecodeError{path, "expected an object"};
}

std::string GetString(const json& obj, const char* key, const std::string& path) {
  const json* v = Find(obj, key);
  if (!v) return {};
  if (!v->is_string()) throw DecodeError{Sub(path, key), "expected a string"};
  return v->get<std::string>();
}

bool GetBool(const json& obj, const char* key, const std::string& path) {
  const json* v = Find(obj, key);
  if (!v) return false;
  if (!v->is_boolean()) throw DecodeError{Sub(path, key), "expected a boolean"};
  return v->get<bool>();
}

template <typename T>
std::optional<T> GetInt(const json& obj, const char* key, const std::string& path) {
  const json* v = Find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) throw DecodeError{Sub(path, key), "expected an integer"};
  if constexpr (std::is_unsigned_v<T>) {
    if (v->is_number_unsigned()) {
      auto u = v->get<uint64_t>();
      if (u > std::numeric_limits<T>::max()) throw DecodeError{Sub(path, key), "out of range"};
      return static_cast<T>(u);
    }
    auto s = v->get<int64_t>();
    if (s < 0 || static_cast<uint64_t>(s) > std::numeric_limits<T>::max())
      throw DecodeError{Sub(path, key), "out of range"};
    return static_cast<T>(s);
  } else {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      throw DecodeError{Sub(path, key), "out of range"};
    auto s = v->get<int64_t>();
    if (s < std::numeric_limits<T>::min() || s > std::numeric_limits<T>::max())
      throw DecodeError{Sub(path, key), "out of range"};
    return static_cast<T>(s);
  }
}

std::vector<std::string> GetStrings(const json& obj, const char* key, const std::string& path) {
  std::vector<std::string> out;
  const json* v = Find(obj, key);
  if (!v) return out;
  if (!v->is_array()) throw DecodeError{Sub(path, key), "expected an array of strings"};
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string())
      throw DecodeError{fmt::format("{}[{}]", Sub(path, key), i), "expected a string"};
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> GetStringMap(const json& obj, const char* key,
                                                const std::string& path) {
  std::map<std::string, std::string> out;
  const json* v = Find(obj, key);
  if (!v) return out;
  ExpectObject(*v, Sub(path, key));
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) throw DecodeError{Sub(Sub(path, key), it.key()), "expected a string"};
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

// Calls f(element, "path[i]") for each element of an optional array of objects.
template <typename F>
void ForEachObject(const json& obj, const char* key, const std::string& path, F f) {
  const json* v = Find(obj, key);
  if (!v) return;
  if (!v->is_array()) throw DecodeError{Sub(path, key), "expected an array"};
  for (size_t i = 0; i < v->size(); ++i) {
    std::string p = fmt::format("{}[{}]", Sub(path, key), i);
    ExpectObject((*v)[i], p);
    f((*v)[i], p);
  }
}

Process DecodeProcess(const json& j, const std::string& path) {
  ExpectObject(j, path);
  Process p;
  p.terminal = GetBool(j, "terminal", path);
  if (const json* cs = Find(j, "consoleSize")) {
    std::string cp = Sub(path, "consoleSize");
    ExpectObject(*cs, cp);
    p.console_size = ConsoleSize{GetInt<uint32_t>(*cs, "height", cp).value_or(0),
                                 GetInt<uint32_t>(*cs, "width", cp).value_or(0)};
  }
  if (const json* u = Find(j, "user")) {
    std::string up = Sub(path, "user");
    ExpectObject(*u, up);
    p.user.uid = GetInt<uint32_t>(*u, "uid", up).value_or(0);
    p.user.gid = GetInt<uint32_t>(*u, "gid", up).value_or(0);
    p.user.umask = GetInt<uint32_t>(*u, "umask", up);
    p.user.username = GetString(*u, "username", up);
    if (const json* g = Find(*u, "additionalGids")) {
      if (!g->is_array()) throw DecodeError{Sub(up, "additionalGids"), "expected an array"};
      for (size_t i = 0; i < g->size(); ++i) {
        json wrap = {{"v", (*g)[i]}};
        p.user.additional_gids.push_back(
            *GetInt<uint32_t>(wrap, "v", fmt::format("{}[{}]", Sub(up, "additionalGids"), i)));
      }
    }
  }
  p.args = GetStrings(j, "args", path);
  p.env = GetStrings(j, "env", path);
  p.cwd = GetString(j, "cwd", path);
  if (const json* c = Find(j, "capabilities")) {
    std::string cp = Sub(path, "capabilities");
    ExpectObject(*c, cp);
    Capabilities caps;
    caps.bounding = GetStrings(*c, "bounding", cp);
    caps.effective = GetStrings(*c, "effective", cp);
    caps.inheritable = GetStrings(*c, "inheritable", cp);
    caps.permitted = GetStrings(*c, "permitted", cp);
    caps.ambient = GetStrings(*c, "ambient", cp);
    p.capabilities = std::move(caps);
  }
  ForEachObject(j, "rlimits", path, [&](const json& r, const std::string& rp) {
    Rlimit rl;
    rl.type = GetString(r, "type", rp);
    if (rl.type.empty()) throw DecodeError{Sub(rp, "type"), "required"};
    rl.hard = GetInt<uint64_t>(r, "hard", rp).value_or(0);
    rl.soft = GetInt<uint64_t>(r, "soft", rp).value_or(0);
    p.rlimits.push_back(std::move(rl));
  });
  p.no_new_privileges = GetBool(j, "noNewPrivileges", path);
  p.oom_score_adj = GetInt<int>(j, "oomScoreAdj", path);
  return p;
}

std::vector<ThrottleDevice> DecodeThrottle(const json& j, const char* key,
                                           const std::string& path) {
  std::vector<ThrottleDevice> out;
  ForEachObject(j, key, path, [&](const json& d, const std::string& dp) {
    out.push_back({GetInt<int64_t>(d, "major", dp).value_or(0),
                   GetInt<int64_t>(d, "minor", dp).value_or(0),
                   GetInt<uint64_t>(d, "rate", dp).value_or(0)});
  });
  return out;
}

Resources DecodeResources(const json& j, const std::string& path) {
  ExpectObject(j, path);
  Resources r;
  if (const json* m = Find(j, "memory")) {
    std::string mp = Sub(path, "memory");
    ExpectObject(*m, mp);
    MemoryResources mem;
    mem.limit = GetInt<int64_t>(*m, "limit", mp);
    mem.reservation = GetInt<int64_t>(*m, "reservation", mp);
    mem.swap = GetInt<int64_t>(*m, "swap", mp);
    mem.kernel = GetInt<int64_t>(*m, "kernel", mp);
    mem.kernel_tcp = GetInt<int64_t>(*m, "kernelTCP", mp);
    mem.swappiness = GetInt<uint64_t>(*m, "swappiness", mp);
    if (Find(*m, "disableOOMKiller")) mem.disable_oom_killer = GetBool(*m, "disableOOMKiller", mp);
    r.memory = mem;
  }
  if (const json* c = Find(j, "cpu")) {
    std::string cp = Sub(path, "cpu");
    ExpectObject(*c, cp);
    CpuResources cpu;
    cpu.shares = GetInt<uint64_t>(*c, "shares", cp);
    cpu.quota = GetInt<int64_t>(*c, "quota", cp);
    cpu.period = GetInt<uint64_t>(*c, "period", cp);
    cpu.realtime_runtime = GetInt<int64_t>(*c, "realtimeRuntime", cp);
    cpu.realtime_period = GetInt<uint64_t>(*c, "realtimePeriod", cp);
    cpu.cpus = GetString(*c, "cpus", cp);
    cpu.mems = GetString(*c, "mems", cp);
    r.cpu = cpu;
  }
  if (const json* p = Find(j, "pids")) {
    ExpectObject(*p, Sub(path, "pids"));
    r.pids_limit = GetInt<int64_t>(*p, "limit", Sub(path, "pids"));
  }
  if (const json* b = Find(j, "blockIO")) {
    std::string bp = Sub(path, "blockIO");
    ExpectObject(*b, bp);
    BlockIoResources bio;
    bio.weight = GetInt<uint16_t>(*b, "weight", bp);
    bio.leaf_weight = GetInt<uint16_t>(*b, "leafWeight", bp);
    ForEachObject(*b, "weightDevice", bp, [&](const json& d, const std::string& dp) {
      bio.weight_device.push_back(
          {GetInt<int64_t>(d, "major", dp).value_or(0), GetInt<int64_t>(d, "minor", dp).value_or(0),
           GetInt<uint16_t>(d, "weight", dp), GetInt<uint16_t>(d, "leafWeight", dp)});
    });
    bio.throttle_read_bps = DecodeThrottle(*b, "throttleReadBpsDevice", bp);
    bio.throttle_write_bps = DecodeThrottle(*b, "throttleWriteBpsDevice", bp);
    bio.throttle_read_iops = DecodeThrottle(*b, "throttleReadIOPSDevice", bp);
    bio.throttle_write_iops = DecodeThrottle(*b, "throttleWriteIOPSDevice", bp);
    r.block_io = std::move(bio);
  }
  ForEachObject(j, "hugepageLimits", path, [&](const json& h, const std::string& hp) {
    r.hugepage_limits.push_back(
        {GetString(h, "pageSize", hp), GetInt<uint64_t>(h, "limit", hp).value_or(0)});
  });
  if (const json* d = Find(j, "devices")) r.has_devices = d->is_array() && !d->empty();
  r.unified = GetStringMap(j, "unified", path);
  return r;
}

Hook DecodeHook(const json& j, const std::string& path) {
  Hook h;
  h.path = GetString(j, "path", path);
  if (h.path.empty()) throw DecodeError{Sub(path, "path"), "required"};
  h.args = GetStrings(j, "args", path);
  h.env = GetStrings(j, "env", path);
  h.timeout = GetInt<int>(j, "timeout", path);
  if (h.timeout && *h.timeout <= 0) throw DecodeError{Sub(path, "timeout"), "must be positive"};
  return h;
}

Hooks DecodeHooks(const json& h, const std::string& path) {
  ExpectObject(h, path);
  Hooks hooks;
  auto list = [&](const char* key, std::vector<Hook>& out) {
    ForEachObject(h, key, path,
                  [&](const json& e, const std::string& ep) { out.push_back(DecodeHook(e, ep)); });
  };
  list("prestart", hooks.prestart);
  list("createRuntime", hooks.create_runtime);
  list("createContainer", hooks.create_container);
  list("startContainer", hooks.start_container);
  list("poststart", hooks.poststart);
  list("poststop", hooks.poststop);
  return hooks;
}

Spec DecodeSpec(const json& j) {
  ExpectObject(j, "config");
  Spec s;
  s.oci_version = GetString(j, "ociVersion", "");
  if (const json* p = Find(j, "process")) s.process = DecodeProcess(*p, "process");
  if (const json* r = Find(j, "root")) {
    ExpectObject(*r, "root");
    s.root.path = GetString(*r, "path", "root");
    s.root.readonly = GetBool(*r, "readonly", "root");
  }
  s.hostname = GetString(j, "hostname", "");
  ForEachObject(j, "mounts", "", [&](const json& m, const std::string& mp) {
    Mount mount;
    mount.destination = GetString(m, "destination", mp);
    if (mount.destination.empty()) throw DecodeError{Sub(mp, "destination"), "required"};
    mount.type = GetString(m, "type", mp);
    mount.source = GetString(m, "source", mp);
    mount.options = GetStrings(m, "options", mp);
    s.mounts.push_back(std::move(mount));
  });
  if (const json* h = Find(j, "hooks")) s.hooks = DecodeHooks(*h, "hooks");
  s.annotations = GetStringMap(j, "annotations", "");
  if (const json* l = Find(j, "linux")) {
    ExpectObject(*l, "linux");
    Linux linux_;
    ForEachObject(*l, "namespaces", "linux", [&](const json& n, const std::string& np) {
      Namespace ns{GetString(n, "type", np), GetString(n, "path", np)};
      if (ns.type.empty()) throw DecodeError{Sub(np, "type"), "required"};
      linux_.namespaces.push_back(std::move(ns));
    });
    linux_.cgroups_path = GetString(*l, "cgroupsPath", "linux");
    if (const json* sc = Find(*l, "seccomp")) {
      ExpectObject(*sc, "linux.seccomp");
      Seccomp seccomp;
      const std::string sp = "linux.seccomp";
      seccomp.default_action = GetString(*sc, "defaultAction", sp);
      if (seccomp.default_action.empty()) throw DecodeError{Sub(sp, "defaultAction"), "required"};
      seccomp.default_errno_ret = GetInt<uint32_t>(*sc, "defaultErrnoRet", sp);
      seccomp.architectures = GetStrings(*sc, "architectures", sp);
      seccomp.flags = GetStrings(*sc, "flags", sp);
      seccomp.listener_path = GetString(*sc, "listenerPath", sp);
      ForEachObject(*sc, "syscalls", sp, [&](const json& c, const std::string& cp) {
        SeccompSyscall call;
        call.names = GetStrings(c, "names", cp);
        call.action = GetString(c, "action", cp);
        if (call.action.empty()) throw DecodeError{Sub(cp, "action"), "required"};
        call.errno_ret = GetInt<uint32_t>(c, "errnoRet", cp);
        ForEachObject(c, "args", cp, [&](const json& a, const std::string& ap) {
          SeccompArg arg;
          arg.index = GetInt<uint32_t>(a, "index", ap).value_or(0);
          arg.value = GetInt<uint64_t>(a, "value", ap).value_or(0);
          arg.value_two = GetInt<uint64_t>(a, "valueTwo", ap).value_or(0);
          arg.op = GetString(a, "op", ap);
          if (arg.op.empty()) throw DecodeError{Sub(ap, "op"), "required"};
          call.args.push_back(std::move(arg));
        });
        seccomp.syscalls.push_back(std::move(call));
      });
      linux_.seccomp = std::move(seccomp);
    }
    if (const json* r = Find(*l, "resources"))
      linux_.resources = DecodeResources(*r, "linux.resources");
    linux_.sysctl = GetStringMap(*l, "sysctl", "linux");
    linux_.masked_paths = GetStrings(*l, "maskedPaths", "linux");
    linux_.readonly_paths = GetStrings(*l, "readonlyPaths", "linux");
    s.linux_spec = std::move(linux_);
  }
  return s;
}

template <typename T, typename F>
Result<T> DecodeValue(const json& j, std::string_view what, F f) {
  try {
    return f(j);
  } catch (const DecodeError& e) {
    return Err(ErrorCode::kInvalidArgument, "decode {}: {}: {}", what, e.field, e.what);
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "decode {}: {}", what, e.what());
  }
}

template <typename T, typename F>
Result<T> Decode(std::string_view text, std::string_view what, F f) {
  json j;
  try {
    j = ParseJsonOrThrow(text);
  } catch (const json::exception& e) {
    return Err(ErrorCode::kInvalidArgument, "decode {}: {}", what, e.what());
  }
  return DecodeValue<T>(j, what, f);
}

}  // namespace

Result<Spec> ParseSpec(std::string_view text) {
  return Decode<Spec>(text, "config", [](const json& j) { return DecodeSpec(j); });
}

Result<Process> ParseProcess(std::string_view text) {
  return Decode<Process>(text, "process",
                         [](const json& j) { return DecodeProcess(j, "process"); });
}

Result<Hooks> DecodeHooksValue(const nlohmann::json& hooks) {
  return DecodeValue<Hooks>(hooks, "hooks", [](const json& j) { return DecodeHooks(j, "hooks"); });
}

Result<Resources> ParseResources(std::string_view text) {
  return Decode<Resources>(text, "resources",
                           [](const json& j) { return DecodeResources(j, "resources"); });
}

Result<Spec> LoadSpec(const std::string& bundle) {
  std::string path = bundle + "/config.json";
  ASSIGN_OR_RETURN(std::string text, sys::ReadFile(path));
  auto spec = ParseSpec(text);
  if (!spec) return Err(std::move(spec).error().Context(fmt::format("\"{}\"", path)));
  return spec;
}

}  // namespace hp::oci
