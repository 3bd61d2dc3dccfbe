#include "core/plan/process.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>

#include "core/base/strings.h"

namespace hp::plan {
namespace {

constexpr int kMaxInterpreterDepth = 4;  // a script's interpreter may be a script, as in Linux
constexpr size_t kMaxLoaderBytes = 8 << 20;

#if defined(__x86_64__)
constexpr const char* kMultiarch = "x86_64-linux-gnu";
#elif defined(__aarch64__)
constexpr const char* kMultiarch = "aarch64-linux-gnu";
#elif defined(__i386__)
constexpr const char* kMultiarch = "i386-linux-gnu";
#else
constexpr const char* kMultiarch = "";
#endif

bool InSandbox(const std::string& path, const std::string& sandbox) {
  return StartsWith(path, sandbox) || path + "/" == sandbox;
}

std::string SandboxRel(const std::string& path, const std::string& sandbox) {
  return path.size() >= sandbox.size() ? path.substr(sandbox.size()) : std::string();
}

std::string Join2(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

class Resolver {
 public:
  Resolver(const ProcessRequest& req, const Fs& fs) : req_(req), fs_(fs) {
    // What the kernel calls the sandbox (the state root may be given through a symlink).
    if (auto real = fs.ResolveInRoot(req.sandbox, "/")) real_sandbox_ = *real + "/";
  }

  // A candidate host path: in the sandbox it resolves inside it. The executable's host path.
  std::optional<std::string> Executable(const std::string& path) const {
    if (InSandbox(path, req_.sandbox)) {
      auto real = fs_.ResolveInRoot(req_.sandbox, SandboxRel(path, req_.sandbox));
      if (real && fs_.IsExecutableFile(*real)) return real;
      return std::nullopt;
    }
    if (fs_.IsExecutableFile(path)) return path;
    return std::nullopt;
  }

  std::optional<std::string> InImage(const std::string& image_path) const {
    auto real = fs_.ResolveInRoot(req_.sandbox, image_path);
    if (real && fs_.IsExecutableFile(*real)) return real;
    return std::nullopt;
  }

  Result<std::string> Find(const std::string& name) {
    if (name.find('/') == std::string::npos) {
      for (const std::string& dir : req_.image_path) {
        std::string in_image = Join2(dir, name);
        tried_.push_back(req_.sandbox + CleanPath(in_image).substr(1));
        if (auto p = InImage(in_image)) return *p;
      }
      for (const std::string& dir : req_.host_path) {
        if (dir.empty()) continue;
        tried_.push_back(Join2(dir, name));
        if (auto p = Executable(tried_.back())) return *p;
      }
    } else {
      std::string p = CleanPath(name[0] == '/' ? name : Join2(req_.cwd, name));
      tried_.push_back(p);
      if (auto found = Executable(p)) return *found;
      if (name[0] == '/' && !InSandbox(p, req_.sandbox)) {
        // Not on the host: the image's file of that name (an image's absolute entrypoint).
        tried_.push_back(req_.sandbox + p.substr(1));
        if (auto found = InImage(p)) return *found;
      }
      // Something is there but cannot be run (a file without an execute bit, a directory):
      // execve's EACCES, in runc's words for the runtime, not "no such file".
      for (const std::string& t : tried_) {
        if (Exists(t)) return NotExecutable(name, t);
      }
    }
    return NotFound(name);
  }

  Result<ProcessSpec> Wrap(std::string program, std::vector<std::string> argv) {
    ProcessSpec spec;
    spec.program = program;
    for (int depth = 0;; ++depth) {
      if (!req_.image_loader || !InImageTree(program) || depth > kMaxInterpreterDepth) {
        break;
      }
      std::string head = fs_.Read(program, 0, 256);
      if (StartsWith(head, "#!")) {
        auto [interp, arg] = Shebang(head);
        if (interp.empty() || interp[0] != '/' || fs_.IsExecutableFile(interp)) break;
        auto in_image = InImage(interp);  // only the image has it
        if (!in_image) break;
        std::vector<std::string> next{interp};
        if (!arg.empty()) next.push_back(arg);
        next.push_back(program);
        next.insert(next.end(), argv.begin() + 1, argv.end());
        if (spec.interpreter.empty()) spec.interpreter = *in_image;
        program = *in_image;
        argv = std::move(next);
        continue;
      }
      std::string interp = ElfInterpreter(program, fs_);
      if (interp.empty()) break;
      auto loader = InImage(interp);
      if (!loader) break;
      std::string code = fs_.Read(*loader, 0, kMaxLoaderBytes);
      auto has = [&](const char* opt) { return code.find(opt) != std::string::npos; };
      std::vector<std::string> libs = ImageLibraryDirs(req_.sandbox, fs_);
      bool colon = std::any_of(libs.begin(), libs.end(),
                               [](const std::string& d) { return d.find(':') != d.npos; });
      if (!has("--library-path") || colon) break;
      std::vector<std::string> next{*loader};
      if (has("--inhibit-cache")) next.push_back("--inhibit-cache");
      next.push_back("--library-path");
      next.push_back(Join(libs, ":"));
      if (has("--argv0")) {
        next.push_back("--argv0");
        next.push_back(argv[0]);
      }
      next.push_back(program);
      next.insert(next.end(), argv.begin() + 1, argv.end());
      spec.loader = *loader;
      spec.executable = *loader;
      spec.argv = std::move(next);
      return spec;
    }
    spec.executable = program;
    spec.argv = std::move(argv);
    return spec;
  }

 private:
  // Linux's rule: the interpreter, then everything after it on the line as one argument.
  static std::pair<std::string, std::string> Shebang(const std::string& head) {
    std::string line = head.substr(
        2, head.find('\n') == std::string::npos ? std::string::npos : head.find('\n') - 2);
    std::string_view rest = TrimSpace(line);
    size_t sp = rest.find_first_of(" \t");
    if (sp == std::string_view::npos) return {std::string(rest), ""};
    return {std::string(rest.substr(0, sp)), std::string(TrimSpace(rest.substr(sp)))};
  }

  bool Exists(const std::string& candidate) const {
    if (InSandbox(candidate, req_.sandbox))
      return fs_.ResolveInRoot(req_.sandbox, SandboxRel(candidate, req_.sandbox)).has_value();
    return fs_.ResolveInRoot("/", candidate).has_value();
  }

  tl::unexpected<Error> NotExecutable(const std::string& name, const std::string& path) const {
    if (req_.wording == NotFoundWording::kRuntime)
      return Err(ErrorCode::kPermissionDenied, "exec: {}: permission denied", Quote(name));
    return Err(ErrorCode::kPermissionDenied,
               "executable \"{}\": \"{}\" is not an executable file (permission denied)", name,
               path);
  }

  tl::unexpected<Error> NotFound(const std::string& name) const {
    bool searched_path = name.find('/') == std::string::npos;
    if (req_.wording == NotFoundWording::kRuntime) {
      if (searched_path) {
        return Err(ErrorCode::kNotFound,
                   "exec: {}: executable file not found in $PATH (searched {})", Quote(name),
                   Join(tried_, ", "));
      }
      return Err(ErrorCode::kNotFound, "exec: {}: stat {}: no such file or directory", Quote(name),
                 Join(tried_, ", "));
    }
    if (searched_path && tried_.empty()) {
      return Err(ErrorCode::kNotFound, "executable \"{}\" not found: PATH is empty", name);
    }
    std::vector<std::string> quoted;
    for (const std::string& t : tried_) quoted.push_back(Quote(t));
    return Err(ErrorCode::kNotFound, "executable \"{}\" not found; searched: {}", name,
               Join(quoted, ", "));
  }

  bool InImageTree(const std::string& path) const {
    return InSandbox(path, req_.sandbox) ||
           (!real_sandbox_.empty() && InSandbox(path, real_sandbox_));
  }

  const ProcessRequest& req_;
  const Fs& fs_;
  std::string real_sandbox_;
  std::vector<std::string> tried_;
};

void AddConf(const std::string& sandbox, const std::string& conf, const Fs& fs, int depth,
             std::vector<std::string>& out) {
  if (depth > 4) return;
  auto real = fs.ResolveInRoot(sandbox, conf);
  if (!real) return;
  std::string text = fs.Read(*real, 0, 1 << 16);
  std::string conf_dir = conf.substr(0, conf.rfind('/'));
  for (const std::string& raw : Split(text, '\n')) {
    std::string line = raw.substr(0, raw.find('#'));
    std::string_view t = TrimSpace(line);
    if (t.empty() || StartsWith(t, "hwcap")) continue;
    if (StartsWith(t, "include") && t.size() > 7 && (t[7] == ' ' || t[7] == '\t')) {
      std::string pattern(TrimSpace(t.substr(7)));
      if (pattern.empty()) continue;
      if (pattern[0] != '/') pattern = conf_dir + "/" + pattern;
      std::string dir = pattern.substr(0, pattern.rfind('/'));
      std::string base = pattern.substr(pattern.rfind('/') + 1);
      auto dir_real = fs.ResolveInRoot(sandbox, dir.empty() ? "/" : dir);
      if (!dir_real) continue;
      std::vector<std::string> names = fs.ListDir(*dir_real);
      std::sort(names.begin(), names.end());
      for (const std::string& n : names) {
        if (::fnmatch(base.c_str(), n.c_str(), FNM_PERIOD) == 0)
          AddConf(sandbox, dir + "/" + n, fs, depth + 1, out);
      }
      continue;
    }
    std::string entries(t);
    std::replace_if(
        entries.begin(), entries.end(), [](char c) { return c == ':' || c == ',' || c == '\t'; },
        ' ');
    for (const std::string& e : Split(entries, ' ')) {
      if (!e.empty() && e[0] == '/') out.push_back(e);
    }
  }
}

uint64_t Le(const std::string& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(static_cast<unsigned char>(b[off + i])) << (8 * i);
  return v;
}

}  // namespace

std::string ElfInterpreter(const std::string& path, const Fs& fs) {
  std::string eh = fs.Read(path, 0, 64);
  if (eh.size() < 52 ||
      eh.compare(0, 4,
                 "\x7f"
                 "ELF") != 0 ||
      eh[5] != 1)
    return {};
  const bool is64 = eh[4] == 2;
  if (is64 && eh.size() < 64) return {};
  uint64_t phoff = is64 ? Le(eh, 32, 8) : Le(eh, 28, 4);
  size_t phentsize = Le(eh, is64 ? 54 : 42, 2);
  size_t phnum = Le(eh, is64 ? 56 : 44, 2);
  if (phentsize < (is64 ? 56u : 32u) || phnum == 0 || phnum > 4096) return {};
  std::string ph = fs.Read(path, phoff, phentsize * phnum);
  for (size_t i = 0; i + 1 <= phnum && (i + 1) * phentsize <= ph.size(); ++i) {
    size_t o = i * phentsize;
    if (Le(ph, o, 4) != 3) continue;  // PT_INTERP
    uint64_t off = is64 ? Le(ph, o + 8, 8) : Le(ph, o + 4, 4);
    uint64_t size = is64 ? Le(ph, o + 32, 8) : Le(ph, o + 16, 4);
    if (size == 0 || size > 4096) return {};
    std::string interp = fs.Read(path, off, size);
    return interp.substr(0, std::strlen(interp.c_str()));
  }
  return {};
}

std::vector<std::string> ImageLibraryDirs(const std::string& sandbox, const Fs& fs) {
  std::vector<std::string> wanted;
  AddConf(sandbox, "/etc/ld.so.conf", fs, 0, wanted);
  std::string ma = kMultiarch;
  for (const char* d : {"/lib/", "/usr/lib/"}) {
    if (!ma.empty()) wanted.push_back(d + ma);
  }
  for (const char* d : {"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"}) {
    wanted.push_back(d);
  }
  std::vector<std::string> out;
  for (const std::string& w : wanted) {
    auto real = fs.ResolveInRoot(sandbox, w);
    if (!real || !fs.IsDirectory(*real)) continue;
    if (std::find(out.begin(), out.end(), *real) == out.end()) out.push_back(*real);
  }
  return out;
}

Result<ProcessSpec> ResolveProcess(const ProcessRequest& req, const Fs& fs) {
  if (req.argv.empty() || req.argv[0].empty())
    return Err(ErrorCode::kInvalidArgument, "empty command");
  if (req.sandbox.empty() || req.sandbox.back() != '/')
    return Err(ErrorCode::kInvalidArgument, "sandbox \"{}\" must end with '/'", req.sandbox);
  Resolver r(req, fs);
  ASSIGN_OR_RETURN(std::string program, r.Find(req.argv[0]));
  return r.Wrap(std::move(program), req.argv);
}

}  // namespace hp::plan
