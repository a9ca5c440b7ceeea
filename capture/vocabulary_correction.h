// VocabularyCorrection: repairs OCR misreadings of known words (item titles, form labels, common
// field words from the classification scheme) without inventing text: a span is replaced only when
// it differs from exactly one vocabulary entry (of at least 3 characters) by one substituted Han
// character that occurs nowhere in the vocabulary, and no other entry disagrees. Digits and ASCII
// are never touched.
// Immutable after construction; Correct() is const and safe to call from many threads.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archive/scheme.h"

namespace dangan::capture {

struct VocabularyFix {
  std::string original;  // the span as OCRed
  std::string corrected;
  size_t offset = 0;  // byte offset of the span in the input text
};

struct CorrectedText {
  std::string text;
  std::vector<VocabularyFix> fixes;
};

class VocabularyCorrection {
 public:
  // Vocabulary: the scheme's item names, aliases and keywords, non-record aliases and keywords,
  // plus the common form labels built in (姓名, 公民身份号码, 单位名称, …).
  static VocabularyCorrection FromScheme(const ClassificationScheme& scheme);
  explicit VocabularyCorrection(std::vector<std::string> words);

  CorrectedText Correct(std::string_view text) const;
  size_t size() const { return words_.size(); }

 private:
  std::vector<std::u32string> words_;  // distinct, at least 3 characters
  std::set<char32_t> known_chars_;     // every character of the vocabulary
};

}  // namespace dangan::capture
