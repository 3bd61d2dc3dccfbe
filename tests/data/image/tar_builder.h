// Test helper: builds layer tarballs in memory (including hostile ones) with libarchive, so
// tests generate their corpus at run time instead of committing binaries.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hp::testing {

class TarBuilder {
 public:
  enum class Filter { kNone, kGzip, kZstd };
  struct Entry {
    std::string name;
    mode_t type = AE_IFREG;
    mode_t perm = 0644;
    std::string data;
    std::string link;  // symlink target or hardlink target
    bool hardlink = false;
    dev_t rdev = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;
    long uid = 0, gid = 0;
  };

  TarBuilder& File(std::string name, std::string data, mode_t perm = 0644) {
    entries_.push_back({std::move(name), AE_IFREG, perm, std::move(data)});
    return *this;
  }
  TarBuilder& Dir(std::string name, mode_t perm = 0755) {
    entries_.push_back({std::move(name), AE_IFDIR, perm});
    return *this;
  }
  TarBuilder& Symlink(std::string name, std::string target) {
    Entry e{std::move(name), AE_IFLNK, 0777};
    e.link = std::move(target);
    entries_.push_back(std::move(e));
    return *this;
  }
  TarBuilder& Hardlink(std::string name, std::string target) {
    Entry e{std::move(name), AE_IFREG, 0644};
    e.link = std::move(target);
    e.hardlink = true;
    entries_.push_back(std::move(e));
    return *this;
  }
  TarBuilder& Device(std::string name, bool chr, dev_t rdev) {
    Entry e{std::move(name), static_cast<mode_t>(chr ? AE_IFCHR : AE_IFBLK), 0600};
    e.rdev = rdev;
    entries_.push_back(std::move(e));
    return *this;
  }
  TarBuilder& Add(Entry e) {
    entries_.push_back(std::move(e));
    return *this;
  }

  std::string Build(Filter f = Filter::kNone) const {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (f == Filter::kGzip) archive_write_add_filter_gzip(a);
    if (f == Filter::kZstd) archive_write_add_filter_zstd(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, &WriteCb, nullptr);
    for (const auto& e : entries_) {
      struct archive_entry* ae = archive_entry_new();
      archive_entry_set_pathname(ae, e.name.c_str());
      archive_entry_set_filetype(ae, e.type);
      archive_entry_set_perm(ae, e.perm);
      archive_entry_set_uid(ae, e.uid);
      archive_entry_set_gid(ae, e.gid);
      archive_entry_set_mtime(ae, 1700000000, 0);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
      if (e.hardlink) archive_entry_set_hardlink(ae, e.link.c_str());
      if (e.type == AE_IFCHR || e.type == AE_IFBLK) archive_entry_set_rdev(ae, e.rdev);
      for (const auto& [k, v] : e.xattrs)
        archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
      if (e.type == AE_IFREG && !e.hardlink)
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
      if (archive_write_header(a, ae) != ARCHIVE_OK)
        throw std::runtime_error(archive_error_string(a));
      if (!e.data.empty() && !e.hardlink) archive_write_data(a, e.data.data(), e.data.size());
      archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
  }

 private:
  static la_ssize_t WriteCb(struct archive*, void* ctx, const void* buf, size_t n) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  std::vector<Entry> entries_;
};

}  // namespace hp::testing
