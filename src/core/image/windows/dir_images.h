// hp/image on Windows (preview, docs/windows.md): the store of imported images. The Linux store
// keeps blobs and unpacked layers (libarchive, zstd, curl), which have no Windows build here;
// an image is kept as its files (`import DIR NAME` copies a directory's; windows/oci_import.h
// applies an OCI image's Windows layers):
//   <root>\images\windows\<hex sha256 of the name>\image.json   the ImageRecord (os "windows")
//   <root>\images\windows\<hex sha256 of the name>\Files\       the files (a Windows layer's
//                                                                Files\ prefix)
// The record has the Linux store's JSON form; its id is the sha256 of its config's JSON. An
// import is written beside the images and renamed into place: a crash leaves no half image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/image/import.h"
#include "core/image/store.h"
#include "core/sys/windows/file_lock.h"

namespace hp::image {

// Imports directory `dir` under `name` (normalised like Docker) with `opts` (env, cmd,
// entrypoint, working dir); replaces an image of the same name. Anything but a directory is
// refused by name, and so is an OCI layout (windows/oci_import.h reads those).
Result<ImageRecord> ImportDirectory(const std::string& root, const std::string& dir,
                                    std::string_view name, const ImportOptions& opts = {});
// The image imported under `ref` (normalised); kNotFound when there is none.
Result<ImageRecord> ResolveDirectoryImage(const std::string& root, std::string_view ref);
// The imported images, by name; a record that does not read is skipped.
Result<std::vector<ImageRecord>> ListDirectoryImages(const std::string& root);
// The image `ref` names: its name (normalised), its id (`sha256:<hex>`) or a prefix of the id's
// hex of at least 4 digits that only one image's id has (`images` shows 12); kNotFound when no
// image matches, kInvalidArgument when a prefix matches several.
Result<ImageRecord> FindDirectoryImage(const std::string& root, std::string_view ref);
// Removes the image `ref` names (FindDirectoryImage) and its files; returns its record.
Result<ImageRecord> RemoveDirectoryImage(const std::string& root, std::string_view ref);
// --platform of a Windows import: empty or `windows/...`; `path` names the input in the error.
Status CheckImportPlatform(const std::string& path, const ImportOptions& opts);
// The image store's lock (`<root>\images\windows.lock`, sys::FileLock): `import` and `rmi`
// hold it for their whole work, so that two imports of one name never interleave their replace
// and no import runs while another removes what a killed one left.
Result<sys::FileLock> LockImageStore(const std::string& root);
// With the store locked (so no import is running): removes the scratch directories a killed
// import left, only directories named exactly as ImportDirName makes them (IsImportDirName);
// returns an error per one that could not be removed.
std::vector<std::string> RemoveStaleImportDirs(const std::string& root);
// Where `pull` downloads a blob before it is verified (`<root>\images\ingest\<hex>.partial`,
// beside the images, as the Linux store's `images/ingest`): kept when a pull fails or is
// killed, so that the next pull of the blob resumes it; a verified blob leaves it.
std::string PullIngestDir(const std::string& root);
// Where `pull` keeps the verified blobs (config and layers) of the images it kept
// (`<root>\images\blobs\<hex>`), so that a later pull of an image that shares them (a Windows
// base layer) downloads none of them again; kept while an image's record names them.
std::string PullBlobDir(const std::string& root);
// Removes the kept pull blobs no image's record names any more (its config's digest, its layers'
// digests); the caller holds the store's lock. CommitImportDir and RemoveDirectoryImage call it.
// Returns an error per blob that could not be removed.
std::vector<std::string> RemoveUnusedPullBlobs(const std::string& root);
// A fresh directory beside the images (`.import-<random>`, which ListDirectoryImages skips) for
// an import to build an image in (its Files\ and image.json) or to unpack a tarball into; the
// caller removes it with sys::RemoveAll when it is not committed.
Result<std::string> MakeImportDir(const std::string& root);
// Writes `rec` as `dir`\image.json and renames `dir` into place as the image `rec.name`,
// replacing an image of that name.
Status CommitImportDir(const std::string& root, const std::string& dir, const ImageRecord& rec);
// Copies the image's files into `volume`, an existing directory.
Status CopyDirectoryImage(const std::string& root, const ImageRecord& image,
                          const std::string& volume);

}  // namespace hp::image
