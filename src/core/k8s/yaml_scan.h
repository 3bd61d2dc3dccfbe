// hp/k8s (internal to yaml_fast.cc and yaml_scan.cc): the fast reader's input as libyaml's reader
// hands it to its scanner: the characters it accepts and its line breaks. Whatever the fast reader
// does not reproduce exactly throws Decline, and libyaml reads the input instead (yaml_internal.h
// FastParse).
#pragma once

#include <string>
#include <string_view>

namespace hp::k8s::yaml::internal {

// Thrown where the fast reader stops: FastParse then returns false.
struct Decline {};

// The text as libyaml's reader hands it to its scanner, with CRLF and CR as LF: libyaml reads
// all three as a line break (the same marks: the next line, column 0), and a scalar's line
// breaks as LF. Declines what the reader refuses (control characters) and, for now, tabs and
// every byte outside ASCII.
class Input {
 public:
  explicit Input(std::string_view text);
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  std::string_view text() const { return text_; }

 private:
  std::string copy_;  // the text with its line breaks as LF, when it has a CR
  std::string_view text_;
};

}  // namespace hp::k8s::yaml::internal
