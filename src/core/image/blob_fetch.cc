#include "core/image/blob_fetch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "core/base/unique_fd.h"
#include "core/image/digest.h"
#include "core/sys/file.h"

namespace hp::image {
namespace {

// The partial download of one blob: its file, the sha256 of what it holds and its length.
struct Partial {
  std::string path;
  UniqueFd fd;
  Sha256 hash;
  int64_t have = 0;

  // Hashes the file from the start: it is the prefix the next request continues.
  Status Rehash() {
    (void)hash.Final();
    have = 0;
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) return SysErr("seek \"{}\"", path);
    std::string buf(1 << 20, '\0');
    while (true) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SysErr("read \"{}\"", path);
      if (n == 0) break;
      hash.Update(buf.data(), static_cast<size_t>(n));
      have += n;
    }
    return Ok();
  }
  Status Truncate() {
    if (::ftruncate(fd.get(), 0) < 0) return SysErr("truncate \"{}\"", path);
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) return SysErr("seek \"{}\"", path);
    (void)hash.Final();
    have = 0;
    return Ok();
  }
};

// "bytes START-END/TOTAL" → START and TOTAL (-1 for "*"); false if malformed.
bool ParseContentRange(const std::string& v, int64_t& start, int64_t& total) {
  long long s = 0, e = 0;
  char tot[32] = {};
  if (std::sscanf(v.c_str(), "bytes %lld-%lld/%31s", &s, &e, tot) != 3 || s < 0 || e < s)
    return false;
  start = s;
  total = std::string(tot) == "*" ? -1 : std::atoll(tot);
  return total == -1 || total > e;
}

}  // namespace

Status FetchBlob(PullTarget& target, Session& s, const Descriptor& d, const PullOptions& opts,
                 FetchCounters& c) {
  return target.WithBlobLock(d.digest, [&]() -> Status {
    auto done = [&] {
      if (opts.progress) opts.progress({d.digest, d.size, d.size, true});
    };
    ASSIGN_OR_RETURN(int64_t kept, target.KeptBlobSize(d.digest));
    if (kept >= 0) {
      if (kept != d.size)
        return Err(ErrorCode::kInvalidArgument, "blob \"{}\" has {} bytes, the manifest says {}",
                   d.digest, kept, d.size);
      c.present++;
      done();
      return Ok();
    }
    Partial p;
    p.path = target.PartialPath(d.digest);
    ASSIGN_OR_RETURN(p.fd, sys::Open(p.path, O_RDWR | O_CREAT, 0600));
    auto drop = [&] {
      p.fd.reset();
      (void)sys::RemoveAll(p.path);
    };
    auto commit = [&]() -> Status {
      p.fd.reset();
      TRY(target.CommitBlobFile(p.path, d.digest));
      c.downloaded++;
      done();
      return Ok();
    };
    const Clock::time_point deadline = BlobDeadline(opts, d.size);
    bool restarted = false;  // a resume failed and we started from zero
    bool first = true;
    int short_answers = 0;
    while (true) {
      TRY(p.Rehash());
      if (p.have == d.size && p.hash.Final() == d.digest) {  // complete: a pull died before
        if (first) c.resumed += p.have;                      // committing it
        return commit();
      }
      if (p.have >= d.size || (restarted && p.have > 0)) TRY(p.Truncate());
      if (first && p.have > 0) c.resumed += p.have;
      first = false;

      int64_t from = 0, written = 0;
      int write_errno = 0;
      bool too_long = false, bad_range = false;
      HttpRequest req;
      req.on_start = [&](long status, const std::map<std::string, std::string>& h) {
        if (status == 206) {
          int64_t start = -1, total = -1;
          auto it = h.find("content-range");
          if (it == h.end() || !ParseContentRange(it->second, start, total) || start != p.have ||
              (total != -1 && total != d.size)) {
            bad_range = true;
            return false;
          }
        } else if (p.have > 0) {  // Range ignored: the whole blob follows
          if (!p.Truncate()) return false;
        }
        from = p.have;
        return true;
      };
      req.sink = [&](const char* data, size_t n) -> bool {
        if (p.have + written + static_cast<int64_t>(n) > d.size) {
          too_long = true;
          return false;
        }
        if (auto w = sys::WriteAll(p.fd.get(), std::string_view(data, n)); !w) {
          write_errno = w.error().sys_errno() ? w.error().sys_errno() : EIO;
          return false;
        }
        p.hash.Update(data, n);
        written += static_cast<int64_t>(n);
        c.bytes += static_cast<int64_t>(n);
        if (opts.progress) opts.progress({d.digest, p.have + written, d.size, false});
        return true;
      };
      bool retry = false;
      auto prepare = [&](HttpRequest& r) {
        // A retry after a network error: continue from what reached the disk.
        if (retry && p.Rehash() && p.have >= d.size) (void)p.Truncate();
        retry = true;
        written = 0;
        r.range_from = p.have > 0 ? p.have : -1;
      };
      ASSIGN_OR_RETURN(HttpResponse resp,
                       s.Get("/blobs/" + d.digest, std::move(req), deadline, prepare));
      if (write_errno != 0) {
        drop();
        return SysErrN(write_errno, "blob \"{}\": write \"{}\"", d.digest, p.path);
      }
      if (too_long) {
        drop();
        return Err(ErrorCode::kInvalidArgument,
                   "blob \"{}\": registry sent more than the {} bytes announced", d.digest, d.size);
      }
      // A refused or misplaced resume: our partial may be fine (complete) or not; the loop
      // commits it if it is whole, else starts from zero once.
      if (resp.status == 416 || bad_range) {
        if (restarted) {
          drop();
          return Err(ErrorCode::kUnavailable,
                     "blob \"{}\": the registry answered a download from byte 0 with {}", d.digest,
                     bad_range ? "data from another offset" : "HTTP 416");
        }
        restarted = true;
        continue;
      }
      if (resp.status != 200 && resp.status != 206) {
        return Err(resp.status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                   "blob \"{}\": HTTP {}: {}", d.digest, resp.status, resp.body.substr(0, 200));
      }
      int64_t got_size = from + written;
      if (got_size < d.size) {  // the answer ended early: continue where it stopped
        if (++short_answers > opts.retries)
          return Err(ErrorCode::kUnavailable, "blob \"{}\": the registry sent {} of {} bytes",
                     d.digest, got_size, d.size);
        continue;
      }
      std::string got = p.hash.Final();
      if (got != d.digest) {
        if (from > 0 && !restarted) {  // the resumed prefix may be what is wrong
          restarted = true;
          continue;
        }
        drop();
        return Err(ErrorCode::kInvalidArgument,
                   "blob \"{}\": digest mismatch: the registry sent content with digest \"{}\" "
                   "(nothing stored)",
                   d.digest, got);
      }
      return commit();
    }
  });
}

}  // namespace hp::image
