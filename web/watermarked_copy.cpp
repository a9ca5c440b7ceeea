#include "web/watermarked_copy.h"

#include <sstream>
#include <vector>

#include <leptonica/allheaders.h>

#include "archive/text.h"
#include "capture/scanned_document.h"
#include "capture/searchable_pdf.h"
#include "retrieval/pdf_document.h"

namespace dangan::web {

namespace {

bool LooksLikeImageOrPdf(const std::string& b) {
  auto starts = [&b](const char* magic, size_t n) {
    return b.size() >= n && b.compare(0, n, magic, n) == 0;
  };
  return starts("%PDF-", 5) || starts("\xFF\xD8\xFF", 3) || starts("\x89PNG", 4) ||
         starts("II*\0", 4) || starts("MM\0*", 4);
}

// The watermark becomes part of the pixels: the overlaid PDF is rendered again (poppler) and the
// rendered pages are the copy, so no PDF tool can lift a clean page image or text out of it.
Result<std::string> Flatten(const std::string& overlaid, const std::string& title) {
  auto rendered = capture::DecodeScannedDocument(overlaid);
  if (!rendered.ok()) return rendered.status();
  std::vector<std::string> jpegs;
  std::vector<capture::SearchablePage> pages;
  for (const auto& p : rendered->pages) {
    l_uint8* data = nullptr;
    size_t size = 0;
    Pix* pix = p.image.get();
    if (pixGetDepth(pix) != 8 && pixGetDepth(pix) != 32)
      return Status::Internal("a rendered page is neither gray nor colour");
    if (pixWriteMemJpeg(&data, &size, pix, 80, 0) != 0 || data == nullptr)
      return Status::Internal("a rendered page cannot be encoded");
    jpegs.emplace_back(reinterpret_cast<const char*>(data), size);
    lept_free(data);
  }
  for (size_t i = 0; i < rendered->pages.size(); ++i) {
    capture::SearchablePage sp;
    sp.image = rendered->pages[i].image.get();
    sp.dpi = rendered->pages[i].dpi;
    sp.original_jpeg = jpegs[i];
    pages.push_back(std::move(sp));
  }
  capture::SearchablePdfOptions options;
  options.title = title;
  return capture::RenderSearchablePdf(pages, options);
}

}  // namespace

Result<std::string> WatermarkedCopy(const std::string& bytes, const std::string& watermark,
                                    const std::string& title) {
  if (LooksLikeImageOrPdf(bytes)) {
    auto doc = capture::DecodeScannedDocument(bytes);
    if (!doc.ok()) return doc.status();
    std::vector<capture::SearchablePage> pages;
    for (const auto& p : doc->pages) {
      capture::SearchablePage sp;
      sp.image = p.image.get();
      sp.dpi = p.dpi;
      pages.push_back(std::move(sp));
    }
    capture::SearchablePdfOptions options;
    options.title = title;
    options.watermark = watermark;
    auto overlaid = capture::RenderSearchablePdf(pages, options);
    if (!overlaid.ok()) return overlaid.status();
    return Flatten(*overlaid, title);
  }
  // Plain text (the business systems' forms as text, OCR text): typeset line by line.
  if (bytes.find('\0') == std::string::npos && IsValidUtf8(bytes)) {
    PdfOptions options;
    options.title = title;
    options.watermark = watermark;
    options.font_size = 10;
    auto pdf = PdfDocument::Create(options);
    if (!pdf.ok()) return pdf.status();
    std::istringstream lines(bytes);
    std::string line;
    while (std::getline(lines, line)) (*pdf)->Paragraph(line.empty() ? " " : line);
    auto overlaid = (*pdf)->SaveToString();
    if (!overlaid.ok()) return overlaid.status();
    return Flatten(*overlaid, title);
  }
  return Status(ErrorCode::kUnsupportedMediaType,
                "this file's format cannot be copied online; ask at the service window");
}

}  // namespace dangan::web
