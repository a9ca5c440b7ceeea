#define BOOST_TEST_MODULE ocr_engine_pool
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "capture/ocr_engine_pool.h"
#include "capture/page_preprocessing.h"
#include "capture/scanned_document.h"

using namespace dangan;
using namespace dangan::capture;

namespace {

const std::string kSample = DANGAN_SOURCE_DIR "/tests/data/corpus/";

std::string TruthText(const std::string& file) {
  std::ifstream in(kSample + "truth.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto obj = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    if (obj->getValue<std::string>("file") == file) return obj->getValue<std::string>("text");
  }
  BOOST_FAIL("no truth for " + file);
  return "";
}

std::u32string CodePointsWithoutSpace(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += len;
    if (cp != ' ' && cp != '\n' && cp != '\t' && cp != '\r' && cp != 0x3000) out += cp;
  }
  return out;
}

// As shared/corpus/score.py: edit distance over characters without whitespace / truth length.
double CharacterErrorRate(const std::string& truth, const std::string& text) {
  const std::u32string a = CodePointsWithoutSpace(truth), b = CodePointsWithoutSpace(text);
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return static_cast<double>(prev[b.size()]) / static_cast<double>(std::max<size_t>(1, a.size()));
}

PixPtr PreparedFirstPage(const std::string& file) {
  auto doc = LoadScannedDocument(kSample + file);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  auto prepared = PreparePage(doc->pages.front(), PreprocessOptions{});
  BOOST_REQUIRE_MESSAGE(prepared.ok(), prepared.status().ToString());
  return std::move(prepared->image);
}

// One pool for the whole suite: loading chi_sim+eng takes about a second per engine.
OcrEnginePool& Pool() {
  static std::unique_ptr<OcrEnginePool> pool = [] {
    auto opened = OcrEnginePool::Open(2, OcrOptions{});
    BOOST_REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    return std::move(opened).value();
  }();
  return *pool;
}

}  // namespace

BOOST_AUTO_TEST_CASE(words_are_joined_without_spaces_between_han_characters) {
  BOOST_TEST(JoinOcrWords({"社", "会", "保险", "费"}) == "社会保险费");
  BOOST_TEST(JoinOcrWords({"公民身份号码", "110101199003077777"}) ==
             "公民身份号码 110101199003077777");
  BOOST_TEST(JoinOcrWords({"编号", "：", "12345"}) == "编号：12345");
  BOOST_TEST(JoinOcrWords({"No.", "A12", "x"}) == "No. A12 x");
  BOOST_TEST(JoinOcrWords({}) == "");
}

BOOST_AUTO_TEST_CASE(open_refuses_bad_arguments) {
  BOOST_TEST(!OcrEnginePool::Open(0, OcrOptions{}).ok());
  OcrOptions missing;
  missing.languages = "no_such_language";
  BOOST_TEST(!OcrEnginePool::Open(1, missing).ok());
}

BOOST_AUTO_TEST_CASE(a_corpus_page_is_read_with_low_error) {
  PixPtr page = PreparedFirstPage("dev_0001.jpg");
  auto ocr = Pool().Recognise(*page);
  BOOST_REQUIRE_MESSAGE(ocr.ok(), ocr.status().ToString());
  const double cer = CharacterErrorRate(TruthText("dev_0001.jpg"), ocr->text);
  BOOST_TEST_MESSAGE("dev_0001 CER " << cer);
  BOOST_TEST(cer < 0.20);  // plain tesseract: 0.13 on this page
  BOOST_TEST(ocr->text.find("440106197108072178") != std::string::npos);
  BOOST_REQUIRE(!ocr->lines.empty());
  BOOST_TEST(ocr->width == pixGetWidth(page.get()));
  for (const auto& line : ocr->lines) {
    BOOST_TEST(!line.words.empty());
    BOOST_TEST(line.width > 0);
    for (const auto& word : line.words) {
      BOOST_TEST(word.confidence >= 0);
      BOOST_TEST(word.confidence <= 100);
    }
  }
  BOOST_TEST(ocr->mean_confidence > 50);
}

BOOST_AUTO_TEST_CASE(concurrent_recognition_matches_serial) {
  // Strips of two pages keep the test short while still giving each engine real work.
  std::vector<PixPtr> strips;
  for (const char* file : {"dev_0005.jpg", "dev_0006.jpg"}) {
    PixPtr page = PreparedFirstPage(file);
    for (int top : {300, 1300}) {
      BOX* box = boxCreate(0, top, pixGetWidth(page.get()), 700);
      strips.emplace_back(pixClipRectangle(page.get(), box, nullptr));
      boxDestroy(&box);
    }
  }
  std::vector<std::string> serial;
  for (const auto& strip : strips) {
    auto ocr = Pool().Recognise(*strip);
    BOOST_REQUIRE(ocr.ok());
    BOOST_TEST(!ocr->text.empty());
    serial.push_back(ocr->text);
  }
  std::vector<std::string> parallel(strips.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < strips.size(); ++i) {
    threads.emplace_back([&, i] {
      auto ocr = Pool().Recognise(*strips[i]);
      if (ocr.ok()) parallel[i] = ocr->text;
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < strips.size(); ++i) BOOST_TEST(parallel[i] == serial[i]);
}

BOOST_AUTO_TEST_CASE(an_empty_or_odd_image_gives_a_status) {
  PixPtr tiny(pixCreate(1, 1, 8));
  pixSetAllArbitrary(tiny.get(), 255);
  auto blank = Pool().Recognise(*tiny);
  BOOST_REQUIRE(blank.ok());
  BOOST_TEST(blank->text.empty());
  PixPtr four_bit(pixCreate(10, 10, 4));
  BOOST_TEST(!Pool().Recognise(*four_bit).ok());
}
