#include "capture/document_capture.h"

#include <chrono>

#include "capture/scanned_document.h"
#include "capture/searchable_pdf.h"

namespace dangan::capture {

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The prepared page as a JPEG for the access copy: its pixels are the ones OCR boxes refer to,
// and JPEG keeps a noisy scan small (Flate on scanner noise is slow and large).
std::string AccessJpeg(Pix* image) {
  if (pixGetDepth(image) != 8 && pixGetDepth(image) != 32) return "";
  l_uint8* data = nullptr;
  size_t size = 0;
  if (pixWriteMemJpeg(&data, &size, image, 80, 0) != 0 || data == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return out;
}

// Upright pages of printed forms read at a mean confidence of 75–95; a page on its side or upside
// down reads far lower and yields few Han characters.
bool ReadsBadly(const OcrPage& page) {
  int han = 0;
  for (size_t i = 0; i + 2 < page.text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(page.text[i]);
    if (c >= 0xE4 && c <= 0xE9) ++han;
  }
  return page.mean_confidence < 70 || han < 10;
}

}  // namespace

std::string ChooseTitle(const std::string& text, const ClassificationScheme& scheme,
                        const std::string& item_code) {
  const BusinessItem* item = scheme.FindItem(item_code);
  std::vector<std::string> names;
  if (item != nullptr) {
    names = item->aliases;
    names.push_back(item->name);
  }
  auto lines = Lines(text);
  const size_t head = std::min<size_t>(lines.size(), 8);
  for (size_t i = 0; i < head; ++i) {
    std::string line = Trim(lines[i]);
    if (line.empty() || line.size() > 150) continue;
    for (const auto& n : names)
      if (!n.empty() && line.find(n) != std::string::npos) return line;
  }
  // A form's title usually ends in 表/书/单; take the first such short line.
  static const char* const kEndings[] = {"表", "书", "单", "证明", "通知", "报告", "凭证", "记录"};
  for (size_t i = 0; i < head; ++i) {
    std::string line = Trim(lines[i]);
    if (line.size() < 9 || line.size() > 90) continue;
    for (const char* e : kEndings) {
      std::string end(e);
      if (line.size() >= end.size() && line.compare(line.size() - end.size(), end.size(), end) == 0)
        return line;
    }
  }
  return item != nullptr ? item->name : "未识别文件";
}

DocumentCapture::DocumentCapture(const ClassificationScheme& scheme,
                                 const DocumentClassifier& classifier, OcrEnginePool& pool,
                                 CaptureOptions options)
    : scheme_(scheme),
      classifier_(classifier),
      pool_(pool),
      options_(std::move(options)),
      vocabulary_(VocabularyCorrection::FromScheme(scheme)) {}

Result<CapturedDocument> DocumentCapture::Capture(const std::string& path) const {
  const auto started = std::chrono::steady_clock::now();
  CapturedDocument doc;
  doc.path = path;

  // Step 1: load (untrusted bytes; a bad file is an error value, never a crash).
  auto loaded = LoadScannedDocument(path);
  if (!loaded.ok()) return loaded.status();
  doc.format = loaded->format;
  const ScannedPage& first = loaded->pages.front();
  doc.digitization.dpi = first.dpi > 0 ? first.dpi : 300;
  doc.digitization.colour_mode = first.colour_mode;
  doc.digitization.compression = first.compression;
  doc.digitization.pages = static_cast<int>(loaded->pages.size());

  std::vector<PixPtr> prepared_images;
  std::string raw_text;
  for (size_t i = 0; i < loaded->pages.size(); ++i) {
    // Step 2: prepare the page (skew, resolution, seals); step 3: OCR. Orientation detection
    // costs nearly as much as OCR itself, so it runs only when a page reads badly upright.
    PreprocessOptions upright = options_.preprocess;
    upright.detect_orientation = false;
    auto prepared = PreparePage(loaded->pages[i], upright);
    if (!prepared.ok()) return prepared.status().WithContext("page " + std::to_string(i + 1));
    auto ocr = pool_.Recognise(*prepared->image);
    if (!ocr.ok()) return ocr.status().WithContext("page " + std::to_string(i + 1));
    if (options_.preprocess.detect_orientation && ReadsBadly(*ocr)) {
      auto turned = PreparePage(loaded->pages[i], options_.preprocess);
      if (turned.ok() && turned->rotation_degrees != 0) {
        auto again = pool_.Recognise(*turned->image);
        if (again.ok() && again->mean_confidence > ocr->mean_confidence) {
          prepared = std::move(turned);
          ocr = std::move(again);
        }
      }
    }
    CapturedPage page;
    page.number = static_cast<int>(i + 1);
    page.ocr = std::move(*ocr);
    page.skew_degrees = prepared->skew_degrees;
    page.rotation_degrees = prepared->rotation_degrees;
    page.steps_applied = prepared->steps_applied;
    if (!raw_text.empty() && !page.ocr.text.empty()) raw_text += '\n';
    raw_text += page.ocr.text;
    doc.pages.push_back(std::move(page));
    prepared_images.push_back(std::move(prepared->image));
  }

  // Step 4: repair misread vocabulary words (only unambiguous, near-exact matches).
  CorrectedText corrected = vocabulary_.Correct(raw_text);
  doc.text = std::move(corrected.text);
  doc.fixes = std::move(corrected.fixes);

  // Step 5: classify; step 6: extract the key fields.
  doc.classification = classifier_.Classify(doc.text);
  doc.fields = ExtractFields(doc.text, options_.today);
  doc.title = doc.classification.not_a_record
                  ? ChooseTitle(doc.text, scheme_, "")
                  : ChooseTitle(doc.text, scheme_, doc.classification.item_code);

  // Step 7: the searchable PDF access copy.
  if (options_.make_pdf) {
    std::vector<std::string> jpegs(doc.pages.size());
    std::vector<SearchablePage> pdf_pages;
    for (size_t i = 0; i < doc.pages.size(); ++i) {
      jpegs[i] = AccessJpeg(prepared_images[i].get());
      SearchablePage p;
      p.image = prepared_images[i].get();
      p.dpi = doc.pages[i].ocr.dpi > 0 ? doc.pages[i].ocr.dpi : 300;
      p.ocr = &doc.pages[i].ocr;
      p.original_jpeg = jpegs[i];
      pdf_pages.push_back(std::move(p));
    }
    SearchablePdfOptions pdf_options;
    pdf_options.title = doc.title;
    auto pdf = RenderSearchablePdf(pdf_pages, pdf_options);
    if (!pdf.ok()) return pdf.status().WithContext("searchable PDF");
    doc.access_pdf = std::move(*pdf);
  }
  doc.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return doc;
}

}  // namespace dangan::capture
