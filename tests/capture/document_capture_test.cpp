// DocumentCapture as a whole on real scans: an upside-down page is turned before it is read, and
// the steps of a document (pages, classification, fields, access copy) come out together.
#define BOOST_TEST_MODULE document_capture
#include <boost/test/unit_test.hpp>

#include <string>

#include "capture/document_capture.h"
#include "capture/pix.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using namespace dangan::capture;

namespace {

const std::string kScans = DANGAN_SOURCE_DIR "/tests/data/corpus/";

struct Pipeline {
  Pipeline() {
    scheme = std::make_unique<ClassificationScheme>(ClassificationScheme::LoadBuiltin().value());
    classifier = std::make_unique<DocumentClassifier>(DocumentClassifier::FromScheme(*scheme));
    pool = std::move(OcrEnginePool::Open(1, OcrOptions{}).value());
    capture = std::make_unique<DocumentCapture>(*scheme, *classifier, *pool, CaptureOptions{});
  }
  std::unique_ptr<ClassificationScheme> scheme;
  std::unique_ptr<DocumentClassifier> classifier;
  std::unique_ptr<OcrEnginePool> pool;
  std::unique_ptr<DocumentCapture> capture;
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_upside_down_scan_is_turned_and_read) {
  Pipeline p;
  testing::TempDir dir;
  PixPtr page(pixRead((kScans + "dev_0005.jpg").c_str()));
  BOOST_REQUIRE(page);
  PixPtr turned(pixRotate180(nullptr, page.get()));
  const std::string path = dir / "turned.png";
  BOOST_REQUIRE_EQUAL(pixWrite(path.c_str(), turned.get(), IFF_PNG), 0);

  auto doc = p.capture->Capture(path);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  BOOST_REQUIRE_EQUAL(doc->pages.size(), 1u);
  BOOST_TEST(doc->pages[0].rotation_degrees == 180);
  BOOST_TEST(doc->classification.item_code == "0201");  // 缴费申报/核定, as the truth says
  BOOST_TEST(doc->format == "PNG");
  BOOST_TEST(doc->access_pdf.rfind("%PDF-", 0) == 0);
}

BOOST_AUTO_TEST_CASE(an_upright_scan_is_read_once_and_keeps_its_properties) {
  Pipeline p;
  auto doc = p.capture->Capture(kScans + "dev_0002.tif");
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  BOOST_TEST(doc->pages.size() == 2u);  // a two-page TIFF is one document
  BOOST_TEST(doc->pages[0].rotation_degrees == 0);
  BOOST_TEST(doc->digitization.dpi == 300);
  BOOST_TEST(doc->digitization.pages == 2);
  BOOST_TEST(doc->digitization.colour_mode == "grayscale");
  BOOST_TEST(doc->digitization.compression == "JPEG");
  BOOST_TEST(doc->classification.item_code == "0203");  // 错缴退费申请
  BOOST_TEST(!doc->title.empty());
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_an_image_is_an_error_not_a_crash) {
  Pipeline p;
  testing::TempDir dir;
  testing::WriteFile(dir / "note.pdf", "%PDF-1.4 this is not a real PDF");
  auto doc = p.capture->Capture(dir / "note.pdf");
  BOOST_TEST(!doc.ok());
}

BOOST_AUTO_TEST_CASE(a_scanned_pdf_is_rasterised_and_read_like_its_image) {
  Pipeline p;
  testing::TempDir dir;
  auto from_jpeg = p.capture->Capture(kScans + "dev_0001.jpg");
  BOOST_REQUIRE_MESSAGE(from_jpeg.ok(), from_jpeg.status().ToString());
  // Its access copy is a PDF holding the page image: a scanned PDF as a counter scanner makes.
  testing::WriteFile(dir / "scan.pdf", from_jpeg->access_pdf);
  auto from_pdf = p.capture->Capture(dir / "scan.pdf");
  BOOST_REQUIRE_MESSAGE(from_pdf.ok(), from_pdf.status().ToString());
  BOOST_TEST(from_pdf->format == "PDF");
  BOOST_TEST(from_pdf->pages.size() == 1u);
  BOOST_TEST(from_pdf->classification.item_code == from_jpeg->classification.item_code);
  BOOST_TEST(from_pdf->fields.id_numbers == from_jpeg->fields.id_numbers);
}
