// DocumentCapture: the capture pipeline for one scanned document (件) as a sequence of named
// steps: load → prepare each page → OCR → vocabulary correction → classify → extract fields →
// searchable PDF access copy. It decides nothing about filing; the caller files the result or
// queues it for review. Borrows the OCR pool, classifier and scheme, which must outlive it.
// Capture() is thread-safe: run one document per worker thread; a document's pages are recognised
// in parallel too, the pool handing out engines.
#pragma once

#include <string>
#include <vector>

#include "archive/record.h"
#include "archive/scheme.h"
#include "archive/status.h"
#include "capture/document_classifier.h"
#include "capture/field_extraction.h"
#include "capture/ocr_engine_pool.h"
#include "capture/ocr_page.h"
#include "capture/page_preprocessing.h"
#include "capture/scanned_document.h"
#include "capture/vocabulary_correction.h"

namespace dangan::capture {

struct CapturedPage {
  int number = 0;  // 1-based
  OcrPage ocr;
  double skew_degrees = 0;
  int rotation_degrees = 0;
  std::vector<std::string> steps_applied;
  // The prepared page as the access copy's JPEG (the pixels OCR boxes refer to), for a reviewer's
  // screen; empty for bilevel pages and when no access copy was made.
  std::string access_jpeg;
};

struct CapturedDocument {
  std::string path;
  std::string format;         // "TIFF", "PNG", "JPEG", "PDF"
  std::string ocr_languages;  // the Tesseract languages that read it, e.g. "chi_sim"
  Digitization digitization;  // of the original, from its first page
  std::vector<CapturedPage> pages;
  std::string text;  // all pages, reading order, after vocabulary correction
  std::vector<VocabularyFix> fixes;
  Classification classification;
  ExtractedFields fields;
  std::string title;       // the document's own title line when one names its item
  std::string access_pdf;  // searchable PDF bytes; empty when not asked for
  double seconds = 0;      // wall time spent on this document
};

struct CaptureOptions {
  PreprocessOptions preprocess;
  bool make_pdf = true;
  std::string today;  // YYYYMMDD bound for birth dates in ID numbers; empty: the system clock
};

class DocumentCapture {
 public:
  DocumentCapture(const ClassificationScheme& scheme, const DocumentClassifier& classifier,
                  OcrEnginePool& pool, CaptureOptions options);

  // Errors: kInvalidArgument / kTooLarge / kUnsupportedMediaType for an unreadable or hostile
  // file (the batch goes on), kInternal for an OCR engine failure.
  Result<CapturedDocument> Capture(const std::string& path) const;

 private:
  struct PageResult {
    Status status;
    CapturedPage page;
    PixPtr image;      // the prepared page; only its shape once `jpeg` holds its pixels
    std::string jpeg;  // the access copy's page image
  };
  PageResult CapturePage(const ScannedPage& scan, size_t index) const;

  const ClassificationScheme& scheme_;
  const DocumentClassifier& classifier_;
  OcrEnginePool& pool_;
  CaptureOptions options_;
  VocabularyCorrection vocabulary_;
};

// The title line of a document: the first line among the first few that names a scheme item
// (title or alias), else the business item's name.
std::string ChooseTitle(const std::string& text, const ClassificationScheme& scheme,
                        const std::string& item_code);

}  // namespace dangan::capture
