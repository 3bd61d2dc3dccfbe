// hp/image: the names inside a Windows image layer and inside an image tarball, as pure rules
// (no OS headers) so that they are unit-tested on every platform; the Windows import
// (windows/oci_import.h) applies them. A Windows layer (hcsshim's wclayer format) holds the
// container's files under `Files/`, registry hives under `Hives/` and the utility VM under
// `UtilityVM/`; a process-isolated HostProcess container only uses `Files/`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::image {

// An archive member's name split at `/` and `\` (both separators on Windows), empty and `.`
// components dropped. Refused, with the reason (kInvalidArgument): an absolute name (a leading
// separator), a drive letter (`C:` first), and a `..` component anywhere.
Result<std::vector<std::string>> SplitArchiveName(std::string_view name);

// Whether `component` can be written as a file name on Windows, and why not: no `:` (a drive
// or an alternate data stream), none of `<>"|?*` or control characters, no trailing `.` or
// space (Windows drops them, so that two names would name one file), not a device name (CON,
// PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension).
Status CheckWindowsFileName(std::string_view component);

enum class LayerEntryKind {
  kFile,             // a name below Files/: written into the image's Files\ (path)
  kWhiteout,         // `.wh.<name>`: removes `path` (the name) from the layers below
  kOpaqueWhiteout,   // `.wh..wh..opq`: empties the directory `path` of the layers below
  kAlternateStream,  // `Files/x:stream`: an NTFS alternate data stream, not imported
  kIgnored,          // Hives/, UtilityVM/, anything else outside Files/, Files/ itself
};

struct LayerEntryName {
  LayerEntryKind kind = LayerEntryKind::kIgnored;
  std::vector<std::string> path;  // below Files/, for kFile and the whiteouts
};

// Classifies a Windows layer's member name. `Files` matches case-insensitively (Windows layers
// write `Files/`, tools differ); names are refused as SplitArchiveName does, and a name to
// write below Files/ also as CheckWindowsFileName does.
Result<LayerEntryName> ClassifyWindowsLayerName(std::string_view name);

// "a/b/c" lower-cased (ASCII): the key under which the import compares paths, as Windows'
// file system compares them case-insensitively.
std::string PathKey(const std::vector<std::string>& path, size_t n);

// The scratch directory an import builds an image in (or unpacks a tarball into), beside the
// images: `.import-` and the decimal digits of two random numbers.
std::string ImportDirName(uint32_t a, uint32_t b);
// Whether `name` is exactly such a name: `.import-` then 2 to 20 ASCII digits, nothing else
// (case included). The next import removes the directories so named that a killed one left, and
// never anything else.
bool IsImportDirName(std::string_view name);

}  // namespace hp::image
