#include "web/watermarked_copy.h"

#include <sstream>

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
    return capture::RenderSearchablePdf(pages, options);
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
    return (*pdf)->SaveToString();
  }
  return Status(ErrorCode::kUnsupportedMediaType,
                "this file's format cannot be copied online; ask at the service window");
}

}  // namespace dangan::web
