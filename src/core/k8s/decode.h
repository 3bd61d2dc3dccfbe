// hp/k8s: decoding manifests (YAML or JSON; multi-document; `kind: List`) into types.h.
//
// Decoding is strict, like kubectl's server-side strict field validation: a field that does
// not exist in Kubernetes is an error naming file:line:column and the field path
// (`unknown field "spec.containers[0].foo"`); a field Kubernetes knows but hostprocess ignores
// is a warning naming its path. Type errors and YAML syntax errors name file:line:column.
// YAML is read as kubectl reads it (yaml.h: libyaml, go-yaml's alias and depth rules); every
// function returns a Result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::k8s {

// A warning or error found while decoding: "file:line:col: Kind "name": message".
struct Diagnostic {
  Source source;
  std::string object;  // `Pod "x"` (empty when the object is not known yet)
  std::string message;
  std::string ToString() const;
};

struct Decoded {
  std::vector<Object> objects;  // in input order
  std::vector<Diagnostic> warnings;
};

struct DecodeOptions {
  bool keep_raw = false;  // also keep each object as JSON text (Object::raw_json)
  // A large input (256 KiB or more per piece) is parsed and decoded in pieces of whole
  // documents on this many threads; 0: one per core, at most 8. The result does not depend
  // on it.
  unsigned threads = 0;
};

// Decodes `text`; `source_name` is the file name recorded in every Source ("-" for stdin).
// On any error the Result holds an Error whose message lists every error, one per line.
Result<Decoded> DecodeString(std::string_view text, const std::string& source_name,
                             const DecodeOptions& options = {});
// Reading files, directories and standard input is the CLI's (cli/hostprocess/manifests.h):
// this module does no I/O.

}  // namespace hp::k8s
