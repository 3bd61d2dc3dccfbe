#include "core/image/windows/tar_unpack.h"

#include <windows.h>

#include <vector>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/image/windows_layer.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"

namespace hp::image {
namespace {

constexpr DWORD kMissing = INVALID_FILE_ATTRIBUTES;
constexpr size_t kCopyBuffer = 1 << 20;

// `path` as a `\\?\` path: absolute, without MAX_PATH's limit and without further
// normalisation (the names below it are checked before they are joined).
std::wstring LongPath(const std::string& path) {
  std::wstring w = sys::Widen(path);
  if (w.rfind(L"\\\\?\\", 0) == 0) return w;
  DWORD n = GetFullPathNameW(w.c_str(), 0, nullptr, nullptr);
  if (n > 0) {
    std::wstring full(n, L'\0');
    DWORD m = GetFullPathNameW(w.c_str(), n, full.data(), nullptr);
    if (m > 0 && m < n) w = full.substr(0, m);
  }
  if (w.rfind(L"\\\\", 0) == 0) return L"\\\\?\\UNC\\" + w.substr(2);
  return L"\\\\?\\" + w;
}

std::wstring Under(const std::wstring& base, const std::vector<std::string>& parts, size_t n) {
  std::wstring out = base;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    out += L'\\';
    out += sys::Widen(parts[i]);
  }
  return out;
}

std::string Slashed(const std::vector<std::string>& parts, size_t n) {
  std::vector<std::string> head(parts.begin(), parts.begin() + static_cast<long>(n));
  return Join(head, "/");
}

DWORD Attributes(const std::wstring& p) { return GetFileAttributesW(p.c_str()); }
bool IsLink(DWORD a) { return a != kMissing && (a & FILE_ATTRIBUTE_REPARSE_POINT); }
bool IsDir(DWORD a) { return a != kMissing && (a & FILE_ATTRIBUTE_DIRECTORY); }

tl::unexpected<Error> Win32Err(std::string_view what, const std::wstring& path) {
  return tl::unexpected(sys::Win32Error(fmt::format("{} \"{}\"", what, sys::Narrow(path))));
}

Status RemovePath(const std::wstring& path) { return sys::RemoveAll(sys::Narrow(path)); }

Status MakeDir(const std::wstring& path) {
  if (!CreateDirectoryW(path.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS)
    return Win32Err("create", path);
  return Ok();
}

// Writes the current entry's data to `path` (created, or truncated when it is a file).
Status WriteData(TarReader& tar, const std::wstring& path, std::vector<char>& buf) {
  HANDLE h = CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (h == INVALID_HANDLE_VALUE) return Win32Err("create", path);
  ScopeExit close([&] { CloseHandle(h); });
  while (true) {
    ASSIGN_OR_RETURN(size_t n, tar.Read(buf.data(), buf.size()));
    if (n == 0) return Ok();
    DWORD written = 0;
    if (!::WriteFile(h, buf.data(), static_cast<DWORD>(n), &written, nullptr) || written != n)
      return Win32Err("write", path);
  }
}

// Removes `key` and every key below it ("key/...") from `set`.
void EraseTree(std::set<std::string>& set, const std::string& key) {
  set.erase(key);
  if (key.empty()) {
    set.clear();
    return;
  }
  set.erase(set.lower_bound(key + "/"), set.lower_bound(key + "0"));  // '0' follows '/'
}

class LayerWriter {
 public:
  LayerWriter(TarReader& tar, const std::string& files, const std::string& layer,
              LayerApplyState& st)
      : tar_(tar), base_(LongPath(files)), layer_(layer), st_(st), buf_(kCopyBuffer) {}

  Status Run() {
    while (true) {
      ASSIGN_OR_RETURN(std::optional<TarEntry> e, tar_.Next());
      if (!e) return Ok();
      auto name = ClassifyWindowsLayerName(e->name);
      if (!name)
        return Refuse(*e, "refused: " + name.error().message() +
                              " (an unsafe layer: the image is not imported)");
      const std::vector<std::string>& p = name->path;
      switch (name->kind) {
        case LayerEntryKind::kIgnored:
          break;
        case LayerEntryKind::kAlternateStream:
          ++st_.streams;
          break;
        case LayerEntryKind::kWhiteout:
          TRY(Whiteout(*e, p));
          break;
        case LayerEntryKind::kOpaqueWhiteout:
          TRY(Opaque(*e, p));
          break;
        case LayerEntryKind::kFile:
          if (e->type == TarType::kFile) {
            TRY(File(*e, p));
          } else if (e->type == TarType::kDir) {
            TRY(Dir(*e, p));
          } else if (e->type == TarType::kHardlink) {
            TRY(Hardlink(*e, p));
          } else if (e->type == TarType::kSymlink) {
            TRY(Symlink(*e, p));
          } else {
            ++st_.others;
          }
          break;
      }
    }
  }

 private:
  tl::unexpected<Error> Refuse(const TarEntry& e, std::string_view why) const {
    return tl::unexpected(
        Error(fmt::format("layer {}: entry \"{}\" at offset {}: {}", layer_, e.name, e.offset, why),
              ErrorCode::kInvalidArgument));
  }

  // Makes (create) or checks the first `n` components of `p` as directories: none may be a
  // symbolic link the layers had (and that was not made) or a link on disk. Without `create`, a
  // missing one sets *missing.
  Status Parents(const TarEntry& e, const std::vector<std::string>& p, size_t n, bool create,
                 bool* missing = nullptr) {
    for (size_t i = 1; i <= n; ++i) {
      std::string key = PathKey(p, i);
      if (st_.skipped_links.count(key))
        return Refuse(e, fmt::format("it would be written through the symbolic link \"Files/{}\" "
                                     "(links are not made)",
                                     Slashed(p, i)));
      if (dirs_.count(key)) continue;
      std::wstring path = Under(base_, p, i);
      DWORD a = Attributes(path);
      if (IsLink(a))
        return Refuse(
            e, fmt::format("it would be written through a link (\"{}\")", sys::Narrow(path)));
      if (!IsDir(a)) {
        if (!create) {
          if (missing) *missing = true;
          return Ok();
        }
        if (a != kMissing) TRY(RemovePath(path));  // a lower layer's file, now a directory
        TRY(MakeDir(path));
      }
      dirs_.insert(std::move(key));
    }
    return Ok();
  }

  // Forgets what is known of `key` and below: it was removed or replaced.
  void Forget(const std::string& key) {
    EraseTree(dirs_, key);
    EraseTree(st_.skipped_links, key);
  }

  void MarkWritten(const std::vector<std::string>& p) {
    for (size_t i = 1; i <= p.size(); ++i) written_.insert(PathKey(p, i));
  }

  // Removes what is at `path` (a lower layer's file or directory) before something replaces it.
  Status Clear(const TarEntry& e, const std::vector<std::string>& p, bool keep_dir) {
    std::wstring path = Under(base_, p, p.size());
    DWORD a = Attributes(path);
    if (IsLink(a))
      return Refuse(e, fmt::format("it would replace a link (\"{}\")", sys::Narrow(path)));
    if (a != kMissing && !(keep_dir && IsDir(a))) TRY(RemovePath(path));
    Forget(PathKey(p, p.size()));
    return Ok();
  }

  Status File(const TarEntry& e, const std::vector<std::string>& p) {
    TRY(Parents(e, p, p.size() - 1, true));
    TRY(Clear(e, p, false));
    TRY(WriteData(tar_, Under(base_, p, p.size()), buf_));
    MarkWritten(p);
    return Ok();
  }

  Status Dir(const TarEntry& e, const std::vector<std::string>& p) {
    st_.skipped_links.erase(PathKey(p, p.size()));  // a directory in place of a link
    TRY(Parents(e, p, p.size(), true));
    MarkWritten(p);
    return Ok();
  }

  Status Symlink(const TarEntry& e, const std::vector<std::string>& p) {
    TRY(Parents(e, p, p.size() - 1, true));
    TRY(Clear(e, p, false));
    st_.skipped_links.insert(PathKey(p, p.size()));
    ++st_.symlinks;
    MarkWritten(p);
    return Ok();
  }

  Status Hardlink(const TarEntry& e, const std::vector<std::string>& p) {
    auto t = ClassifyWindowsLayerName(e.link);
    if (!t)
      return Refuse(e,
                    fmt::format("a hard link to \"{}\": refused: {}", e.link, t.error().message()));
    if (t->kind != LayerEntryKind::kFile)
      return Refuse(e, fmt::format("a hard link to \"{}\", which is not below Files/", e.link));
    std::string target_key = PathKey(t->path, t->path.size());
    if (st_.skipped_links.count(target_key)) return Symlink(e, p);  // a link to a link
    bool missing = false;
    TRY(Parents(e, t->path, t->path.size() - 1, false, &missing));
    std::wstring src = Under(base_, t->path, t->path.size());
    DWORD a = missing ? kMissing : Attributes(src);
    if (a == kMissing || IsDir(a) || IsLink(a))
      return Refuse(
          e, fmt::format("a hard link to \"{}\", which is not a file unpacked before it", e.link));
    if (target_key == PathKey(p, p.size())) return Ok();  // a link to itself
    TRY(Parents(e, p, p.size() - 1, true));
    TRY(Clear(e, p, false));
    std::wstring dst = Under(base_, p, p.size());
    if (!CopyFileW(src.c_str(), dst.c_str(), FALSE)) return Win32Err("copy to", dst);
    MarkWritten(p);
    return Ok();
  }

  Status Whiteout(const TarEntry& e, const std::vector<std::string>& p) {
    bool missing = false;
    TRY(Parents(e, p, p.size() - 1, false, &missing));
    Forget(PathKey(p, p.size()));
    if (missing) return Ok();
    std::wstring path = Under(base_, p, p.size());
    if (Attributes(path) != kMissing) TRY(RemovePath(path));
    return Ok();
  }

  // Removes from the directory `p` everything this layer did not write.
  Status Opaque(const TarEntry& e, const std::vector<std::string>& p) {
    TRY(Parents(e, p, p.size(), true));
    std::string key = PathKey(p, p.size());
    auto child_key = [&](const std::string& lower_name) {
      return key.empty() ? lower_name : key + "/" + lower_name;
    };
    std::wstring dir = Under(base_, p, p.size());
    std::vector<std::wstring> doomed;
    WIN32_FIND_DATAW entry;
    HANDLE find = FindFirstFileW((dir + L"\\*").c_str(), &entry);
    if (find != INVALID_HANDLE_VALUE) {
      do {
        std::wstring name = entry.cFileName;
        if (name == L"." || name == L"..") continue;
        if (!written_.count(child_key(ToLower(sys::Narrow(name))))) doomed.push_back(name);
      } while (FindNextFileW(find, &entry));
      FindClose(find);
    }
    for (const std::wstring& name : doomed) {
      TRY(RemovePath(dir + L"\\" + name));
      Forget(child_key(ToLower(sys::Narrow(name))));
    }
    // The symbolic links not made below it that this layer did not write go as well.
    std::vector<std::string> links;
    for (const std::string& l : st_.skipped_links) {
      if (!key.empty() && l.rfind(key + "/", 0) != 0) continue;
      std::string rest = key.empty() ? l : l.substr(key.size() + 1);
      if (!written_.count(child_key(rest.substr(0, rest.find('/'))))) links.push_back(l);
    }
    for (const std::string& l : links) st_.skipped_links.erase(l);
    return Ok();
  }

  TarReader& tar_;
  std::wstring base_;
  const std::string& layer_;
  LayerApplyState& st_;
  std::vector<char> buf_;
  std::set<std::string> dirs_;     // PathKeys known to be real directories
  std::set<std::string> written_;  // PathKeys this layer wrote (for opaque whiteouts)
};

struct PendingLink {
  std::string name;  // the member's name, for errors
  std::string link;  // as archived
  std::vector<std::string> path, target;
};

// The target of a symbolic link at `path` inside the archive, resolved lexically: a relative
// target that stays inside the archive (`../def/layer.tar`), else an error.
Result<std::vector<std::string>> LinkTarget(const std::vector<std::string>& path,
                                            std::string_view link) {
  if (link.empty() || link[0] == '/' || link[0] == '\\' || (link.size() > 1 && link[1] == ':'))
    return Err(ErrorCode::kInvalidArgument, "an absolute link target");
  std::vector<std::string> out(path.begin(), path.end() - 1);
  for (const std::string& c : Split(std::string(link), '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (out.empty()) return Err(ErrorCode::kInvalidArgument, "a link target outside the archive");
      out.pop_back();
      continue;
    }
    TRY(CheckWindowsFileName(c));
    out.push_back(c);
  }
  return out;
}

}  // namespace

Status ApplyWindowsLayer(TarReader& tar, const std::string& files, const std::string& layer,
                         LayerApplyState& state) {
  return LayerWriter(tar, files, layer, state).Run();
}

Status UnpackImageTarball(TarReader& tar, const std::string& dest, const std::string& what) {
  const std::string unsafe = " (an unsafe tarball: the image is not imported)";
  std::wstring base = LongPath(dest);
  std::vector<char> buf(kCopyBuffer);
  std::vector<PendingLink> links;
  auto refuse = [&](const TarEntry& e, std::string_view why) {
    return Err(ErrorCode::kInvalidArgument, "{}: entry \"{}\" at offset {}: {}", what, e.name,
               e.offset, why);
  };
  auto parents = [&](const TarEntry& e, const std::vector<std::string>& p, size_t n) -> Status {
    for (size_t i = 1; i <= n; ++i) {
      std::wstring path = Under(base, p, i);
      DWORD a = Attributes(path);
      if (a == kMissing) {
        TRY(MakeDir(path));
      } else if (!IsDir(a) || IsLink(a)) {
        return refuse(e, fmt::format("\"{}\" is not a directory", Slashed(p, i)));
      }
    }
    return Ok();
  };
  while (true) {
    ASSIGN_OR_RETURN(std::optional<TarEntry> e, tar.Next());
    if (!e) break;
    auto p = SplitArchiveName(e->name);
    if (!p) return refuse(*e, "refused: " + p.error().message() + unsafe);
    for (const std::string& c : *p)
      if (Status s = CheckWindowsFileName(c); !s)
        return refuse(*e, "refused: " + s.error().message() + unsafe);
    if (p->empty()) continue;
    switch (e->type) {
      case TarType::kDir:
        TRY(parents(*e, *p, p->size()));
        break;
      case TarType::kFile:
        TRY(parents(*e, *p, p->size() - 1));
        if (IsDir(Attributes(Under(base, *p, p->size()))))
          return refuse(*e, "a file where the archive has a directory");
        TRY(WriteData(tar, Under(base, *p, p->size()), buf));
        break;
      case TarType::kHardlink: {
        auto t = SplitArchiveName(e->link);
        if (!t) return refuse(*e, "a hard link refused: " + t.error().message());
        links.push_back({e->name, e->link, *p, *t});
        break;
      }
      case TarType::kSymlink: {
        auto t = LinkTarget(*p, e->link);
        if (!t) return refuse(*e, "a symbolic link refused: " + t.error().message());
        links.push_back({e->name, e->link, *p, *t});
        break;
      }
      case TarType::kOther:
        break;
    }
  }
  // Links become copies of their targets, which may be links themselves: resolved in passes.
  while (!links.empty()) {
    std::vector<PendingLink> left;
    for (PendingLink& l : links) {
      std::wstring src = Under(base, l.target, l.target.size());
      DWORD a = Attributes(src);
      if (a == kMissing) {
        left.push_back(std::move(l));
        continue;
      }
      if (IsDir(a))
        return Err(ErrorCode::kInvalidArgument,
                   "{}: entry \"{}\": a link to the directory \"{}\", which is not copied", what,
                   l.name, l.link);
      TarEntry e;
      e.name = l.name;
      TRY(parents(e, l.path, l.path.size() - 1));
      std::wstring dst = Under(base, l.path, l.path.size());
      if (!CopyFileW(src.c_str(), dst.c_str(), FALSE)) return Win32Err("copy to", dst);
    }
    if (left.size() == links.size())
      return Err(ErrorCode::kInvalidArgument,
                 "{}: entry \"{}\": a link to \"{}\", which is not in the archive", what,
                 left[0].name, left[0].link);
    links = std::move(left);
  }
  return Ok();
}

}  // namespace hp::image
