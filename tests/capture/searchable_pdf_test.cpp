#define BOOST_TEST_MODULE searchable_pdf
#include <boost/test/unit_test.hpp>

// The searchable PDF access copy read back with poppler's tools: pdftotext finds the Chinese text
// line by line in reading order, pdfinfo sees the pages at their size, pdfimages sees each page's
// image (JPEG originals as JPEG, untouched), bad input gives errors, and two threads can render
// at once.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "capture/searchable_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using namespace dangan::capture;
using namespace dangan::testing;

namespace dangan {
std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << ErrorCodeName(code); }
}  // namespace dangan

namespace {

constexpr int kA4W = 2480, kA4H = 3508;  // A4 at 300 dpi

// Non-blank lines, trimmed of spaces and form feeds.
std::vector<std::string> TrimmedLines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\f')) line.pop_back();
    size_t start = line.find_first_not_of(" \f");
    if (start != std::string::npos) out.push_back(line.substr(start));
  }
  return out;
}

// Runs of spaces as one, for matching pdfinfo's aligned columns.
std::string Squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  return out;
}

// A white page with black rectangles where the text would be.
PixPtr MakePage(int depth, int w = kA4W, int h = kA4H) {
  PixPtr pix(pixCreate(w, h, depth));
  if (depth == 1)
    pixClearAll(pix.get());
  else
    pixSetAll(pix.get());
  pixSetResolution(pix.get(), 300, 300);
  for (int i = 0; i < 6; ++i) {
    BOX* box = boxCreate(200, 300 + i * 400, 2000, 120);
    if (depth == 1)
      pixSetInRect(pix.get(), box);
    else
      pixClearInRect(pix.get(), box);
    boxDestroy(&box);
  }
  return pix;
}

// One line of words, each `char_w` pixels per character with `gap` pixels between words.
OcrLine MakeLine(const std::vector<std::string>& words, int left, int top, int char_w, int gap,
                 int height = 90) {
  OcrLine line;
  line.left = left;
  line.top = top;
  line.height = height;
  int x = left;
  for (const auto& text : words) {
    int chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    OcrWord w;
    w.text = text;
    w.left = x;
    w.top = top + 5;
    w.width = chars * char_w;
    w.height = height - 10;
    w.confidence = 90;
    x += w.width + gap;
    line.text += (line.text.empty() ? "" : " ") + text;
    line.words.push_back(w);
  }
  line.width = x - gap - left;
  return line;
}

OcrPage MakeOcr(int w = kA4W, int h = kA4H) {
  OcrPage ocr;
  ocr.width = w;
  ocr.height = h;
  ocr.dpi = 300;
  // A title split where Tesseract tends to split it, with gaps between the words.
  ocr.lines.push_back(MakeLine({"社会", "保险费", "补缴", "申报表"}, 500, 300, 110, 30, 120));
  ocr.lines.push_back(MakeLine({"公民身份号码", "110101199003071234"}, 200, 700, 80, 60));
  ocr.lines.push_back(MakeLine({"Social", "Insurance", "Fee"}, 200, 1100, 45, 35));
  ocr.lines.push_back(MakeLine({"缴费金额：", "1,234.56", "元"}, 200, 1500, 80, 40));
  ocr.lines.push_back(MakeLine({"参保单位", "北京市", "某某有限公司"}, 200, 1900, 80, 8));
  return ocr;
}

std::string WritePdf(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir / name;
  WriteFile(path, bytes);
  return path;
}

struct ImageInfo {
  int page = 0, width = 0, height = 0;
  std::string color, enc;
};

// `pdfimages -list`: page num type width height color comp bpc enc interp object ID ...
std::vector<ImageInfo> Images(const std::string& path) {
  std::vector<ImageInfo> out;
  RunResult r = Run("pdfimages -list " + Quote(path) + " 2>/dev/null");
  std::stringstream ss(r.out);
  std::string line;
  int n = 0;
  while (std::getline(ss, line)) {
    if (++n <= 2) continue;
    std::stringstream ls(line);
    ImageInfo info;
    std::string num, type, comp, bpc;
    ls >> info.page >> num >> type >> info.width >> info.height >> info.color >> comp >> bpc >>
        info.enc;
    if (ls) out.push_back(info);
  }
  return out;
}

std::string JpegOf(Pix* pix, int quality = 75) {
  l_uint8* data = nullptr;
  size_t size = 0;
  BOOST_REQUIRE_EQUAL(pixWriteMemJpeg(&data, &size, pix, quality, 0), 0);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(text_layer_reads_back_in_lines_and_reading_order) {
  TempDir dir;
  PixPtr pix = MakePage(8);
  OcrPage ocr = MakeOcr();
  auto pdf = RenderSearchablePdf({{pix.get(), 300, &ocr, ""}});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  const std::string path = WritePdf(dir, "page.pdf", *pdf);

  const std::vector<std::string> expected = {
      "社会保险费补缴申报表", "公民身份号码 110101199003071234", "Social Insurance Fee",
      "缴费金额：1,234.56 元", "参保单位北京市某某有限公司"};
  for (const char* mode : {"", "-layout "}) {
    RunResult r = Run(std::string("pdftotext ") + mode + Quote(path) + " -");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    // poppler reads it without complaint (libharu's own /ToUnicode map drew a warning).
    BOOST_TEST(r.err.empty(), r.err);
    std::vector<std::string> lines = TrimmedLines(r.out);
    BOOST_TEST_MESSAGE("pdftotext " << mode << ":\n" << r.out);
    if (std::string(mode).empty()) {
      // Plain mode: each OCR line comes out whole, as its own line, in order.
      BOOST_REQUIRE_EQUAL(lines.size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) BOOST_TEST(lines[i] == expected[i]);
    } else {
      size_t last = 0;
      for (const auto& want : expected) {
        size_t at = r.out.find(want);
        BOOST_TEST(at != std::string::npos, "missing in -layout output: " << want);
        if (at != std::string::npos) {
          BOOST_TEST(at >= last, "out of order: " << want);
          last = at;
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(page_count_and_a4_size) {
  TempDir dir;
  PixPtr a = MakePage(8), b = MakePage(1);
  OcrPage ocr = MakeOcr();
  auto pdf = RenderSearchablePdf(
      {{a.get(), 300, &ocr, ""}, {b.get(), 0, &ocr, ""}, {a.get(), 300, nullptr, ""}},
      {"", "社会保险费补缴申报表", ""});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  const std::string path = WritePdf(dir, "three.pdf", *pdf);
  RunResult info = Run("pdfinfo -f 1 -l 3 " + Quote(path) + " 2>/dev/null");
  BOOST_REQUIRE_EQUAL(info.code, 0);
  info.out = Squeeze(info.out);
  BOOST_TEST_MESSAGE(info.out);
  BOOST_TEST(info.out.find("Pages: 3") != std::string::npos);
  for (int p = 1; p <= 3; ++p) {
    std::string want = "Page " + std::to_string(p) + " size: 595.2 x 841.92 pts (A4)";
    BOOST_TEST(info.out.find(want) != std::string::npos, want);
  }
  BOOST_TEST(info.out.find("Title: 社会保险费补缴申报表") != std::string::npos);
  // The text of each page lands on that page: pdftotext separates pages with form feeds.
  RunResult text = Run("pdftotext " + Quote(path) + " - 2>/dev/null");
  std::vector<std::string> pages;
  std::stringstream ss(text.out);
  std::string page;
  while (std::getline(ss, page, '\f')) pages.push_back(page);
  BOOST_REQUIRE_GE(pages.size(), 2u);
  BOOST_TEST(pages[0].find("社会保险费补缴申报表") != std::string::npos);
  BOOST_TEST(pages[1].find("110101199003071234") != std::string::npos);
  BOOST_TEST((pages.size() < 3 || TrimmedLines(pages[2]).empty()));
}

BOOST_AUTO_TEST_CASE(images_are_embedded_losslessly_at_full_size) {
  TempDir dir;
  PixPtr gray = MakePage(8), bitonal = MakePage(1), rgb = MakePage(32);
  OcrPage ocr = MakeOcr();
  auto pdf = RenderSearchablePdf(
      {{gray.get(), 300, &ocr, ""}, {bitonal.get(), 300, &ocr, ""}, {rgb.get(), 300, &ocr, ""}});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  const std::string path = WritePdf(dir, "images.pdf", *pdf);
  std::vector<ImageInfo> images = Images(path);
  BOOST_REQUIRE_EQUAL(images.size(), 3u);
  const char* colors[] = {"gray", "gray", "rgb"};
  const char* encs[] = {"image", "ccitt", "image"};
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(images[i].page == i + 1);
    BOOST_TEST(images[i].width == kA4W);
    BOOST_TEST(images[i].height == kA4H);
    BOOST_TEST(images[i].color == colors[i]);
    BOOST_TEST(images[i].enc == encs[i]);
  }
  // Pixels survive: rendered pages are white where the image is white and black in the boxes,
  // the same on the gray, the bitonal (G4 polarity) and the colour page.
  for (int p = 1; p <= 3; ++p) {
    std::string prefix = dir / ("render" + std::to_string(p));
    RunResult r = Run("pdftoppm -r 30 -gray -f " + std::to_string(p) + " -l " + std::to_string(p) +
                      " -singlefile " + Quote(path) + " " + Quote(prefix) + " 2>/dev/null");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    PixPtr shown(pixRead((prefix + ".pgm").c_str()));
    BOOST_REQUIRE(shown);
    l_uint32 white = 0, black = 0;
    pixGetPixel(shown.get(), 10, 10, &white);   // margin
    pixGetPixel(shown.get(), 100, 34, &black);  // inside the first box (x 200..2200, y 300..420)
    BOOST_TEST(white > 200u, "page " << p);
    BOOST_TEST(black < 50u, "page " << p);
  }
}

BOOST_AUTO_TEST_CASE(jpeg_original_is_embedded_unchanged) {
  TempDir dir;
  PixPtr pix = MakePage(8);
  OcrPage ocr = MakeOcr();
  const std::string jpeg = JpegOf(pix.get());
  auto pdf = RenderSearchablePdf({{pix.get(), 300, &ocr, jpeg}});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  const std::string path = WritePdf(dir, "jpeg.pdf", *pdf);
  std::vector<ImageInfo> images = Images(path);
  BOOST_REQUIRE_EQUAL(images.size(), 1u);
  BOOST_TEST(images[0].enc == "jpeg");
  BOOST_TEST(images[0].width == kA4W);
  BOOST_TEST(images[0].height == kA4H);
  // Byte for byte: pdfimages -j writes the DCT stream out as it is stored.
  RunResult r = Run("pdfimages -j " + Quote(path) + " " + Quote(dir / "img") + " 2>/dev/null");
  BOOST_REQUIRE_EQUAL(r.code, 0);
  BOOST_TEST((ReadFile(dir / "img-000.jpg") == jpeg));
  RunResult text = Run("pdftotext " + Quote(path) + " - 2>/dev/null");
  BOOST_TEST(text.out.find("公民身份号码 110101199003071234") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ocr_boxes_are_scaled_to_the_page) {
  // OCR ran on a half-size image: the text still lands in the same places relative to the page.
  TempDir dir;
  PixPtr pix = MakePage(8);
  OcrPage ocr = MakeOcr(kA4W * 2, kA4H * 2);
  for (auto& line : ocr.lines) {
    line.left *= 2, line.top *= 2, line.width *= 2, line.height *= 2;
    for (auto& w : line.words) w.left *= 2, w.top *= 2, w.width *= 2, w.height *= 2;
  }
  auto pdf = RenderSearchablePdf({{pix.get(), 300, &ocr, ""}});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  const std::string path = WritePdf(dir, "scaled.pdf", *pdf);
  // -bbox gives each word's box in points: the title starts at 500 px = 120 pt from the left.
  RunResult r = Run("pdftotext -bbox " + Quote(path) + " - 2>/dev/null");
  size_t at = r.out.find("社会保险费补缴申报表");
  BOOST_REQUIRE(at != std::string::npos);
  size_t xmin = r.out.rfind("xMin=\"", at);
  BOOST_REQUIRE(xmin != std::string::npos);
  double x = std::stod(r.out.substr(xmin + 6));
  BOOST_TEST(x > 118.0);
  BOOST_TEST(x < 122.0);
}

BOOST_AUTO_TEST_CASE(odd_text_does_not_cost_the_page_its_text) {
  TempDir dir;
  PixPtr pix = MakePage(8);
  OcrPage ocr;
  ocr.width = kA4W;
  ocr.height = kA4H;
  // Invalid UTF-8, a character beyond the BMP, control characters, an empty word, a line with
  // text but no words, and a degenerate box.
  ocr.lines.push_back(MakeLine({"姓名", "张\xFF三", "𠀀", "\t", ""}, 200, 300, 80, 20));
  OcrLine bare;
  bare.text = "经办机构";
  bare.left = 200, bare.top = 700, bare.width = 400, bare.height = 90;
  ocr.lines.push_back(bare);
  ocr.lines.push_back(MakeLine({"零宽"}, 200, 1100, 0, 0));
  auto pdf = RenderSearchablePdf({{pix.get(), 300, &ocr, ""}});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  RunResult r = Run("pdftotext " + Quote(WritePdf(dir, "odd.pdf", *pdf)) + " - 2>/dev/null");
  BOOST_TEST(r.out.find("姓名") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("经办机构") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("零宽") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(bad_input_is_an_error_value) {
  PixPtr pix = MakePage(8);
  OcrPage ocr = MakeOcr();

  auto empty = RenderSearchablePdf({});
  BOOST_REQUIRE(!empty.ok());
  BOOST_TEST(empty.status().code() == ErrorCode::kInvalidArgument);

  auto null_image = RenderSearchablePdf({{pix.get(), 300, &ocr, ""}, {nullptr, 300, &ocr, ""}});
  BOOST_REQUIRE(!null_image.ok());
  BOOST_TEST(null_image.status().code() == ErrorCode::kInvalidArgument);
  BOOST_REQUIRE_EQUAL(null_image.status().fields().size(), 1u);
  BOOST_TEST(null_image.status().fields()[0].field == "pages[1].image");

  auto bad_jpeg = RenderSearchablePdf({{pix.get(), 300, &ocr, "not a jpeg at all"}});
  BOOST_REQUIRE(!bad_jpeg.ok());
  BOOST_TEST(bad_jpeg.status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST_MESSAGE(bad_jpeg.status().ToString());

  // A JPEG of the page before it was rotated would misplace every word.
  PixPtr rotated(pixRotate90(pix.get(), 1));
  auto wrong_shape = RenderSearchablePdf({{pix.get(), 300, &ocr, JpegOf(rotated.get())}});
  BOOST_REQUIRE(!wrong_shape.ok());
  BOOST_TEST(wrong_shape.status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST_MESSAGE(wrong_shape.status().ToString());

  auto tiny = RenderSearchablePdf({{pix.get(), 100000, &ocr, ""}});
  BOOST_REQUIRE(!tiny.ok());
  BOOST_TEST(tiny.status().code() == ErrorCode::kInvalidArgument);

  auto no_font =
      RenderSearchablePdf({{pix.get(), 300, &ocr, ""}}, {"/nonexistent/font.ttf", "", ""});
  BOOST_REQUIRE(!no_font.ok());
  BOOST_TEST(no_font.status().code() == ErrorCode::kInvalidArgument);

  TempDir dir;
  WriteFile(dir / "junk.ttf", std::string(4096, 'x'));
  auto junk_font = RenderSearchablePdf({{pix.get(), 300, &ocr, ""}}, {dir / "junk.ttf", "", ""});
  BOOST_REQUIRE(!junk_font.ok());
  BOOST_TEST(junk_font.status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST_MESSAGE(junk_font.status().ToString());
}

BOOST_AUTO_TEST_CASE(two_threads_render_at_once) {
  TempDir dir;
  PixPtr gray = MakePage(8), bitonal = MakePage(1);
  OcrPage ocr = MakeOcr();
  const std::string jpeg = JpegOf(gray.get());
  constexpr int kRounds = 3;
  std::vector<std::string> results[2];
  std::vector<std::string> errors[2];
  auto work = [&](int t) {
    for (int i = 0; i < kRounds; ++i) {
      // Shared read-only inputs on purpose: the same Pix and OcrPage in both threads.
      auto pdf = RenderSearchablePdf(
          {{gray.get(), 300, &ocr, t == 0 ? jpeg : ""}, {bitonal.get(), 300, &ocr, ""}});
      if (pdf.ok())
        results[t].push_back(std::move(*pdf));
      else
        errors[t].push_back(pdf.status().ToString());
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  for (int t = 0; t < 2; ++t) {
    BOOST_TEST(errors[t].empty());
    BOOST_REQUIRE_EQUAL(results[t].size(), static_cast<size_t>(kRounds));
    // Same input, same bytes every round (no state leaks between concurrent documents)...
    for (const auto& r : results[t]) BOOST_TEST((r == results[t][0]));
    // ...and the result is a good PDF.
    RunResult text =
        Run("pdftotext " + Quote(WritePdf(dir, "t" + std::to_string(t) + ".pdf", results[t][0])) +
            " - 2>/dev/null");
    BOOST_TEST(text.out.find("社会保险费补缴申报表") != std::string::npos);
    BOOST_TEST(text.out.find("公民身份号码 110101199003071234") != std::string::npos);
  }
}

// Not a pass/fail check: the cost of a page, shown with --log_level=message.
BOOST_AUTO_TEST_CASE(cost_per_a4_page) {
  PixPtr clean = MakePage(8), bitonal = MakePage(1);
  // Paper texture makes Flate's job realistic; a clean synthetic page compresses unrealistically.
  PixPtr noisy = MakePage(8);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 6);
  for (int y = 0; y < kA4H; ++y) {
    l_uint32* line = pixGetData(noisy.get()) + y * pixGetWpl(noisy.get());
    for (int x = 0; x < kA4W; ++x) {
      int v = static_cast<int>(GET_DATA_BYTE(line, x)) + static_cast<int>(noise(rng));
      SET_DATA_BYTE(line, x, std::clamp(v, 0, 255));
    }
  }
  OcrPage ocr = MakeOcr();
  const std::string jpeg = JpegOf(noisy.get(), 85);
  struct Case {
    const char* name;
    SearchablePage page;
  } cases[] = {{"JPEG original (q85, textured)", {noisy.get(), 300, &ocr, jpeg}},
               {"raw gray (clean)", {clean.get(), 300, &ocr, ""}},
               {"raw gray (textured)", {noisy.get(), 300, &ocr, ""}},
               {"bitonal G4", {bitonal.get(), 300, &ocr, ""}}};
  constexpr int kPages = 4;
  for (const auto& c : cases) {
    auto start = std::chrono::steady_clock::now();
    auto one = RenderSearchablePdf({c.page});
    auto mid = std::chrono::steady_clock::now();
    auto many = RenderSearchablePdf(std::vector<SearchablePage>(kPages, c.page));
    auto end = std::chrono::steady_clock::now();
    BOOST_REQUIRE(one.ok());
    BOOST_REQUIRE(many.ok());
    using ms = std::chrono::duration<double, std::milli>;
    const double per_page_ms = ms(end - mid).count() / kPages;
    const size_t per_page_bytes = (many->size() - one->size()) / (kPages - 1);
    BOOST_TEST_MESSAGE(c.name << ": 1-page PDF " << ms(mid - start).count() << " ms, "
                              << one->size() << " bytes; " << kPages << "-page PDF " << per_page_ms
                              << " ms/page, +" << per_page_bytes << " bytes per extra page"
                              << (c.page.original_jpeg.empty()
                                      ? ""
                                      : " (JPEG " + std::to_string(jpeg.size()) + " bytes)"));
  }
}
