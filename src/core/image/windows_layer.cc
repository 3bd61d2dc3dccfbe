#include "core/image/windows_layer.h"

#include "core/base/strings.h"

namespace hp::image {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";

bool IsDriveLetter(std::string_view c) {
  return c.size() >= 2 && c[1] == ':' &&
         ((c[0] >= 'a' && c[0] <= 'z') || (c[0] >= 'A' && c[0] <= 'Z'));
}

bool IsDeviceName(std::string_view component) {
  std::string stem = ToLower(component.substr(0, component.find('.')));
  while (!stem.empty() && stem.back() == ' ') stem.pop_back();
  if (stem == "con" || stem == "prn" || stem == "aux" || stem == "nul") return true;
  return stem.size() == 4 && (StartsWith(stem, "com") || StartsWith(stem, "lpt")) &&
         stem[3] >= '1' && stem[3] <= '9';
}

}  // namespace

Result<std::vector<std::string>> SplitArchiveName(std::string_view name) {
  if (!name.empty() && (name[0] == '/' || name[0] == '\\'))
    return Err(ErrorCode::kInvalidArgument, "an absolute name");
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '/' && name[i] != '\\') continue;
    std::string_view c = name.substr(start, i - start);
    start = i + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") return Err(ErrorCode::kInvalidArgument, "a \"..\" component");
    if (out.empty() && IsDriveLetter(c)) return Err(ErrorCode::kInvalidArgument, "a drive letter");
    out.emplace_back(c);
  }
  return out;
}

Status CheckWindowsFileName(std::string_view c) {
  if (c.empty()) return Err(ErrorCode::kInvalidArgument, "an empty name");
  for (char ch : c) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || ch == '<' || ch == '>' || ch == '"' || ch == '|' || ch == '?' || ch == '*' ||
        ch == ':')
      return Err(ErrorCode::kInvalidArgument, "a character Windows file names cannot hold");
  }
  if (c.back() == '.' || c.back() == ' ')
    return Err(ErrorCode::kInvalidArgument,
               "a name ending in a dot or a space (Windows drops them)");
  if (IsDeviceName(c)) return Err(ErrorCode::kInvalidArgument, "a Windows device name");
  return Ok();
}

Result<LayerEntryName> ClassifyWindowsLayerName(std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitArchiveName(name));
  LayerEntryName out;
  if (parts.size() < 2 || ToLower(parts[0]) != "files") return out;  // kIgnored
  out.path.assign(parts.begin() + 1, parts.end());
  // "Files/a.txt:Zone.Identifier:$DATA": go-winio's backuptar writes a file's alternate data
  // streams as members named so.
  std::string_view last = out.path.back();
  if (last.find(':') != std::string_view::npos && last.find(':') > 0) {
    for (size_t i = 0; i + 1 < out.path.size(); ++i) TRY(CheckWindowsFileName(out.path[i]));
    TRY(CheckWindowsFileName(last.substr(0, last.find(':'))));
    out.kind = LayerEntryKind::kAlternateStream;
    return out;
  }
  for (const std::string& c : out.path) TRY(CheckWindowsFileName(c));
  for (size_t i = 0; i + 1 < out.path.size(); ++i)
    if (StartsWith(out.path[i], std::string(kWhiteoutPrefix) + ".wh.")) {
      out.kind = LayerEntryKind::kIgnored;  // inside aufs' hard link directory (.wh..wh.plnk)
      out.path.clear();
      return out;
    }
  if (last == kOpaqueWhiteout) {
    out.path.pop_back();
    out.kind = LayerEntryKind::kOpaqueWhiteout;
  } else if (StartsWith(last, std::string(kWhiteoutPrefix) + ".wh.")) {
    out.kind = LayerEntryKind::kIgnored;  // aufs' other markers (.wh..wh.plnk, ...)
    out.path.clear();
  } else if (StartsWith(last, kWhiteoutPrefix)) {
    std::string hidden(last.substr(kWhiteoutPrefix.size()));
    if (hidden.empty() || hidden == "." || hidden == "..")
      return Err(ErrorCode::kInvalidArgument, "a whiteout of \"{}\"", hidden);
    TRY(CheckWindowsFileName(hidden));
    out.path.back() = std::move(hidden);
    out.kind = LayerEntryKind::kWhiteout;
  } else {
    out.kind = LayerEntryKind::kFile;
  }
  return out;
}

std::string PathKey(const std::vector<std::string>& path, size_t n) {
  std::string key;
  for (size_t i = 0; i < n && i < path.size(); ++i) {
    if (i) key += '/';
    key += ToLower(path[i]);
  }
  return key;
}

std::string ImportDirName(uint32_t a, uint32_t b) {
  return ".import-" + std::to_string(a) + std::to_string(b);
}

bool IsImportDirName(std::string_view name) {
  constexpr std::string_view kPrefix = ".import-";
  if (!StartsWith(name, kPrefix)) return false;
  std::string_view digits = name.substr(kPrefix.size());
  if (digits.size() < 2 || digits.size() > 20) return false;
  for (char c : digits)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace hp::image
