// Go's text/tabwriter, which kubectl's and crictl's tables are written through. Pure: the
// Windows build uses it too.
#pragma once

#include <cstddef>
#include <string>

namespace hp::cli {

// Go's text/tabwriter (padchar ' ', no flags) over `text`: each line's tab-terminated cells
// are padded to the widest cell of their column block (consecutive lines that have a cell in
// that column) plus `padding`, at least `min_width`; the text after a line's last tab is not
// padded. kubectl describe writes through one with min width 0 and padding 2.
std::string TabWrite(const std::string& text, size_t min_width, size_t padding);

}  // namespace hp::cli
