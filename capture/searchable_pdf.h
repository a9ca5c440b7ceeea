// Searchable PDF access copy: each scanned page as its image, with the OCR words over it as
// invisible text in an embedded CJK font. The caller owns the images and OCR results (only read).
// Safe to call from several threads at once: each call builds its own libharu document.
#pragma once

#include <string>
#include <vector>

#include "archive/status.h"
#include "capture/ocr_page.h"
#include "capture/pix.h"

namespace dangan::capture {

struct SearchablePage {
  // The page as recognised: 1 bpp, 8 bpp gray or 32 bpp RGB (others are converted). Required; its
  // pixel size and `dpi` give the page size. Not owned; must outlive the call.
  const Pix* image = nullptr;
  // Pixels per inch; 0 = the image's own resolution, or 300 when it has none.
  int dpi = 0;
  // Words to lay over the image; nullptr = image only. Boxes are in the OCR image's pixels
  // (ocr->width × ocr->height) and are scaled to the page if that differs from `image`.
  const OcrPage* ocr = nullptr;
  // Optional: the original JPEG file of this page, embedded byte for byte instead of `image` so
  // the access copy neither loses quality nor grows by re-encoding. Must have `image`'s shape.
  std::string original_jpeg;
};

struct SearchablePdfOptions {
  // A TrueType font (.ttf) or collection (.ttc, first face) with the CJK glyphs. Empty: the
  // DANGAN_PDF_FONT environment variable, else kDefaultSearchableFont.
  std::string font_path;
  std::string title;  // document information; may be empty
  // Drawn across every page, diagonal, repeated and translucent, over the image: a copy served
  // outside the archive says to whom and why it was given (web/watermarked_copy.h renders the
  // result again so it cannot be separated from the image). Empty: none.
  std::string watermark;
};

// Debian package fonts-wqy-zenhei. (Noto CJK's OpenType/CFF fonts cannot be loaded by libharu.)
inline constexpr const char* kDefaultSearchableFont =
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

// Renders the pages, in order, as one PDF and returns its bytes. An empty page list, a missing
// image, a JPEG that does not decode or match its image, or an oversized page gives
// kInvalidArgument naming the page; an unusable font gives kInvalidArgument naming the font.
// Memory: libharu holds every page's image until the document is written, so an uncompressed gray
// or colour page costs width × height × channels bytes during the call (JPEG and 1 bpp pages cost
// roughly their compressed size).
Result<std::string> RenderSearchablePdf(const std::vector<SearchablePage>& pages,
                                        const SearchablePdfOptions& options = {});

}  // namespace dangan::capture
