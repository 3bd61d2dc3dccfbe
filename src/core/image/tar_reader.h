// hp/image: a streaming tar reader over a byte source, platform-neutral (no OS headers), for the
// Windows build, which has no libarchive (docs/windows.md, "Images on Windows"). It reads ustar
// (POSIX prefix + name), GNU (long names and link names, 'L' and 'K'; base-256 sizes) and pax
// (per-entry 'x' records: path, linkpath, size; global 'g' records are ignored). Every header's
// checksum is verified; the archive ends with a zero block followed by another one (or by the
// end of the input); an input that ends before that is an error. Errors name the entry and its
// offset in the uncompressed archive. Nothing is held in memory but one entry's header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/result.h"
#include "core/image/byte_source.h"

namespace hp::image {

enum class TarType { kFile, kDir, kSymlink, kHardlink, kOther };

struct TarEntry {
  std::string name;  // as archived: pax path, GNU long name, or ustar prefix "/" name
  std::string link;  // a symlink's target or a hard link's target name
  TarType type = TarType::kOther;
  char typeflag = '0';  // the header's type byte ('0', '5', '2', '1', '3', ...)
  int64_t size = 0;     // the data's bytes (0 for all but regular files)
  uint32_t mode = 0;
  int64_t offset = 0;  // the header's offset in the uncompressed archive
};

class TarReader {
 public:
  // `what` names the archive in errors ("layer sha256:...", a file name).
  TarReader(ByteSource& src, std::string what) : src_(src), what_(std::move(what)) {}

  // The next entry, or nullopt at the end of the archive. The data of the previous entry that
  // was not read is skipped.
  Result<std::optional<TarEntry>> Next();
  // Reads up to `n` bytes of the current entry's data; 0 at its end.
  Result<size_t> Read(void* buf, size_t n);
  // Bytes of the archive read so far.
  int64_t offset() const { return offset_; }

 private:
  Status ReadBlock(char* block, const char* what_for, bool* eof);
  Status Skip(int64_t n);
  Result<std::string> ReadSpecialData(int64_t size, int64_t at);
  Error EntryError(std::string_view name, int64_t at, std::string_view msg) const;

  ByteSource& src_;
  std::string what_;
  int64_t offset_ = 0;
  int64_t data_left_ = 0;  // unread data bytes of the current entry
  int64_t pad_left_ = 0;   // padding after them, up to the next 512-byte block
  bool done_ = false;
  std::string current_;  // the current entry's name, for errors while reading its data
  int64_t current_at_ = 0;
};

}  // namespace hp::image
