// hp/image: a decompressing, hashing reader for layer blobs. gzip (multi-member), zstd or
// uncompressed tar is detected from the magic bytes. Decompression and hashing run on a
// producer thread so that unpacking overlaps with them (like `tar -xzf` with its gzip child).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/result.h"

namespace hp::image {

enum class Compression { kNone, kGzip, kZstd };
Compression DetectCompression(const unsigned char* p, size_t n);

class LayerStream {
 public:
  // Reads from `fd` (not owned; must stay open until Finish/destruction) or, if `data` is
  // given, from memory.
  explicit LayerStream(int fd);
  LayerStream(const void* data, size_t size);
  ~LayerStream();
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  // Next chunk of uncompressed bytes; an empty view at the end. The view is valid until the
  // next call. Errors (corrupt gzip, read failure) are reported by Finish().
  std::string_view Next();
  // Drains what is left (the tar may end before the stream does), waits for the producer,
  // and returns the sha256 of every uncompressed byte (the layer's diff id).
  Result<std::string> Finish();
  uint64_t uncompressed_bytes() const { return total_; }

 private:
  void Start();
  void Produce();
  bool Push(std::string chunk);  // false when the consumer has gone
  Status Decompress();

  int fd_ = -1;
  const unsigned char* mem_ = nullptr;
  size_t mem_size_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;       // producer finished (error_ tells how)
  bool cancelled_ = false;  // consumer stopped reading
  Error error_;
  bool failed_ = false;
  std::string digest_;
  std::string current_;
  uint64_t total_ = 0;
  std::thread thread_;
};

}  // namespace hp::image
