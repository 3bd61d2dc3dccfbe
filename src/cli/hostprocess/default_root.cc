// The Linux node's state directory when neither --root nor HOSTPROCESS_ROOT says (command.h).
#include "cli/hostprocess/command.h"

namespace hp::cli {

std::string DefaultRoot() { return "/var/lib/hostprocess"; }

}  // namespace hp::cli
