// hp/image: sequential byte sources for the tar reader (tar_reader.h): a file, a gzip stream
// (zlib) over another source, and a sha256 hasher in between, so that a layer is read, checked
// against its digests and unpacked in one pass without being held in memory. Platform-neutral:
// files are opened through std::filesystem paths (UTF-8 names reach Windows as UTF-16).
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/image/digest.h"

namespace hp::image {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`; 0 at the end of the input.
  virtual Result<size_t> Read(void* buf, size_t n) = 0;
};

// Reads `n` bytes, fewer only at the end of the input.
Result<size_t> ReadFull(ByteSource& src, void* buf, size_t n);
// Reads what is left; returns how many bytes that was.
Result<int64_t> Drain(ByteSource& src);

class FileSource : public ByteSource {
 public:
  // The file at `path` (UTF-8); an error names it.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  Result<size_t> Read(void* buf, size_t n) override;

 private:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::ifstream in_;
};

// Hashes (sha256) every byte read through it.
class HashingSource : public ByteSource {
 public:
  explicit HashingSource(ByteSource& in) : in_(in) {}
  Result<size_t> Read(void* buf, size_t n) override;
  // "sha256:<hex>" of the bytes read so far (call once, at the end).
  std::string Digest() { return hash_.Final(); }
  int64_t bytes() const { return bytes_; }

 private:
  ByteSource& in_;
  Sha256 hash_;
  int64_t bytes_ = 0;
};

// The tar stream inside `raw`: gunzipped (zlib; concatenated gzip members are read as one
// stream, bytes after the last member are left unread) when it starts with gzip's magic 1f 8b,
// as it is otherwise; `*gzipped` (if given) says which. zstd (28 b5 2f fd) is refused by name:
// this reader has no zstd. `what` names the input in errors.
Result<std::unique_ptr<ByteSource>> Decompressed(ByteSource& raw, const std::string& what,
                                                 bool* gzipped = nullptr);

}  // namespace hp::image
