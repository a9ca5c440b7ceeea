// PreparePage: turns one scanned page into the image OCR reads best: upright, deskewed, at about
// 300 dpi, with seal ink and scanner borders removed. Each step can be switched off and reports
// itself in `steps_applied`, so the access copy's processing history is visible.
// Thread-safe: each calling thread lazily loads its own orientation detector (Tesseract OSD).
#pragma once

#include <string>
#include <vector>

#include "archive/status.h"
#include "capture/pix.h"
#include "capture/scanned_document.h"

namespace dangan::capture {

// Defaults are the steps that lowered the character error rate on the synthetic corpus (see the
// measurements in scripts/bench/ocr_cer.py's notes); the others stay available for other scans.
struct PreprocessOptions {
  bool normalise_resolution = true;  // rescale to target_dpi when the declared dpi is far off
  int target_dpi = 300;
  bool detect_orientation = true;  // 0/90/180/270 via Tesseract OSD
  bool deskew = true;
  bool suppress_seals = true;  // colour: red-dominant ink; gray: ink lighter than text toner
  // Gray pages: pixels darker than this are toner cores; ink more than 4 px from any core is
  // taken for seal and turned white; 0 turns this off. Corpus toner < ~110, seal ink 150..200.
  int seal_gray_threshold = 0;  // off by default: 110 raised CER on dev_0001 from 0.16 to 0.30
  bool normalise_background = false;  // flatten uneven illumination
  bool clean_border = false;          // whiten dark scanner edges touching the page border
  bool binarise = false;              // Sauvola adaptive threshold to 1 bpp
  std::string tessdata_dir;           // where osd.traineddata lives; empty: Tesseract's default
};

struct PreparedPage {
  PixPtr image;              // 8 bpp gray (or 1 bpp when binarised or bitonal input)
  double skew_degrees = 0;   // skew found on the page; the page was rotated by its negative
  int rotation_degrees = 0;  // clockwise rotation applied to bring the page upright
  std::vector<std::string> steps_applied;
};

Result<PreparedPage> PreparePage(const ScannedPage& page, const PreprocessOptions& options);

}  // namespace dangan::capture
