#include "web/watermarked_copy.h"

#include <sstream>
#include <vector>

#include <leptonica/allheaders.h>

#include "archive/property_checks.h"
#include "archive/text.h"
#include "capture/scanned_document.h"
#include "capture/searchable_pdf.h"
#include "retrieval/pdf_document.h"

namespace dangan::web {

namespace {

// The watermark becomes part of the pixels: the overlaid PDF is rendered again (poppler) and the
// rendered pages are the copy, so no PDF tool can lift a clean page image or text out of it.
Result<std::string> Flatten(const std::string& overlaid, const std::string& title) {
  auto rendered = capture::DecodeScannedDocument(overlaid);
  if (!rendered.ok()) return rendered.status();
  std::vector<capture::SearchablePage> pages;
  for (const auto& p : rendered->pages) {
    l_uint8* data = nullptr;
    size_t size = 0;
    Pix* pix = p.image.get();
    if (pixGetDepth(pix) != 8 && pixGetDepth(pix) != 32)
      return Status::Internal("a rendered page is neither gray nor colour");
    if (pixWriteMemJpeg(&data, &size, pix, 80, 0) != 0 || data == nullptr)
      return Status::Internal("a rendered page cannot be encoded");
    capture::SearchablePage sp;
    sp.image = pix;
    sp.dpi = p.dpi;
    sp.original_jpeg.assign(reinterpret_cast<const char*>(data), size);
    lept_free(data);
    pages.push_back(std::move(sp));
  }
  capture::SearchablePdfOptions options;
  options.title = title;
  return capture::RenderSearchablePdf(pages, options);
}

}  // namespace

bool IsScanOrPdf(const std::string& bytes) {
  const std::string format = SniffFormat(bytes.substr(0, 16));
  return format == "PDF" || format == "TIFF" || format == "JPEG" || format == "PNG";
}

Result<std::string> WatermarkedCopy(const std::string& bytes, const std::string& watermark,
                                    const std::string& title) {
  if (IsScanOrPdf(bytes)) {
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
  // Plain text (the business systems' forms as text, OCR text): typeset line by line, then
  // watermarked as the PDF that makes.
  if (bytes.find('\0') == std::string::npos && IsValidUtf8(bytes)) {
    PdfOptions options;
    options.title = title;
    options.font_size = 10;
    auto pdf = PdfDocument::Create(options);
    if (!pdf.ok()) return pdf.status();
    std::istringstream lines(bytes);
    std::string line;
    while (std::getline(lines, line)) (*pdf)->Paragraph(line.empty() ? " " : line);
    auto typeset = (*pdf)->SaveToString();
    if (!typeset.ok()) return typeset.status();
    return WatermarkedCopy(*typeset, watermark, title);
  }
  return Status(ErrorCode::kUnsupportedMediaType,
                "this file's format cannot be copied online; ask at the service window");
}

}  // namespace dangan::web
