#include "core/windows/environment.h"

#include "core/windows/path.h"

namespace hp::windows {
namespace {

void ReplaceAll(std::string& s, std::string_view from, std::string_view to, bool* changed) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
    if (changed) *changed = true;
  }
}

void Set(EnvList& env, std::string_view name, std::string value) {
  for (auto& [n, v] : env) {
    if (EqualsIgnoreCase(n, name)) {
      v = std::move(value);
      return;
    }
  }
  env.emplace_back(std::string(name), std::move(value));
}

}  // namespace

std::string SandboxPath(std::string_view volume) {
  std::string out(volume);
  while (!out.empty() && IsSeparator(out.back())) out.pop_back();
  return out + "\\";
}

std::string ExpandSandbox(std::string_view text, std::string_view sandbox, bool* changed) {
  std::string out(text);
  if (changed) *changed = false;
  ReplaceAll(out, "%" + std::string(kSandboxVariable) + "%", sandbox, changed);
  ReplaceAll(out, "$env:" + std::string(kSandboxVariable), sandbox, changed);
  return out;
}

std::string WorkingDirectory(std::string_view sandbox, std::string_view requested) {
  if (requested.empty()) return std::string(sandbox);
  bool changed = false;
  std::string dir = ExpandSandbox(requested, sandbox, &changed);
  if (changed) return dir;
  std::string_view rest = dir;
  if (rest.size() >= 2 && rest[1] == ':') rest.remove_prefix(2);
  return Clean(JoinPath(sandbox, rest));
}

EnvList BuildEnvironment(const EnvList& account, const EnvList& image, const EnvList& pod,
                         std::string_view sandbox) {
  EnvList env;
  for (const EnvList* list : {&account, &image})
    for (const auto& [name, value] : *list) Set(env, name, value);
  for (const auto& [name, value] : pod) Set(env, name, ExpandSandbox(value, sandbox));
  // The manifest cannot set the sandbox variable: it goes last, whatever came before.
  for (auto it = env.begin(); it != env.end();)
    it = EqualsIgnoreCase(it->first, kSandboxVariable) ? env.erase(it) : it + 1;
  for (auto& [name, value] : env) {
    if (!EqualsIgnoreCase(name, "PATH")) continue;
    if (!value.empty() && value.back() != ';') value += ';';
    value += std::string(sandbox) + ";" + std::string(kExtraPath);
  }
  env.emplace_back(std::string(kSandboxVariable), std::string(sandbox));
  return env;
}

std::string EnvironmentBlock(const EnvList& env) {
  std::string block;
  for (const auto& [name, value] : env) {
    block += name;
    block += '=';
    block += value;
    block += '\0';
  }
  if (env.empty()) block += '\0';  // an empty block is still two NULs
  block += '\0';
  return block;
}

}  // namespace hp::windows
