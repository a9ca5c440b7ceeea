// libFuzzer target: the image path into Leptonica (and poppler for PDFs):
// capture::DecodeScannedDocument on the input bytes with a 16 MiB bound on the decoded document,
// so a decompression bomb is refused from its headers instead of exhausting memory (16 rather
// than 64 MiB: a mutated PDF page box otherwise has poppler render 16-megapixel pages, at a few
// inputs a second).
// Invariants: a decoded document has pages, each in one of the three pixel forms the pipeline
// handles (1, 8 or 32 bpp without colormap) and within the size limits.
#include <cstdint>
#include <string>

#include "capture/scanned_document.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;

namespace {
constexpr long long kMaxDecoded = 16ll << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = capture::DecodeScannedDocument(fuzz::AsString(data, size), kMaxDecoded);
  if (!doc.ok()) {
    fuzz::Note("refused: " + doc.status().ToString());
    if (doc.status().message().empty()) fuzz::Fail("a refusal without a message");
    return 0;
  }
  if (doc->pages.empty()) fuzz::Fail("a document without pages");
  fuzz::Note("decoded " + doc->format + ", " + std::to_string(doc->pages.size()) + " page(s), " +
             std::to_string(doc->pages[0].width) + "x" + std::to_string(doc->pages[0].height) +
             " " + doc->pages[0].colour_mode + " " + doc->pages[0].compression);
  long long bytes = 0;
  for (const auto& page : doc->pages) {
    Pix* pix = page.image.get();
    if (pix == nullptr) fuzz::Fail("a page without an image");
    const int d = pixGetDepth(pix);
    if ((d != 1 && d != 8 && d != 32) || pixGetColormap(pix) != nullptr)
      fuzz::Fail("a page of depth " + std::to_string(d) + " or with a colormap");
    if (page.width != pixGetWidth(pix) || page.height != pixGetHeight(pix))
      fuzz::Fail("page dimensions disagree with the image");
    if (page.width > capture::kMaxPageSide || page.height > capture::kMaxPageSide)
      fuzz::Fail("a page beyond the size limit");
    bytes += static_cast<long long>(pixGetWpl(pix)) * 4 * pixGetHeight(pix);
  }
  // The bound is estimated from headers (1 bpp pages counted as 8); allow for row padding.
  if (bytes > kMaxDecoded * 2)
    fuzz::Fail("decoded " + std::to_string(bytes >> 20) + " MiB past a " +
               std::to_string(kMaxDecoded >> 20) + " MiB bound");
  return 0;
}
