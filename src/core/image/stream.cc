#include "core/image/stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/image/digest.h"

namespace hp::image {
namespace {
constexpr size_t kChunk = 1 << 20;
constexpr size_t kQueueDepth = 4;
}  // namespace

Compression DetectCompression(const unsigned char* p, size_t n) {
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return Compression::kGzip;
  if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
    return Compression::kZstd;
  return Compression::kNone;
}

LayerStream::LayerStream(int fd) : fd_(fd) { Start(); }
LayerStream::LayerStream(const void* data, size_t size)
    : mem_(static_cast<const unsigned char*>(data)), mem_size_(size) {
  Start();
}

LayerStream::~LayerStream() {
  {
    std::lock_guard lk(mu_);
    cancelled_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LayerStream::Start() {
  thread_ = std::thread([this] { Produce(); });
}

bool LayerStream::Push(std::string chunk) {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return queue_.size() < kQueueDepth || cancelled_; });
  if (cancelled_) return false;
  queue_.push_back(std::move(chunk));
  cv_.notify_all();
  return true;
}

void LayerStream::Produce() {
  Status st = Decompress();
  std::lock_guard lk(mu_);
  if (!st) {
    failed_ = true;
    error_ = st.error();
  }
  done_ = true;
  cv_.notify_all();
}

Status LayerStream::Decompress() {
  Sha256 hash;
  size_t mem_pos = 0;
  std::string in(kChunk, '\0');
  // Fills `in` from the source; returns bytes read (0 at end).
  auto read_in = [&]() -> Result<size_t> {
    if (mem_) {
      size_t n = std::min(kChunk, mem_size_ - mem_pos);
      std::memcpy(in.data(), mem_ + mem_pos, n);
      mem_pos += n;
      return n;
    }
    while (true) {
      ssize_t n = ::read(fd_, in.data(), in.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SysErr("read layer");
      return static_cast<size_t>(n);
    }
  };
  auto emit = [&](const char* p, size_t n) -> bool {
    if (n == 0) return true;
    hash.Update(p, n);
    total_ += n;
    return Push(std::string(p, n));
  };
  ASSIGN_OR_RETURN(size_t avail, read_in());
  Compression comp = DetectCompression(reinterpret_cast<const unsigned char*>(in.data()), avail);
  if (comp == Compression::kNone) {
    while (avail > 0) {
      if (!emit(in.data(), avail)) return Ok();
      ASSIGN_OR_RETURN(avail, read_in());
    }
  } else if (comp == Compression::kGzip) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
      return Err(ErrorCode::kInternal, "gzip: cannot initialise zlib");
    struct ZEnd {
      z_stream* z;
      ~ZEnd() { inflateEnd(z); }
    } zend{&z};
    std::string out(kChunk, '\0');
    bool member_done = false;
    while (avail > 0) {
      z.next_in = reinterpret_cast<Bytef*>(in.data());
      z.avail_in = static_cast<uInt>(avail);
      while (z.avail_in > 0) {
        if (member_done) {
          // Zero padding after the last member (tar writers pad to a block) is ignored, as
          // gzip does; anything else must be another member (pigz, concatenated streams).
          if (std::all_of(z.next_in, z.next_in + z.avail_in, [](Bytef b) { return b == 0; })) break;
          inflateReset(&z);
          member_done = false;
        }
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = static_cast<uInt>(out.size());
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
          return Err(ErrorCode::kInvalidArgument, "gzip: corrupt data: {}",
                     z.msg ? z.msg : "inflate failed");
        if (!emit(out.data(), out.size() - z.avail_out)) return Ok();
        if (rc == Z_STREAM_END) member_done = true;
        if (rc == Z_BUF_ERROR && z.avail_out != 0) break;
      }
      ASSIGN_OR_RETURN(avail, read_in());
    }
    if (!member_done) return Err(ErrorCode::kInvalidArgument, "gzip: unexpected end of data");
  } else {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    struct DEnd {
      ZSTD_DCtx* d;
      ~DEnd() { ZSTD_freeDCtx(d); }
    } dend{dctx};
    std::string out(ZSTD_DStreamOutSize() * 8, '\0');
    size_t last = 0;
    while (avail > 0) {
      ZSTD_inBuffer ib{in.data(), avail, 0};
      while (ib.pos < ib.size) {
        ZSTD_outBuffer ob{out.data(), out.size(), 0};
        last = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(last))
          return Err(ErrorCode::kInvalidArgument, "zstd: corrupt data: {}",
                     ZSTD_getErrorName(last));
        if (!emit(out.data(), ob.pos)) return Ok();
      }
      ASSIGN_OR_RETURN(avail, read_in());
    }
    // Flush whatever is buffered in the decoder.
    while (last != 0) {
      ZSTD_inBuffer ib{nullptr, 0, 0};
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      size_t before = ob.pos;
      last = ZSTD_decompressStream(dctx, &ob, &ib);
      if (ZSTD_isError(last))
        return Err(ErrorCode::kInvalidArgument, "zstd: corrupt data: {}", ZSTD_getErrorName(last));
      if (ob.pos == before) return Err(ErrorCode::kInvalidArgument, "zstd: unexpected end of data");
      if (!emit(out.data(), ob.pos)) return Ok();
    }
  }
  std::lock_guard lk(mu_);
  digest_ = hash.Final();
  return Ok();
}

std::string_view LayerStream::Next() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) return {};
  current_ = std::move(queue_.front());
  queue_.pop_front();
  cv_.notify_all();
  return current_;
}

Result<std::string> LayerStream::Finish() {
  while (!Next().empty()) {
  }
  if (thread_.joinable()) thread_.join();
  if (failed_) return tl::unexpected(error_);
  return digest_;
}

}  // namespace hp::image
