// hp/agent: kubectl's text output: ages (`2m13s`, `5h`, `3d`) and column tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/time.h"

namespace hp::agent {

// k8s.io/apimachinery/pkg/util/duration.HumanDuration, as kubectl prints AGE: exact seconds
// below 2 minutes, "XmYs" below 10 minutes, minutes below 3 hours, "XhYm" below 8 hours,
// hours below 2 days, "XdYh" below 8 days, days below 2 years, then years.
std::string HumanDuration(int64_t seconds);

// kubectl's table printer (a text/tabwriter with min width 6, padding 3): every column but the
// last is padded to its widest cell plus three spaces; no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t rows() const { return rows_.size() - 1; }
  // Without the header when `no_headers` (kubectl --no-headers).
  std::string Render(bool no_headers = false) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// The wall clock in Unix seconds (what status times and AGE are measured in) and the API's
// timestamps ("2026-11-22T10:00:00Z"): base/time.h.
using hp::NowUnixSeconds;
using hp::Rfc3339;
// kubectl describe's time format: "Sun, 22 Nov 2026 10:00:00 +0000".
std::string Rfc1123(int64_t unix_seconds);

}  // namespace hp::agent
