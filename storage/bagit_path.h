// Percent-encoding of file paths in BagIt manifests and fetch.txt (RFC 8493 §2.1.3): only CR,
// LF and % are encoded. Shared by the package writer, its damage report and the validator of
// other institutions' bags. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dangan {

std::string EncodeManifestPath(const std::string& path);
// Decodes exactly %0A, %0D and %25 (either case); anything else after a % is kept literally,
// as another tool would have written it, and reported through `stray_percent` when given.
std::string DecodeManifestPath(std::string_view raw, bool* stray_percent = nullptr);

}  // namespace dangan
