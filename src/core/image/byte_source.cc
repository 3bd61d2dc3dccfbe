#include "core/image/byte_source.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hp::image {
namespace {

// The bytes sniffed from the start of a source, then the rest of it.
class PrefixedSource : public ByteSource {
 public:
  PrefixedSource(std::string head, ByteSource& rest) : head_(std::move(head)), rest_(rest) {}
  Result<size_t> Read(void* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t m = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, m);
      pos_ += m;
      return m;
    }
    return rest_.Read(buf, n);
  }

 private:
  std::string head_;
  size_t pos_ = 0;
  ByteSource& rest_;
};

class GzipSource : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> in, std::string what)
      : in_(std::move(in)), what_(std::move(what)), buf_(1 << 16) {}
  ~GzipSource() override {
    if (init_) inflateEnd(&z_);
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Result<size_t> Read(void* out, size_t n) override {
    if (!init_) {
      if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK)
        return Err(ErrorCode::kInternal, "{}: cannot initialise zlib", what_);
      init_ = true;
    }
    if (ended_ || n == 0) return size_t{0};
    z_.next_out = static_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    const uInt want = z_.avail_out;
    while (z_.avail_out == want) {
      if (z_.avail_in == 0) {
        ASSIGN_OR_RETURN(size_t got, Fill(1));
        if (got == 0)
          return Err(ErrorCode::kInvalidArgument, "{}: the gzip stream ends early (truncated)",
                     what_);
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow (pigz, concatenated files); anything else after the
        // stream is left unread.
        ASSIGN_OR_RETURN(size_t avail, Fill(2));
        if (avail >= 2 && z_.next_in[0] == 0x1f && z_.next_in[1] == 0x8b) {
          inflateReset(&z_);
          continue;
        }
        ended_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return Err(ErrorCode::kInvalidArgument, "{}: bad gzip data: {}", what_,
                   z_.msg ? z_.msg : "inflate failed");
    }
    return static_cast<size_t>(want - z_.avail_out);
  }

 private:
  // Reads more input until at least `min` bytes are waiting or the input ends; returns how
  // many bytes are waiting.
  Result<size_t> Fill(size_t min) {
    if (z_.avail_in >= min) return static_cast<size_t>(z_.avail_in);
    if (z_.avail_in > 0) std::memmove(buf_.data(), z_.next_in, z_.avail_in);
    size_t have = z_.avail_in;
    while (have < min) {
      ASSIGN_OR_RETURN(size_t got, in_->Read(buf_.data() + have, buf_.size() - have));
      if (got == 0) break;
      have += got;
    }
    z_.next_in = reinterpret_cast<Bytef*>(buf_.data());
    z_.avail_in = static_cast<uInt>(have);
    return have;
  }

  std::unique_ptr<ByteSource> in_;
  std::string what_;
  std::vector<char> buf_;
  z_stream z_{};
  bool init_ = false;
  bool ended_ = false;
};

}  // namespace

Result<size_t> ReadFull(ByteSource& src, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < n) {
    ASSIGN_OR_RETURN(size_t r, src.Read(p + got, n - got));
    if (r == 0) break;
    got += r;
  }
  return got;
}

Result<int64_t> Drain(ByteSource& src) {
  char scratch[16384];
  int64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(size_t got, src.Read(scratch, sizeof scratch));
    if (got == 0) return total;
    total += static_cast<int64_t>(got);
  }
}

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  std::unique_ptr<FileSource> f(new FileSource(path));
  errno = 0;
  f->in_.open(std::filesystem::path(std::u8string(path.begin(), path.end())), std::ios::binary);
  if (!f->in_.is_open())
    return Err(ErrorCode::kNotFound, "open \"{}\": {}", path,
               errno ? std::strerror(errno) : "cannot be opened");
  return f;
}

Result<size_t> FileSource::Read(void* buf, size_t n) {
  in_.read(static_cast<char*>(buf), static_cast<std::streamsize>(n));
  if (in_.bad()) return Err(ErrorCode::kInternal, "read \"{}\": I/O error", path_);
  return static_cast<size_t>(in_.gcount());
}

Result<size_t> HashingSource::Read(void* buf, size_t n) {
  ASSIGN_OR_RETURN(size_t got, in_.Read(buf, n));
  hash_.Update(buf, got);
  bytes_ += static_cast<int64_t>(got);
  return got;
}

Result<std::unique_ptr<ByteSource>> Decompressed(ByteSource& raw, const std::string& what,
                                                 bool* gzipped) {
  std::string head(4, '\0');
  ASSIGN_OR_RETURN(size_t got, ReadFull(raw, head.data(), head.size()));
  head.resize(got);
  auto u = [&](size_t i) { return i < head.size() ? static_cast<unsigned char>(head[i]) : -1; };
  if (u(0) == 0x28 && u(1) == 0xb5 && u(2) == 0x2f && u(3) == 0xfd)
    return Err(ErrorCode::kUnsupported,
               "{}: zstd-compressed, which this build does not read; use a gzip or plain tar",
               what);
  bool gz = u(0) == 0x1f && u(1) == 0x8b;
  if (gzipped) *gzipped = gz;
  auto prefixed = std::make_unique<PrefixedSource>(std::move(head), raw);
  if (!gz) return std::unique_ptr<ByteSource>(std::move(prefixed));
  return std::unique_ptr<ByteSource>(std::make_unique<GzipSource>(std::move(prefixed), what));
}

}  // namespace hp::image
