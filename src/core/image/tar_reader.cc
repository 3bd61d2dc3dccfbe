#include "core/image/tar_reader.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace hp::image {
namespace {

constexpr int64_t kBlock = 512;
// pax records and GNU long names are read into memory: a bound keeps a damaged size field from
// asking for gigabytes.
constexpr int64_t kMaxSpecialData = 1 << 20;

std::string_view Field(const char* block, size_t at, size_t len) {
  std::string_view f(block + at, len);
  return f.substr(0, std::min(f.find('\0'), f.size()));
}

// A numeric field: octal digits (leading spaces, ended by NUL or space), or GNU's base-256 form
// (the first byte's high bit set) that sizes of 8 GiB and more need.
std::optional<int64_t> Number(const char* block, size_t at, size_t len) {
  const auto* p = reinterpret_cast<const unsigned char*>(block + at);
  if (p[0] & 0x80) {
    if (p[0] != 0x80) return std::nullopt;  // negative (0xff) or not a number
    int64_t v = 0;
    for (size_t i = 1; i < len; ++i) {
      if (v > (INT64_MAX >> 8)) return std::nullopt;
      v = (v << 8) | p[i];
    }
    return v;
  }
  size_t i = 0;
  while (i < len && p[i] == ' ') ++i;
  int64_t v = 0;  // no digits at all (a field of NULs or spaces): 0
  for (; i < len && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v > (INT64_MAX >> 3)) return std::nullopt;
    v = v * 8 + (p[i] - '0');
  }
  if (i < len && p[i] != ' ' && p[i] != '\0') return std::nullopt;
  return v;
}

bool AllZero(const char* block) {
  for (int64_t i = 0; i < kBlock; ++i)
    if (block[i] != 0) return false;
  return true;
}

// The header's checksum field against the sum of its bytes, the field counted as spaces. Both
// sums, unsigned (POSIX) and signed (some old tars), are accepted.
bool ChecksumOk(const char* block) {
  auto stored = Number(block, 148, 8);
  if (!stored) return false;
  int64_t usum = 0, ssum = 0;
  for (int64_t i = 0; i < kBlock; ++i) {
    bool in_field = i >= 148 && i < 156;
    usum += in_field ? ' ' : static_cast<unsigned char>(block[i]);
    ssum += in_field ? ' ' : static_cast<signed char>(block[i]);
  }
  return *stored == usum || *stored == ssum;
}

// The header's name for an error message: printable ASCII only, or nothing (a block that is not
// a header is shown as its offset alone).
std::string PrintableName(const char* block) {
  std::string_view n = Field(block, 0, 100);
  for (char c : n)
    if (c < 0x20 || c > 0x7e) return "";
  return std::string(n);
}

struct PaxRecords {
  std::optional<std::string> path, linkpath;
  std::optional<int64_t> size;
};

// "<len> <key>=<value>\n" records, <len> counting the whole record.
Result<PaxRecords> ParsePax(std::string_view data) {
  PaxRecords out;
  while (!data.empty()) {
    size_t sp = data.find(' ');
    if (sp == 0 || sp == std::string_view::npos || sp > 20)
      return Err(ErrorCode::kInvalidArgument, "a pax record without its length");
    int64_t len = 0;
    for (char c : data.substr(0, sp)) {
      if (c < '0' || c > '9') return Err(ErrorCode::kInvalidArgument, "a pax record's length");
      len = len * 10 + (c - '0');
    }
    if (len <= static_cast<int64_t>(sp) + 2 || len > static_cast<int64_t>(data.size()) ||
        data[static_cast<size_t>(len) - 1] != '\n')
      return Err(ErrorCode::kInvalidArgument, "a pax record's length does not fit");
    std::string_view rec = data.substr(sp + 1, static_cast<size_t>(len) - sp - 2);
    data.remove_prefix(static_cast<size_t>(len));
    size_t eq = rec.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Err(ErrorCode::kInvalidArgument, "a pax record without key=value");
    std::string_view key = rec.substr(0, eq), value = rec.substr(eq + 1);
    if (key == "path") {
      out.path = std::string(value);
    } else if (key == "linkpath") {
      out.linkpath = std::string(value);
    } else if (key == "size") {
      int64_t v = 0;
      if (value.empty() || value.size() > 18)
        return Err(ErrorCode::kInvalidArgument, "pax size \"{}\"", value);
      for (char c : value) {
        if (c < '0' || c > '9') return Err(ErrorCode::kInvalidArgument, "pax size \"{}\"", value);
        v = v * 10 + (c - '0');
      }
      out.size = v;
    }
  }
  return out;
}

// Types whose header is all there is: their size field says nothing about data (Go's
// archive/tar reads them the same way).
bool HeaderOnly(char t) {
  return t == '1' || t == '2' || t == '3' || t == '4' || t == '5' || t == '6';
}

}  // namespace

Error TarReader::EntryError(std::string_view name, int64_t at, std::string_view msg) const {
  if (name.empty())
    return Error(fmt::format("{}: at offset {}: {}", what_, at, msg), ErrorCode::kInvalidArgument);
  return Error(fmt::format("{}: entry \"{}\" at offset {}: {}", what_, name, at, msg),
               ErrorCode::kInvalidArgument);
}

Status TarReader::ReadBlock(char* block, const char* what_for, bool* eof) {
  ASSIGN_OR_RETURN(size_t got, ReadFull(src_, block, kBlock));
  if (got == 0 && eof) {
    *eof = true;
    return Ok();
  }
  if (got < static_cast<size_t>(kBlock) && offset_ == 0)
    return Err(EntryError("", 0, "shorter than one header: not a tar archive"));
  if (got < static_cast<size_t>(kBlock))
    return Err(EntryError(current_, offset_,
                          fmt::format("the archive ends inside {} (truncated)", what_for)));
  offset_ += kBlock;
  return Ok();
}

Status TarReader::Skip(int64_t n) {
  char scratch[16384];
  while (n > 0) {
    size_t want = static_cast<size_t>(std::min<int64_t>(n, sizeof scratch));
    ASSIGN_OR_RETURN(size_t got, ReadFull(src_, scratch, want));
    offset_ += static_cast<int64_t>(got);
    if (got < want)
      return Err(EntryError(current_, current_at_, "the archive ends inside its data (truncated)"));
    n -= static_cast<int64_t>(got);
  }
  return Ok();
}

Result<std::string> TarReader::ReadSpecialData(int64_t size, int64_t at) {
  if (size > kMaxSpecialData)
    return Err(EntryError(
        "", at, fmt::format("an extended header of {} bytes (at most {})", size, kMaxSpecialData)));
  std::string data(static_cast<size_t>(size), '\0');
  ASSIGN_OR_RETURN(size_t got, ReadFull(src_, data.data(), data.size()));
  offset_ += static_cast<int64_t>(got);
  if (got < data.size())
    return Err(EntryError("", at, "the archive ends inside an extended header (truncated)"));
  int64_t pad = (kBlock - size % kBlock) % kBlock;
  current_.clear();
  current_at_ = at;
  TRY(Skip(pad));
  return data;
}

Result<std::optional<TarEntry>> TarReader::Next() {
  if (done_) return std::optional<TarEntry>();
  TRY(Skip(data_left_ + pad_left_));
  data_left_ = pad_left_ = 0;
  current_.clear();
  PaxRecords pax;
  std::optional<std::string> long_name, long_link;
  char block[kBlock];
  while (true) {
    int64_t at = offset_;
    bool eof = false;
    TRY(ReadBlock(block, "a header", &eof));
    if (eof)
      return Err(EntryError("", at,
                            at == 0 ? "empty input, not a tar archive"
                                    : "the archive ends without its end-of-archive blocks "
                                      "(truncated)"));
    if (AllZero(block)) {
      bool eof2 = false;
      TRY(ReadBlock(block, "the end-of-archive blocks", &eof2));
      if (!eof2 && !AllZero(block))
        return Err(EntryError("", at, "a lone zero block inside the archive (damaged)"));
      done_ = true;
      return std::optional<TarEntry>();
    }
    if (!ChecksumOk(block))
      return Err(EntryError(PrintableName(block), at,
                            "bad header checksum (a damaged archive, or not a tar archive)"));
    char type = block[156];
    auto size = Number(block, 124, 12);
    if (!size) return Err(EntryError(PrintableName(block), at, "bad size field"));
    switch (type) {
      case 'x': {
        ASSIGN_OR_RETURN(std::string data, ReadSpecialData(*size, at));
        auto recs = ParsePax(data);
        if (!recs) return Err(EntryError("", at, recs.error().message()));
        if (recs->path) pax.path = recs->path;
        if (recs->linkpath) pax.linkpath = recs->linkpath;
        if (recs->size) pax.size = recs->size;
        continue;
      }
      case 'g':  // global pax records: nothing here uses them
        current_at_ = at;
        TRY(Skip(*size + (kBlock - *size % kBlock) % kBlock));
        continue;
      case 'L':
      case 'K': {
        ASSIGN_OR_RETURN(std::string data, ReadSpecialData(*size, at));
        data.resize(std::min(data.find('\0'), data.size()));
        (type == 'L' ? long_name : long_link) = std::move(data);
        continue;
      }
      default:
        break;
    }
    TarEntry e;
    e.offset = at;
    e.typeflag = type;
    if (long_name) {
      e.name = *long_name;
    } else if (pax.path) {
      e.name = *pax.path;
    } else {
      e.name = std::string(Field(block, 0, 100));
      // POSIX ustar ("ustar\0"): the prefix field holds the name's leading directories. GNU's
      // "ustar  " keeps other things there.
      std::string_view prefix = Field(block, 345, 155);
      if (std::memcmp(block + 257, "ustar\0", 6) == 0 && !prefix.empty())
        e.name = std::string(prefix) + "/" + e.name;
    }
    if (long_link)
      e.link = *long_link;
    else if (pax.linkpath)
      e.link = *pax.linkpath;
    else
      e.link = std::string(Field(block, 157, 100));
    e.mode = static_cast<uint32_t>(Number(block, 100, 8).value_or(0));
    int64_t data = pax.size ? *pax.size : *size;
    if (HeaderOnly(type)) data = 0;
    if (data < 0) return Err(EntryError(e.name, at, "bad size"));
    if (e.name.empty()) return Err(EntryError("", at, "an entry without a name"));
    switch (type) {
      case '0':
      case '7':
        e.type = TarType::kFile;
        break;
      case '\0':  // old (v7) archives: a name ending in '/' is a directory
        e.type = e.name.back() == '/' ? TarType::kDir : TarType::kFile;
        break;
      case '5':
        e.type = TarType::kDir;
        break;
      case '2':
        e.type = TarType::kSymlink;
        break;
      case '1':
        e.type = TarType::kHardlink;
        break;
      default:
        e.type = TarType::kOther;
        break;
    }
    if (e.type == TarType::kDir) data = 0;
    e.size = e.type == TarType::kFile ? data : 0;
    data_left_ = data;
    pad_left_ = (kBlock - data % kBlock) % kBlock;
    current_ = e.name;
    current_at_ = at;
    return std::optional<TarEntry>(std::move(e));
  }
}

Result<size_t> TarReader::Read(void* buf, size_t n) {
  size_t want = static_cast<size_t>(std::min<int64_t>(data_left_, static_cast<int64_t>(n)));
  if (want == 0) return size_t{0};
  ASSIGN_OR_RETURN(size_t got, ReadFull(src_, buf, want));
  offset_ += static_cast<int64_t>(got);
  data_left_ -= static_cast<int64_t>(got);
  if (got < want)
    return Err(EntryError(current_, current_at_, "the archive ends inside its data (truncated)"));
  return got;
}

}  // namespace hp::image
