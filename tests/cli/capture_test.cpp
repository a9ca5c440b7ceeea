// End to end: real scans from the synthetic corpus through the real `dangan capture` (Leptonica,
// Tesseract chi_sim, the classifier, libharu) into a real archive; accuracy against the
// corpus ground truth; the package's text file and searchable PDF hold the recognised text; the
// review queue files, rejects and teaches.
#define BOOST_TEST_MODULE capture_cli
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace dangan::testing;
using Poco::JSON::Array;
using Poco::JSON::Object;

const std::string kCorpus = std::string(DANGAN_SOURCE_DIR) + "/tests/data/corpus";

Object::Ptr Parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Object::Ptr>();
}

struct Truth {
  std::string category, item, retention, text;
  std::set<std::string> ids;
};

std::map<std::string, Truth> LoadTruth() {
  std::map<std::string, Truth> out;
  std::ifstream in(kCorpus + "/truth.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto o = Parse(line);
    Truth t;
    t.category = o->getValue<std::string>("category_code");
    t.item = o->getValue<std::string>("scheme_item");
    t.retention = o->getValue<std::string>("retention_code");
    t.text = o->getValue<std::string>("text");
    auto fields = o->getObject("fields");
    if (fields && fields->has("公民身份号码")) {
      auto ids = fields->getArray("公民身份号码");
      for (size_t i = 0; ids && i < ids->size(); ++i) t.ids.insert(ids->getElement<std::string>(i));
    }
    out[o->getValue<std::string>("file")] = t;
  }
  return out;
}

class Scans {
 public:
  Scans() : root_(dir_ / "archive"), scans_(dir_ / "scans"), scratch_(dir_ / "scratch") {
    fs::create_directories(scans_);
    fs::create_directories(scratch_);
  }
  RunResult Dangan(const std::string& args) const {
    return Shell(dir_.path(), scratch_,
                 Quote(DANGAN_BINARY) + " --root " + Quote(root_) + " " + args);
  }
  void Add(const std::string& name, const std::string& as = "") const {
    fs::copy_file(kCorpus + "/" + name, scans_ + "/" + (as.empty() ? name : as));
  }
  const std::string& scans() const { return scans_; }
  const std::string& root() const { return root_; }
  std::string operator/(const std::string& n) const { return dir_ / n; }

 private:
  TempDir dir_;
  std::string root_, scans_, scratch_;
};

// Eight documents of six classes, a two-page TIFF among them, and a 查档申请 (not a business
// record: it must go to review).
const std::vector<std::string> kDocuments = {"dev_0001.jpg", "dev_0003.tif", "dev_0006.jpg",
                                             "dev_0009.jpg", "dev_0012.jpg", "dev_0018.jpg",
                                             "dev_0019.jpg", "dev_0020.jpg"};

BOOST_AUTO_TEST_CASE(captures_classifies_files_and_queues_scans) {
  auto truth = LoadTruth();
  BOOST_REQUIRE(truth.size() > 50);
  Scans s;
  BOOST_REQUIRE_EQUAL(s.Dangan("init --fonds J012").code, 0);
  for (const auto& d : kDocuments) s.Add(d);
  std::ofstream(s.scans() + "/broken.jpg") << "\xff\xd8\xff\xe0 not really a JPEG";

  auto run = s.Dangan("capture --json --workers 2 " + Quote(s.scans()));
  // The unreadable file is reported and skipped; the batch goes on.
  BOOST_TEST(run.code == 1, run);
  BOOST_TEST(Contains(run.err, "broken.jpg"), run);
  auto lines = Lines(run.out);
  BOOST_REQUIRE_EQUAL(lines.size(), kDocuments.size());

  int class_ok = 0, item_ok = 0, ret_ok = 0, ids_found = 0, ids_true = 0, ids_wrong = 0;
  std::map<std::string, Object::Ptr> by_file;
  for (const auto& line : lines) {
    auto o = Parse(line);
    const std::string file = o->getValue<std::string>("file");
    by_file[file] = o;
    const Truth& t = truth.at(file);
    class_ok += o->getValue<std::string>("category") == t.category;
    item_ok += o->getValue<std::string>("item") == t.item;
    ret_ok += o->getValue<std::string>("retention") == t.retention || t.category == "00";
    auto ids = o->getObject("fields")->getArray("id_number");
    for (size_t i = 0; i < ids->size(); ++i) {
      if (t.ids.count(ids->getElement<std::string>(i)))
        ++ids_found;
      else
        ++ids_wrong;
    }
    ids_true += static_cast<int>(t.ids.size());
    // Evidence names real words of the recognised text.
    auto evidence = o->getArray("evidence");
    const std::string text = o->getValue<std::string>("text");
    for (size_t i = 0; i < evidence->size(); ++i)
      BOOST_TEST(Contains(text, evidence->getObject(i)->getValue<std::string>("token")));
  }
  // Floors well under what the pipeline reaches on the whole sample (100% / 98%).
  BOOST_TEST(class_ok >= 7);
  BOOST_TEST(item_ok >= 7);
  BOOST_TEST(ret_ok >= 7);
  BOOST_TEST(ids_wrong == 0);
  BOOST_TEST(ids_found * 10 >= ids_true * 9);

  // The 查档申请 is not a business record: queued, not forced into a class.
  auto request = by_file.at("dev_0003.tif");
  BOOST_TEST(request->getValue<bool>("review"));
  BOOST_TEST(request->getValue<std::string>("category") == "00");
  BOOST_TEST(request->getValue<int>("pages") == 2);

  // A filed scan: its package holds the scan, the OCR text and a searchable PDF.
  auto filed = by_file.at("dev_0001.jpg");
  BOOST_REQUIRE(!filed->getValue<bool>("review"));
  const std::string ref = filed->getValue<std::string>("reference");
  auto show = s.Dangan("show " + Quote(ref) + " --json");
  BOOST_REQUIRE_EQUAL(show.code, 0);
  auto rec = Parse(show.out);
  auto files = rec->getArray("files");
  BOOST_REQUIRE_EQUAL(files->size(), 4u);
  std::map<std::string, Object::Ptr> by_role;
  for (size_t i = 0; i < files->size(); ++i)
    by_role[files->getObject(i)->getValue<std::string>("role")] = files->getObject(i);
  BOOST_REQUIRE(by_role.count("original") && by_role.count("text") && by_role.count("access"));
  auto dz = by_role["original"]->getObject("digitization");
  BOOST_REQUIRE(dz);
  BOOST_TEST(dz->getValue<int>("dpi") == 300);
  BOOST_TEST(dz->getValue<std::string>("colour_mode") == "grayscale");
  // 创建程序 names the languages that actually read it (the default, chi_sim).
  BOOST_TEST(by_role["text"]->getValue<std::string>("created_by") ==
             "Dangan capture: Leptonica + Tesseract chi_sim");
  BOOST_TEST(rec->getValue<std::string>("channel") == "capture");
  // 形成日期 (and so the 档号's year) is the form's own date when OCR could read one.
  const std::string date = filed->getObject("fields")->getValue<std::string>("date");
  const std::string formed_on = rec->getValue<std::string>("formed_on");
  if (!date.empty()) BOOST_TEST(formed_on == date);
  BOOST_TEST(Contains(ref, "·" + formed_on.substr(0, 4) + "-"));

  const std::string bag = s / "bag";
  BOOST_REQUIRE_EQUAL(s.Dangan("export " + Quote(ref) + " --bag " + Quote(bag)).code, 0);
  std::string text =
      ReadFile(bag + "/data/files/" + by_role["text"]->getValue<std::string>("name"));
  BOOST_TEST(Contains(text, "补缴"));
  BOOST_TEST(Contains(text, "440106197108072178"));
  const std::string pdf = bag + "/data/files/" + by_role["access"]->getValue<std::string>("name");
  auto pdftext = Shell(s / "", s / "scratch", "pdftotext " + Quote(pdf) + " -");
  BOOST_REQUIRE_EQUAL(pdftext.code, 0);
  BOOST_TEST(Contains(pdftext.out, "补缴"), pdftext);
  BOOST_TEST(Contains(pdftext.out, "440106197108072178"), pdftext);
  // The words with their boxes on the page, for highlighting them in review.
  std::string layout_name;
  for (size_t i = 0; i < files->size(); ++i) {
    std::string n = files->getObject(i)->getValue<std::string>("name");
    if (n.size() > 9 && n.compare(n.size() - 9, 9, ".ocr.json") == 0) layout_name = n;
  }
  BOOST_REQUIRE(!layout_name.empty());
  auto layout = Parse(ReadFile(bag + "/data/files/" + layout_name));
  auto page = layout->getArray("pages")->getObject(0);
  BOOST_TEST(page->getValue<int>("width") > 2000);
  auto page_lines = page->getArray("lines");
  BOOST_REQUIRE(page_lines->size() > 5u);
  bool id_word = false;
  for (size_t i = 0; i < page_lines->size(); ++i) {
    auto words = page_lines->getObject(i)->getArray("words");
    for (size_t k = 0; k < words->size(); ++k) {
      auto w = words->getObject(k);
      auto b = w->getArray("box");
      BOOST_TEST(b->getElement<int>(2) > 0);
      id_word = id_word || w->getValue<std::string>("text") == "440106197108072178";
    }
  }
  BOOST_TEST(id_word);

  // Found by full text and by the extracted ID number.
  auto found = s.Dangan("search 440106197108072178 --json");
  BOOST_TEST(Contains(found.out, ref), found);

  // Captured again: every scan is skipped, nothing new is filed.
  auto again = s.Dangan("capture --json " + Quote(s.scans() + "/dev_0001.jpg") + " " +
                        Quote(s.scans() + "/dev_0003.tif"));
  BOOST_TEST(again.code == 0, again);
  BOOST_TEST(Lines(again.out).empty(), again);
  BOOST_TEST(Contains(again.err, "captured before"), again);

  // The review queue: reject the 查档申请 (not a record), which teaches the classifier.
  auto queue = s.Dangan("review list");
  BOOST_TEST(Contains(queue.out, "dev_0003.tif"), queue);
  const int id = request->getValue<int>("review_id");
  BOOST_TEST(s.Dangan("review accept " + std::to_string(id) + " --item 9999").code != 0);
  BOOST_TEST(s.Dangan("review reject " + std::to_string(id)).code == 2);  // no reason
  auto rejected = s.Dangan("review reject " + std::to_string(id) + " --reason 查档申请单");
  BOOST_TEST(rejected.code == 0, rejected);
  BOOST_TEST(s.Dangan("review reject " + std::to_string(id) + " --reason again").code == 1);
  BOOST_TEST(s.Dangan("audit verify").code == 0);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused_before_anything_is_read_or_stored) {
  Scans s;
  BOOST_REQUIRE_EQUAL(s.Dangan("init").code, 0);
  s.Add("dev_0012.jpg");
  for (const char* args : {"capture --threshold 2 ", "capture --threshold x ",
                           "capture --workers 0 ", "capture --frobnicate "}) {
    auto r = s.Dangan(std::string(args) + Quote(s.scans()));
    BOOST_TEST(r.code == 2, r);
    BOOST_TEST(!r.err.empty(), r);
  }
  auto missing = s.Dangan("capture " + Quote(s.scans() + "/no-such.jpg"));
  BOOST_TEST(missing.code == 2, missing);
  BOOST_TEST(Contains(missing.err, "no-such.jpg"), missing);
  BOOST_TEST(s.Dangan("capture").code == 2);
  BOOST_TEST(s.Dangan("review accept abc").code == 2);
  BOOST_TEST(s.Dangan("review show 99").code == 1);
  BOOST_TEST(s.Dangan("review frobnicate 1").code == 2);
  BOOST_TEST(s.Dangan("classifier nonsense").code == 2);
  // Nothing was filed or queued.
  BOOST_TEST(Lines(s.Dangan("review list --state \"\"").out).empty());
  BOOST_TEST(Contains(s.Dangan("search 失业 --json").out, "\"total\":0"));
  BOOST_TEST(!fs::exists(s.root() + "/review"));
}

BOOST_AUTO_TEST_CASE(a_corrected_review_files_the_record_and_the_report_counts_it) {
  Scans s;
  BOOST_REQUIRE_EQUAL(s.Dangan("init").code, 0);
  // 失业保险金申领 (0503), under a name JSON output must escape.
  const std::string odd_name = "申领 \"12\" \\.jpg";
  s.Add("dev_0012.jpg", odd_name);
  // A threshold above any confidence sends the document to review.
  auto run = s.Dangan("capture --json --threshold 1 " + Quote(s.scans()));
  BOOST_REQUIRE_EQUAL(run.code, 0);
  auto o = Parse(Lines(run.out).at(0));
  BOOST_REQUIRE(o->getValue<bool>("review"));
  const std::string id = std::to_string(o->getValue<int>("review_id"));
  auto listed = s.Dangan("review list --json");
  BOOST_REQUIRE_EQUAL(listed.code, 0);
  auto row = Parse(Lines(listed.out).at(0));
  BOOST_TEST(row->getValue<std::string>("file") == odd_name);
  BOOST_TEST(row->getValue<std::string>("state") == "pending");
  auto show = s.Dangan("review show " + id);
  BOOST_TEST(Contains(show.out, "\"capture\""), show);
  // The archivist says it is another item; the record is filed as that item.
  auto accepted = s.Dangan("review accept " + id + " --item 0502");
  BOOST_REQUIRE_EQUAL(accepted.code, 0);
  const std::string ref = Lines(accepted.out).at(0);
  BOOST_TEST(Contains(ref, "-0502-"), accepted);
  BOOST_TEST(s.Dangan("review accept " + id).code == 1);  // decided already
  auto report = s.Dangan("classifier report");
  BOOST_REQUIRE_EQUAL(report.code, 0);
  BOOST_TEST(Contains(report.out, "05"), report);
  BOOST_TEST(s.Dangan("verify --all").code == 0);
}

}  // namespace
