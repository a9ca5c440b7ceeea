// WatermarkedCopy: a record's content file as the public receives it: a PDF whose every page
// carries a visible watermark (the request it was served for and the date). Scans and PDFs are
// decoded to page images (the bytes decide the format, never the name) and text is typeset; the
// watermarked pages are then rendered again, so the copy is pictures with the watermark in their
// pixels and nothing can be lifted out clean. Stateless; thread-safe.
#pragma once

#include <string>

#include "archive/status.h"

namespace dangan::web {

// True for the bytes of a scan (JPEG, PNG, TIFF) or a PDF, by their magic (archive's SniffFormat):
// what can be shown or copied page by page.
bool IsScanOrPdf(const std::string& bytes);

// kUnsupportedMediaType for a format that cannot be copied this way (the service window copies
// those); the decoders' own errors for damaged content.
Result<std::string> WatermarkedCopy(const std::string& bytes, const std::string& watermark,
                                    const std::string& title);

}  // namespace dangan::web
