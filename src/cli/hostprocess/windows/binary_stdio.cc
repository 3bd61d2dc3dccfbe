// Windows: the standard streams carry bytes, as on Linux and as kubectl (Go) writes them. The C
// runtime's default text mode would turn every "\n" written into "\r\n" and drop "\r" from a
// manifest read from stdin, so the same input would give different output than on Linux.
#include <fcntl.h>
#include <io.h>

#include <cstdio>

namespace hp::cli {
namespace {

struct BinaryStdio {
  BinaryStdio() {
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
  }
};
const BinaryStdio kBinaryStdio;

}  // namespace
}  // namespace hp::cli
