#include "core/windows/path.h"

namespace hp::windows {
namespace {

bool IsDriveLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool HasDrive(std::string_view p) { return p.size() >= 2 && IsDriveLetter(p[0]) && p[1] == ':'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The components of `path` after its prefix (drive, UNC or root).
std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && IsSeparator(path[i])) i++;
    size_t start = i;
    while (i < path.size() && !IsSeparator(path[i])) i++;
    if (i > start) out.push_back(path.substr(start, i - start));
  }
  return out;
}

}  // namespace

bool IsSeparator(char c) { return c == '\\' || c == '/'; }

bool IsAbsolute(std::string_view path) {
  if (path.size() >= 2 && IsSeparator(path[0]) && IsSeparator(path[1])) return true;  // UNC
  return HasDrive(path) && path.size() >= 3 && IsSeparator(path[2]);
}

bool IsDriveOrRootRelative(std::string_view path) {
  if (IsAbsolute(path)) return false;
  return (!path.empty() && IsSeparator(path[0])) || HasDrive(path);
}

bool EscapesBase(std::string_view relative) {
  int depth = 0;
  for (std::string_view c : Components(relative)) {
    if (c == ".") continue;
    depth += c == ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

std::string JoinPath(std::string_view base, std::string_view rest) {
  std::string out(base);
  while (!rest.empty() && IsSeparator(rest.front())) rest.remove_prefix(1);
  if (!out.empty() && !IsSeparator(out.back()) && !rest.empty()) out += '\\';
  out += rest;
  return out;
}

std::string Clean(std::string_view path) {
  std::string prefix;
  std::string_view rest = path;
  if (path.size() >= 2 && IsSeparator(path[0]) && IsSeparator(path[1])) {
    prefix = "\\\\";  // UNC: \\server\share stays as the root
    rest.remove_prefix(2);
  } else if (HasDrive(path)) {
    prefix = std::string(path.substr(0, 2));
    rest.remove_prefix(2);
    if (!rest.empty() && IsSeparator(rest[0])) prefix += '\\';
  } else if (!path.empty() && IsSeparator(path[0])) {
    prefix = "\\";
  }
  bool rooted = !prefix.empty() && IsSeparator(prefix.back());
  std::vector<std::string_view> kept;
  for (std::string_view c : Components(rest)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!kept.empty() && kept.back() != "..") {
        kept.pop_back();
        continue;
      }
      if (rooted) continue;  // `C:\..` is `C:\`
    }
    kept.push_back(c);
  }
  std::string out = prefix;
  for (size_t i = 0; i < kept.size(); i++) {
    if (i > 0) out += '\\';
    out += kept[i];
  }
  if (out.empty()) out = ".";
  return out;
}

bool HasExtension(std::string_view path) {
  size_t start = 0;
  for (size_t i = 0; i < path.size(); i++)
    if (IsSeparator(path[i]) || (i == 1 && path[1] == ':')) start = i + 1;
  std::string_view last = path.substr(start);
  size_t dot = last.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < last.size();
}

std::vector<std::string> SplitPathList(std::string_view value) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : value) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

}  // namespace hp::windows
