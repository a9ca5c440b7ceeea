#include "web/page_image.h"

#include <leptonica/allheaders.h>

#include "capture/scanned_document.h"
#include "web/watermarked_copy.h"

namespace dangan::web {

Result<PageImage> RenderPageImage(const std::string& bytes, int page, int width) {
  if (!IsScanOrPdf(bytes))
    return Status(ErrorCode::kUnsupportedMediaType, "not a scan or a PDF: download it instead");
  auto doc = capture::DecodeScannedDocument(bytes);
  if (!doc.ok()) return doc.status();
  PageImage out;
  out.pages = static_cast<int>(doc->pages.size());
  if (page < 1 || page > out.pages)
    return Status::NotFound("page " + std::to_string(page) + " of " + std::to_string(out.pages));
  Pix* src = doc->pages[static_cast<size_t>(page - 1)].image.get();
  const int w = pixGetWidth(src);
  Pix* scaled = nullptr;
  if (width < w) {
    const float factor = static_cast<float>(width) / static_cast<float>(w);
    // Bilevel pages scale to gray: thin strokes stay legible instead of breaking up.
    scaled = pixGetDepth(src) == 1 ? pixScaleToGray(src, factor) : pixScale(src, factor, factor);
  } else {
    scaled = pixClone(src);
  }
  if (scaled == nullptr) return Status::Internal("the page cannot be scaled");
  l_uint8* data = nullptr;
  size_t size = 0;
  const int depth = pixGetDepth(scaled);
  int rc = 0;
  if (depth == 8 || depth == 32) {
    rc = pixWriteMemJpeg(&data, &size, scaled, 85, 0);
    out.content_type = "image/jpeg";
  } else {
    rc = pixWriteMemPng(&data, &size, scaled, 0);
    out.content_type = "image/png";
  }
  pixDestroy(&scaled);
  if (rc != 0 || data == nullptr) return Status::Internal("the page cannot be encoded");
  out.bytes.assign(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return out;
}

}  // namespace dangan::web
