// OcrEnginePool: a fixed set of Tesseract engines (chi_sim+eng by default), loaded once, lent out
// one page at a time. The pool owns its engines; callers own the images they pass in.
// Recognise() is thread-safe and blocks while every engine is busy; the pool must outlive calls.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "archive/status.h"
#include "capture/ocr_page.h"
#include "capture/pix.h"

namespace tesseract {
class TessBaseAPI;
}

namespace dangan::capture {

struct OcrOptions {
  // chi_sim alone by measurement: its model reads Latin letters and digits too (identifiers,
  // credit codes), while adding eng makes Tesseract read Han characters as Latin garbage (号→S,
  // 表→R): on the corpus sample CER 0.131 against 0.170 with chi_sim+eng, 30% less CPU, and no
  // identifier lost. "chi_sim+eng" stays available for documents with English text.
  std::string languages = "chi_sim";
  // Empty: Tesseract's built-in default (Debian: /usr/share/tesseract-ocr/5/tessdata).
  std::string tessdata_dir;
  // A tesseract::PageSegMode value. 3 (automatic layout) by measurement: 6 (one uniform block)
  // would read form rows across cells but loses the Chinese text on forms (CER 0.58 vs 0.14).
  int page_segmentation_mode = 3;
  bool preserve_interword_spaces = false;
  // Further Tesseract parameters, name → value, set on every engine after Init.
  std::vector<std::pair<std::string, std::string>> variables;
};

class OcrEnginePool {
 public:
  // Loads `engines` engines (1..64). Sets OMP_THREAD_LIMIT=1 first unless the environment already
  // sets it: one thread per engine with parallelism across engines is several times faster.
  static Result<std::unique_ptr<OcrEnginePool>> Open(int engines, const OcrOptions& options);
  ~OcrEnginePool();
  OcrEnginePool(const OcrEnginePool&) = delete;
  OcrEnginePool& operator=(const OcrEnginePool&) = delete;

  // Recognises one page image (1, 8 or 32 bpp; its x resolution is taken as the dpi, 300 when
  // unset). Box coordinates in the result are in `image`'s pixels.
  Result<OcrPage> Recognise(const Pix& image);

  int size() const { return static_cast<int>(engines_.size()); }
  // The Tesseract languages loaded, e.g. "chi_sim": recorded as part of each text's 创建程序.
  const std::string& languages() const { return languages_; }

 private:
  OcrEnginePool() = default;

  std::string languages_;

  std::vector<std::unique_ptr<tesseract::TessBaseAPI>> engines_;
  std::mutex mu_;
  std::condition_variable engine_returned_;
  std::vector<tesseract::TessBaseAPI*> idle_;  // guarded by mu_
};

// Joins Tesseract's words into one line: no space between two CJK characters (Tesseract puts one
// between every Han character), nor around CJK punctuation; a space elsewhere, so
// "公民身份号码 110101…" and Latin tokens stay separable. ASCII : ( ) , ; next to a Han character
// become full-width, as printed in Chinese text. Exposed for tests.
std::string JoinOcrWords(const std::vector<std::string>& words);

}  // namespace dangan::capture
