// libFuzzer target: the image path into Leptonica (and poppler for PDFs):
// capture::DecodeScannedDocument on the input bytes with a 16 MiB bound on the decoded document,
// so a decompression bomb is refused from its headers instead of exhausting memory (16 rather
// than 64 MiB: a mutated PDF page box otherwise has poppler render 16-megapixel pages, at a few
// inputs a second).
// Invariants: a decoded document has pages, each in one of the three pixel forms the pipeline
// handles (1, 8 or 32 bpp without colormap) and within the size limits.
// An empty PDF stays open between inputs, as in a server that is always decoding something:
// poppler builds its global state (GlobalParams: encodings, CMaps, fonts) when the first document
// opens and drops it when the last one closes, and rebuilding it for every input took most of the
// time. It is rebuilt every kInputsPerPoppler inputs so that what it caches (a font lookup per
// new font name) cannot grow without bound over a long run.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <poppler/cpp/poppler-document.h>

#include "capture/scanned_document.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;

namespace {
constexpr long long kMaxDecoded = 16ll << 20;
constexpr int kInputsPerPoppler = 4096;

// A well-formed PDF of an empty page tree, with its xref computed.
std::string EmptyPdf() {
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [] /Count 0 >>",
  };
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    std::string n = std::to_string(off);
    pdf += std::string(10 - n.size(), '0') + n + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// (Re)opens the empty PDF that keeps poppler's global state alive between inputs.
void KeepPopplerInitialised() {
  static const std::string bytes = EmptyPdf();  // poppler reads the document from here
  static std::unique_ptr<poppler::document> keep;
  keep.reset();  // the last document: GlobalParams goes, and the next line builds it afresh
  keep.reset(poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!keep) fuzz::Fail("poppler does not open the empty PDF");
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  KeepPopplerInitialised();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int inputs = 0;
  if (++inputs % kInputsPerPoppler == 0) KeepPopplerInitialised();
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
