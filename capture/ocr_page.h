// OcrPage: what Tesseract recognised on one page: text in reading order plus every word with its
// box (in the pixel coordinates of the image that was recognised) and confidence.
// Plain values; safe to copy and share.
#pragma once

#include <string>
#include <vector>

namespace dangan::capture {

struct OcrWord {
  std::string text;  // UTF-8
  int left = 0, top = 0, width = 0, height = 0;
  float confidence = 0;  // 0..100, as Tesseract reports it
};

struct OcrLine {
  std::string text;  // the words of one text line, spaces between Han characters removed
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<OcrWord> words;
};

struct OcrPage {
  int width = 0, height = 0;  // of the recognised image, in pixels
  int dpi = 300;
  std::string text;  // lines joined by '\n', reading order
  std::vector<OcrLine> lines;
  float mean_confidence = 0;  // 0..100
};

}  // namespace dangan::capture
