#include "cli/hostprocess/printers/tabwriter.h"

#include <algorithm>
#include <vector>

namespace hp::cli {
namespace {

size_t Utf8Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct TabWriter {
  std::vector<std::vector<std::string>> lines;  // cells; the last one is the trailing text
  std::vector<size_t> widths;
  size_t min_width, padding;
  std::string out;

  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; i++) {
      const auto& line = lines[i];
      for (size_t j = 0; j < line.size(); j++) {
        out += line[j];
        if (j < widths.size() && j + 1 < line.size())
          out.append(widths[j] - std::min(widths[j], Utf8Width(line[j])), ' ');
      }
      out += '\n';
    }
  }
  // Go's tabwriter.format: column blocks, recursively.
  void Format(size_t line0, size_t line1) {
    size_t column = widths.size();
    for (size_t self = line0; self < line1; self++) {
      if (column + 1 >= lines[self].size()) continue;
      WriteLines(line0, self);
      line0 = self;
      size_t width = min_width;
      for (; self < line1; self++) {
        const auto& line = lines[self];
        if (column + 1 >= line.size()) break;
        width = std::max(width, Utf8Width(line[column]) + padding);
      }
      widths.push_back(width);
      Format(line0, self);
      widths.pop_back();
      line0 = self;
      self--;  // the for loop's increment: continue at `self`
    }
    WriteLines(line0, line1);
  }
};

}  // namespace

std::string TabWrite(const std::string& text, size_t min_width, size_t padding) {
  TabWriter w;
  w.min_width = min_width;
  w.padding = padding;
  size_t pos = 0;
  bool trailing_newline = !text.empty() && text.back() == '\n';
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::vector<std::string> cells;
    size_t start = pos;
    for (size_t i = pos; i < nl; i++) {
      if (text[i] == '\t') {
        cells.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    cells.push_back(text.substr(start, nl - start));
    w.lines.push_back(std::move(cells));
    pos = nl + 1;
  }
  w.Format(0, w.lines.size());
  if (!trailing_newline && !w.out.empty()) w.out.pop_back();
  return w.out;
}

}  // namespace hp::cli
