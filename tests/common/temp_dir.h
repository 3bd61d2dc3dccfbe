// tests: a fresh directory under $TMPDIR for one test, removed with everything in it at the end
// (the fixture every file-system test needs; new tests use this one).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/sys/file.h"

namespace hp::testing {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "hp-test-") {
    auto d = sys::MakeTempDir(prefix);
    if (d) {
      path_ = *d;
    } else {
      ADD_FAILURE() << "temp dir: " << d.error().ToString();
    }
  }
  ~TempDir() {
    if (!path_.empty()) (void)sys::RemoveAll(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // False when the directory could not be made (already reported): tests ASSERT_TRUE(ok()),
  // since an empty path would make "/..." of every path below it.
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

}  // namespace hp::testing
