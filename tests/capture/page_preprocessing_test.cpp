#define BOOST_TEST_MODULE page_preprocessing
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "capture/page_preprocessing.h"
#include "capture/scanned_document.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using namespace dangan::capture;
using dangan::testing::ReadFile;
using dangan::testing::TempDir;
using dangan::testing::WriteFile;

namespace {

const std::string kSample = DANGAN_SOURCE_DIR "/tests/data/corpus/";

ScannedPage LoadFirstPage(const std::string& name) {
  auto doc = LoadScannedDocument(kSample + name);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  return std::move(doc->pages.front());
}

ScannedPage WrapImage(PixPtr image) {
  ScannedPage page;
  page.width = pixGetWidth(image.get());
  page.height = pixGetHeight(image.get());
  page.dpi = 300;
  page.colour_mode = "grayscale";
  page.compression = "none";
  page.image = std::move(image);
  return page;
}

PreprocessOptions Only() {
  PreprocessOptions o;
  o.detect_orientation = o.deskew = o.suppress_seals = o.normalise_resolution = false;
  o.normalise_background = o.clean_border = o.binarise = false;
  return o;
}

// An upright, straight page: the corpus page after deskewing.
PixPtr StraightPage(const std::string& name) {
  PreprocessOptions o = Only();
  o.deskew = true;
  auto prepared = PreparePage(LoadFirstPage(name), o);
  BOOST_REQUIRE(prepared.ok());
  return std::move(prepared->image);
}

int CountDarker(Pix* gray, int x, int y, int w, int h, int level) {
  int n = 0;
  for (int j = y; j < y + h; ++j) {
    for (int i = x; i < x + w; ++i) {
      l_uint32 v = 0;
      pixGetPixel(gray, i, j, &v);
      if (static_cast<int>(v) < level) ++n;
    }
  }
  return n;
}

uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(loads_multipage_jpeg_in_tiff_with_its_digitisation_attributes) {
  auto doc = LoadScannedDocument(kSample + "dev_0002.tif");
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  BOOST_TEST(doc->format == "TIFF");
  BOOST_REQUIRE_EQUAL(doc->pages.size(), 2u);
  for (const auto& page : doc->pages) {
    BOOST_TEST(page.compression == "JPEG");
    BOOST_TEST(page.colour_mode == "grayscale");
    BOOST_TEST(page.dpi == 300);
    BOOST_TEST(page.width == 2480);
    BOOST_TEST(page.height == 3508);
  }
  auto jpeg = LoadScannedDocument(kSample + "dev_0001.jpg");
  BOOST_REQUIRE(jpeg.ok());
  BOOST_TEST(jpeg->format == "JPEG");
  BOOST_TEST(jpeg->pages.at(0).dpi == 300);
}

BOOST_AUTO_TEST_CASE(format_comes_from_magic_bytes_not_the_extension) {
  TempDir dir;
  WriteFile(dir / "scan.png", ReadFile(kSample + "dev_0001.jpg"));
  auto doc = LoadScannedDocument(dir / "scan.png");
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc->format == "JPEG");
}

BOOST_AUTO_TEST_CASE(a_document_too_large_to_decode_is_refused_before_decoding) {
  // dev_0002.tif: two gray A4 pages, about 17 MB decoded.
  auto fits = LoadScannedDocument(kSample + "dev_0002.tif", 20ll << 20);
  BOOST_TEST(fits.ok());
  auto refused = LoadScannedDocument(kSample + "dev_0002.tif", 10ll << 20);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST((refused.status().code() == ErrorCode::kTooLarge));
  BOOST_TEST(refused.status().message().find("split it") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(png_and_jpeg_pages_too_large_to_decode_are_refused_before_decoding) {
  // Found while writing the image fuzz target: the decoded-size bound was applied to TIFF and
  // PDF only, so a small PNG or JPEG (a blank 3000x3000 page compresses to a few KB) decoded in
  // full whatever the caller allowed.
  PixPtr blank(pixCreate(3000, 3000, 8));
  pixSetAllArbitrary(blank.get(), 255);
  l_uint8* data = nullptr;
  size_t size = 0;
  BOOST_REQUIRE(pixWriteMemPng(&data, &size, blank.get(), 0.0) == 0);
  const std::string png(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  BOOST_REQUIRE(pixWriteMemJpeg(&data, &size, blank.get(), 75, 0) == 0);
  const std::string jpeg(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  for (const auto& [name, bytes] : {std::pair{"png", png}, std::pair{"jpeg", jpeg}}) {
    BOOST_TEST(bytes.size() < (1u << 20), name);
    auto refused = DecodeScannedDocument(bytes, 1ll << 20);
    BOOST_REQUIRE_MESSAGE(!refused.ok(), name);
    BOOST_TEST((refused.status().code() == ErrorCode::kTooLarge), name);
    BOOST_TEST(refused.status().message().find("split it") != std::string::npos, name);
    auto fits = DecodeScannedDocument(bytes, 10ll << 20);
    BOOST_REQUIRE_MESSAGE(fits.ok(), name << ": " << fits.status().ToString());
    BOOST_TEST(fits->pages.at(0).width == 3000);
  }
}

// Found by the image fuzzer: a 429-byte PDF naming object 25555555 made poppler size its
// cross-reference table for 25 million objects (14 s, 1.2 GB) before failing. Such a file is
// refused before poppler sees it; a well-formed PDF with the same content still decodes.
BOOST_AUTO_TEST_CASE(a_pdf_with_absurd_object_numbers_is_refused_at_once) {
  auto pdf = [](const std::string& pages_object) {
    return "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + pages_object +
           " 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
           "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 24 32] /Conte /Resources << >> "
           ">>\nendobj\n4 0 obj\n<< /Length 42 >>\nstream\n0.2 g 2 2 20 4 f 0 0 1 rg 4 10 8 8 re "
           "f\nendstream\nendobj\nxref\n0 5\n058 00000 n \n0000000115 00000 n \n00000 n "
           "\n0000000217 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n309\n%%EOF\n";
  };
  const auto started = std::chrono::steady_clock::now();
  auto bomb = DecodeScannedDocument(pdf("25555555"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_REQUIRE(!bomb.ok());
  BOOST_TEST(bomb.status().message().find("numbers its objects") != std::string::npos,
             bomb.status().ToString());
  BOOST_TEST(seconds < 1.0);
  std::string huge_size = pdf("2");
  huge_size.replace(huge_size.find("/Size 5"), 7, "/Size 90000000");
  BOOST_TEST(!DecodeScannedDocument(huge_size).ok());
  // The same file with its objects numbered as written gets past the check to poppler.
  auto plain = DecodeScannedDocument(pdf("2"));
  if (!plain.ok())
    BOOST_TEST(plain.status().message().find("numbers its objects") == std::string::npos);
}

// Found by the image fuzzer: "/Size" with NUL bytes before its number (PDF white space, which
// the check above did not skip) had poppler reserve 2.7 GB. Every way a file can size poppler's
// cross-reference table is checked, with white space and comments between tokens.
BOOST_AUTO_TEST_CASE(every_way_to_size_the_cross_reference_table_is_checked) {
  const std::string head =
      "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages "
      "/Kids [] /Count 0 >>\nendobj\n";
  auto refused = [](const std::string& pdf) {
    const auto started = std::chrono::steady_clock::now();
    auto r = DecodeScannedDocument(pdf);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(seconds < 5.0);  // not the seconds and gigabytes poppler would take
    return !r.ok() && r.status().message().find("numbers its objects") != std::string::npos;
  };
  const std::string nul(3, '\0');
  BOOST_TEST(refused(head + "trailer\n<< /Size" + nul + " 21626458 /Root 1 0 R >>\n"));
  BOOST_TEST(refused(head + "trailer\n<< /Size % a comment\n 21626458 /Root 1 0 R >>\n"));
  BOOST_TEST(refused(head + "trailer\n<< /Size +21626458 /Root 1 0 R >>\n"));
  BOOST_TEST(refused(head + "trailer\n<< /Si#7Ae 21626458 /Root 1 0 R >>\n"));
  BOOST_TEST(refused(head + "trailer\n<</Size 21626458/Root 1 0 R>>\n"));
  BOOST_TEST(refused(head + "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
                            "30000000 2\n0000000058 00000 n \n0000000058 00000 n \ntrailer\n"));
  BOOST_TEST(refused(head + "5 0 obj\n<< /Type /XRef /Index [0 3 30000000 1] /W [1 2 1] >>\n"));
  BOOST_TEST(refused(head + "6 0 obj\n<< /Type /ObjStm /N 30000000 /First 4 >>\n"));
  // poppler rebuilding a broken table reads lines as C strings: a NUL or "endobj" ends one, and
  // "N G obj" may go on in the next line.
  BOOST_TEST(refused(head + "30000000" + nul + "junk\n0 obj\n<< >>\nendobj\n"));
  BOOST_TEST(refused(head + "30000000endobj\n0 obj\n<< >>\nendobj\n"));
  BOOST_TEST(refused(head + "30000000\n0\nobj\n<< >>\nendobj\n"));
  // A table's header is read as a header, whatever follows it; a table that a pointer finds
  // inside "startxref" too.
  BOOST_TEST(refused(head + "xref\n30000000 2 f\n"));
  BOOST_TEST(refused(head + "xref\n0 1\n0000000000 65535 f \n30000000 2 n\n"));
  const std::string tail = "startxref\n30000000 2\n0000000000 65535 f \n";
  BOOST_TEST(
      refused(head + tail + "trailer\n<< /Prev " + std::to_string(head.size() + 5) + " >>\n"));
  // The file the fuzzer wrote, replayed.
  BOOST_TEST(refused(ReadFile(std::string(DANGAN_SOURCE_DIR) +
                              "/tests/fuzz/corpus/image/crash-oom-pdf-size-after-nul.pdf")));
  // What is not a size is not read as one: a far startxref offset, a longer name, a real table.
  std::string padded = head + "% " + std::string(400000, 'x') + "\n";
  BOOST_TEST(!refused(padded + "xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n"
                               "0000000058 00000 n \ntrailer\n<< /Size 3 /Sizes 90000000 >>\n"
                               "startxref\n390000\n%%EOF\n7 0 obj\n<< /Names 90000000 >>\n"
                               "8 0 obj\n390000\nendobj\n9 0 obj\n<< /Length 8 0 R >>\n"));
}

BOOST_AUTO_TEST_CASE(corrupt_files_give_a_status_not_a_crash) {
  TempDir dir;
  const std::string jpeg = ReadFile(kSample + "dev_0001.jpg");
  const std::string tiff = ReadFile(kSample + "dev_0002.tif");
  std::mt19937 rng(42);
  std::string noise(5000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  std::string png_header = "\x89PNG\r\n\x1a\n";
  std::string ihdr =
      "IHDR" + BigEndian(100000) + BigEndian(100000) + std::string("\x08\x00\x00\x00\x00", 5);
  png_header += BigEndian(13) + ihdr + BigEndian(Crc32(ihdr));
  const std::pair<std::string, std::string> cases[] = {
      {"empty.jpg", ""},
      {"random.bin", noise},
      {"truncated.jpg", jpeg.substr(0, jpeg.size() / 2)},
      {"header_only.jpg", jpeg.substr(0, 600)},
      {"truncated.tif", tiff.substr(0, tiff.size() / 3)},
      {"tiff_header_only.tif", tiff.substr(0, 8)},
      {"huge.png", png_header},
      {"fake.pdf", "%PDF-1.4\n" + noise},
  };
  for (const auto& [name, bytes] : cases) {
    WriteFile(dir / name, bytes);
    auto doc = LoadScannedDocument(dir / name);
    BOOST_TEST(!doc.ok(), name << " was accepted");
    if (!doc.ok()) BOOST_TEST_MESSAGE(name << ": " << doc.status().ToString());
  }
  auto huge = DecodeScannedDocument(png_header);
  BOOST_REQUIRE(!huge.ok());
  BOOST_TEST(static_cast<int>(huge.status().code()) == static_cast<int>(ErrorCode::kTooLarge));
  BOOST_TEST(!LoadScannedDocument(dir / "missing.tif").ok());
}

BOOST_AUTO_TEST_CASE(deskew_recovers_a_known_angle) {
  PixPtr straight = StraightPage("dev_0001.jpg");
  for (float degrees : {1.7f, -1.2f}) {
    PixPtr tilted(pixRotate(straight.get(), degrees * 3.14159265f / 180.0f, L_ROTATE_AREA_MAP,
                            L_BRING_IN_WHITE, 0, 0));
    PreprocessOptions o = Only();
    o.deskew = true;
    auto prepared = PreparePage(WrapImage(std::move(tilted)), o);
    BOOST_REQUIRE(prepared.ok());
    BOOST_TEST(std::abs(prepared->skew_degrees - degrees) <= 0.3,
               "found " << prepared->skew_degrees << "° for " << degrees << "°");
  }
}

BOOST_AUTO_TEST_CASE(turned_pages_are_brought_upright) {
  PixPtr straight = StraightPage("dev_0005.jpg");
  for (int quads : {1, 2, 3}) {
    PreprocessOptions o = Only();
    o.detect_orientation = true;
    auto prepared = PreparePage(WrapImage(PixPtr(pixRotateOrth(straight.get(), quads))), o);
    BOOST_REQUIRE(prepared.ok());
    BOOST_TEST(prepared->rotation_degrees == (4 - quads) * 90);
    l_int32 same = 0;
    pixEqual(prepared->image.get(), straight.get(), &same);
    BOOST_TEST(same == 1, "page turned by " << quads * 90 << "° is not upright again");
  }
  PreprocessOptions o = Only();
  o.detect_orientation = true;
  auto upright = PreparePage(WrapImage(PixPtr(pixCopy(nullptr, straight.get()))), o);
  BOOST_REQUIRE(upright.ok());
  BOOST_TEST(upright->rotation_degrees == 0);
}

BOOST_AUTO_TEST_CASE(gray_seal_ink_goes_and_text_stays) {
  // dev_0001's first seal: its star sits at the recorded centre moved by the page's margin shift.
  ScannedPage page = LoadFirstPage("dev_0001.jpg");
  Pix* before = page.image.get();
  const int star_x = 1970 - 55 - 25, star_y = 1346 - 28 - 25;
  const int star_before = CountDarker(before, star_x, star_y, 50, 50, 215);
  const int text_before = CountDarker(before, 0, 0, 2480, 3508, 110);
  PreprocessOptions o = Only();
  o.suppress_seals = true;
  o.seal_gray_threshold = 110;
  auto prepared = PreparePage(page, o);
  BOOST_REQUIRE(prepared.ok());
  const int star_after = CountDarker(prepared->image.get(), star_x, star_y, 50, 50, 215);
  const int text_after = CountDarker(prepared->image.get(), 0, 0, 2480, 3508, 110);
  BOOST_TEST(star_before > 1000);
  BOOST_TEST(star_after < star_before / 20);
  BOOST_TEST(text_after == text_before);
}

BOOST_AUTO_TEST_CASE(red_seal_on_colour_is_removed_before_gray_conversion) {
  PixPtr rgb(pixCreate(200, 100, 32));
  pixSetAllArbitrary(rgb.get(), 0xffffff00);
  BOX* red = boxCreate(20, 20, 60, 60);
  BOX* black = boxCreate(120, 20, 60, 60);
  pixSetInRectArbitrary(rgb.get(), red, 0xd0303000);
  pixSetInRectArbitrary(rgb.get(), black, 0x20202000);
  boxDestroy(&red);
  boxDestroy(&black);
  ScannedPage page = WrapImage(std::move(rgb));
  page.colour_mode = "color";
  PreprocessOptions o = Only();
  o.suppress_seals = true;
  auto prepared = PreparePage(page, o);
  BOOST_REQUIRE(prepared.ok());
  BOOST_TEST(CountDarker(prepared->image.get(), 20, 20, 60, 60, 200) == 0);
  BOOST_TEST(CountDarker(prepared->image.get(), 120, 20, 60, 60, 100) == 3600);
}
