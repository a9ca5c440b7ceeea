#include "capture/document_capture.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

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

DocumentCapture::PageResult DocumentCapture::CapturePage(const ScannedPage& scan,
                                                         size_t index) const {
  PageResult r;
  const std::string where = "page " + std::to_string(index + 1);
  // Step 2: prepare the page (skew, resolution, seals); step 3: OCR. Orientation detection
  // costs nearly as much as OCR itself, so it runs only when a page reads badly upright.
  PreprocessOptions upright = options_.preprocess;
  upright.detect_orientation = false;
  auto prepared = PreparePage(scan, upright);
  if (!prepared.ok()) {
    r.status = prepared.status().WithContext(where);
    return r;
  }
  auto ocr = pool_.Recognise(*prepared->image);
  if (!ocr.ok()) {
    r.status = ocr.status().WithContext(where);
    return r;
  }
  if (options_.preprocess.detect_orientation && ReadsBadly(*ocr)) {
    auto turned = PreparePage(scan, options_.preprocess);
    if (turned.ok() && turned->rotation_degrees != 0) {
      auto again = pool_.Recognise(*turned->image);
      if (again.ok() && again->mean_confidence > ocr->mean_confidence) {
        prepared = std::move(turned);
        ocr = std::move(again);
      }
    }
  }
  r.page.number = static_cast<int>(index + 1);
  r.page.ocr = std::move(*ocr);
  r.page.skew_degrees = prepared->skew_degrees;
  r.page.rotation_degrees = prepared->rotation_degrees;
  r.page.steps_applied = prepared->steps_applied;
  r.image = std::move(prepared->image);
  if (options_.make_pdf) {
    // The access copy needs only the JPEG and the page's shape: a long document must not hold
    // every page's pixels (9 MB an A4 gray page) until its PDF is made.
    r.jpeg = AccessJpeg(r.image.get());
    if (!r.jpeg.empty()) {
      Pix* shape = pixCreateHeader(pixGetWidth(r.image.get()), pixGetHeight(r.image.get()),
                                   pixGetDepth(r.image.get()));
      if (shape != nullptr) {
        pixCopyResolution(shape, r.image.get());
        r.image.reset(shape);
      }
    }
  }
  return r;
}

Result<CapturedDocument> DocumentCapture::Capture(const std::string& path) const {
  const auto started = std::chrono::steady_clock::now();
  CapturedDocument doc;
  doc.path = path;

  // Step 1: load (untrusted bytes; a bad file is an error value, never a crash).
  auto loaded = LoadScannedDocument(path);
  if (!loaded.ok()) return loaded.status();
  doc.format = loaded->format;
  doc.ocr_languages = pool_.languages();
  const ScannedPage& first = loaded->pages.front();
  doc.digitization.dpi = first.dpi > 0 ? first.dpi : 300;
  doc.digitization.colour_mode = first.colour_mode;
  doc.digitization.compression = first.compression;
  doc.digitization.pages = static_cast<int>(loaded->pages.size());

  // Steps 2 and 3 for every page, pages in parallel: as many at once as the pool has engines
  // (it hands them out; a page waiting for one holds only its own image).
  const size_t n = loaded->pages.size();
  std::vector<PageResult> results(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) results[i] = CapturePage(loaded->pages[i], i);
  };
  const size_t helpers = std::min<size_t>(n, static_cast<size_t>(std::max(1, pool_.size()))) - 1;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  loaded->pages.clear();  // the decoded scans are not needed any more

  std::string raw_text;
  for (auto& r : results) {
    if (!r.status.ok()) return r.status;
    if (!raw_text.empty() && !r.page.ocr.text.empty()) raw_text += '\n';
    raw_text += r.page.ocr.text;
    doc.pages.push_back(std::move(r.page));
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
    std::vector<SearchablePage> pdf_pages;
    for (size_t i = 0; i < doc.pages.size(); ++i) {
      SearchablePage p;
      p.image = results[i].image.get();
      p.dpi = doc.pages[i].ocr.dpi > 0 ? doc.pages[i].ocr.dpi : 300;
      p.ocr = &doc.pages[i].ocr;
      doc.pages[i].access_jpeg = std::move(results[i].jpeg);
      p.original_jpeg = doc.pages[i].access_jpeg;
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
