// ScannedDocument: the decoded pages of one scanned file (TIFF incl. multi-page and JPEG-in-TIFF,
// PNG, JPEG, or a scanned PDF rasterised at 300 dpi) with each page's 数字化属性 for the metadata.
// The document owns its page images. Loading is thread-safe; a loaded document may be read from
// several threads but not modified concurrently.
#pragma once

#include <string>
#include <vector>

#include "archive/status.h"
#include "capture/pix.h"

namespace dangan::capture {

// Limits that keep a hostile or broken file from exhausting memory. Checked against the declared
// dimensions before any pixel is decoded.
inline constexpr int kMaxPageSide = 20000;                // pixels, either side
inline constexpr long long kMaxPagePixels = 300'000'000;  // pixels per page
inline constexpr int kMaxPages = 2000;
// Every page of a document is decoded before it is read, so the whole document must fit: about
// 240 gray A4 pages at 300 dpi. A longer scan is refused (kTooLarge) with a request to split it.
inline constexpr long long kMaxDocumentBytes = 2'147'483'648;  // decoded pixels, estimated

struct ScannedPage {
  PixPtr image;  // 1 bpp (bitonal), 8 bpp gray or 32 bpp RGB; never colormapped or with alpha
  int dpi = 0;   // declared resolution; 0 when the file does not say
  std::string colour_mode;  // "bitonal" | "grayscale" | "color"
  std::string compression;  // "JPEG", "LZW", "CCITT G4", "CCITT G3", "Deflate", "PackBits",
                            // "none", "PDF raster"
  int width = 0, height = 0;
};

struct ScannedDocument {
  std::vector<ScannedPage> pages;  // at least one
  std::string format;              // "TIFF" | "PNG" | "JPEG" | "PDF"
};

// Reads and decodes the file at `path`. The format is taken from the magic bytes, never from the
// extension. Unreadable files give kIOError, unknown formats kUnsupportedMediaType, oversized
// pages kTooLarge, and corrupt, truncated or page-less files kMalformed.
// `max_decoded_bytes` bounds the decoded size of the whole document (estimated from the headers
// before decoding).
Result<ScannedDocument> LoadScannedDocument(const std::string& path,
                                            long long max_decoded_bytes = kMaxDocumentBytes);

// As LoadScannedDocument, for bytes already in memory.
Result<ScannedDocument> DecodeScannedDocument(const std::string& bytes,
                                              long long max_decoded_bytes = kMaxDocumentBytes);

}  // namespace dangan::capture
