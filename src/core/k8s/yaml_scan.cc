// The fast reader's input (yaml_scan.h).
#include "core/k8s/yaml_scan.h"

namespace hp::k8s::yaml::internal {

Input::Input(std::string_view text) : text_(text) {
  bool cr = false;
  for (unsigned char ch : text) {
    if ((ch >= 0x20 && ch < 0x7f) || ch == '\n') continue;
    if (ch != '\r') throw Decline{};  // tabs, UTF-8, control characters
    cr = true;
  }
  if (!cr) return;
  copy_.reserve(text.size());
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '\r') {
      copy_ += text[i];
      continue;
    }
    copy_ += '\n';
    if (i + 1 < text.size() && text[i + 1] == '\n') i++;  // CRLF: one line break
  }
  text_ = copy_;
}

}  // namespace hp::k8s::yaml::internal
