#define BOOST_TEST_MODULE property_checks
#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <set>

#include "archive/property_checks.h"

using namespace dangan;

namespace {

struct Fixture {
  ClassificationScheme scheme = *ClassificationScheme::LoadBuiltin();
  ReferenceTemplate tmpl = *ReferenceTemplate::Parse(ReferenceTemplate::kDefault);
  PropertyChecks checks = *PropertyChecks::LoadBuiltin();
  Record record;
  CheckSubject subject;

  Fixture() {
    Record& r = record;
    r.parts = {"J012", "SB", 2025, "D100", "0102", "01", 7};
    r.series = tmpl.SeriesKey(r.parts);
    r.reference = tmpl.Format(r.parts);
    r.channel = "business";
    r.title = "张三 参保人员增员申报表";
    r.responsible = "某市社会保险事业管理中心";
    r.agency = r.responsible;
    r.formed_on = "2025-06-30";
    r.closed_at = "2025-06-30T16:30:00+08:00";
    r.person = Person{"11010519491231002X", "张三"};
    r.steps = {{"受理", "2025-06-30T09:10:00+08:00", "窗口", "", ""}};
    r.files = {{"申请表.pdf", "original", "PDF", 20, std::string(64, 'a'), "", {}}};
    r.package_path = "packages/2025/x.tar";
    r.package_sha256 = std::string(64, 'b');
    subject.record = &record;
    subject.files = std::vector<FileObservation>{
        {"申请表.pdf", true, 20, std::string(64, 'a'), "%PDF-1.4\n%...", "%%EOF\n", ""}};
    subject.package_present = true;
    subject.package_sha256 = r.package_sha256;
    subject.package_findings = std::vector<PackageFinding>{};
    subject.metadata_problem = "";
    subject.records_with_reference = 1;
    subject.missing_sequence_numbers = std::vector<int>{};
    subject.filed_package_sha256 = r.package_sha256;
  }

  CheckReport Run(CheckStage stage = CheckStage::kPreservation) {
    return checks.Run(stage, subject, scheme, tmpl);
  }
  // Codes of the failed items.
  std::vector<std::string> Failed(CheckStage stage = CheckStage::kPreservation) {
    std::vector<std::string> out;
    const CheckReport report = Run(stage);
    for (const auto* f : report.failures()) out.push_back(f->code);
    return out;
  }
  FileObservation& File() { return subject.files->front(); }
};

using Codes = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(a_sound_record_passes_every_item_of_every_stage) {
  Fixture f;
  for (CheckStage stage : {CheckStage::kFiling, CheckStage::kTransfer, CheckStage::kPreservation}) {
    CheckReport r = f.Run(stage);
    BOOST_TEST_INFO(StageName(stage) << ": " << r.ToJson());
    BOOST_TEST(r.passed());
    for (const auto& item : r.findings) BOOST_TEST((item.outcome == CheckOutcome::kPassed));
  }
  BOOST_TEST(f.Run(CheckStage::kPreservation).findings.size() == 20u);
  BOOST_TEST(f.Run(CheckStage::kFiling).findings.size() == 13u);
  BOOST_TEST(f.Run(CheckStage::kFiling).findings.front().code == "GD-1-1");
  BOOST_TEST(f.Run(CheckStage::kTransfer).findings.back().code == "YJ-4-3");
}

// Each item, with a record (or what was observed of it) that fails that item and no other.
BOOST_AUTO_TEST_CASE(each_item_fails_on_a_record_that_breaks_it) {
  struct Case {
    const char* code;
    std::function<void(Fixture&)> spoil;
  };
  const std::vector<Case> cases = {
      {"BC-1-1", [](Fixture& f) { f.File().sha256 = std::string(64, 'c'); }},
      {"BC-1-2", [](Fixture& f) { f.record.title = std::string(501, 'x'); }},
      {"BC-1-3", [](Fixture& f) { f.record.steps[0].at = "yesterday"; }},
      {"BC-1-4", [](Fixture& f) { f.record.security = "公开发布"; }},
      {"BC-1-5", [](Fixture& f) { f.record.reference = "J012-SB·2025-D100-0102-7"; }},
      {"BC-1-6", [](Fixture& f) { f.subject.records_with_reference = 2; }},
      {"BC-1-7", [](Fixture& f) { f.File().size = 21; }},
      {"BC-1-8", [](Fixture& f) { f.subject.package_present = false; }},
      {"BC-1-9", [](Fixture& f) { f.subject.package_sha256 = std::string(64, 'd'); }},
      {"BC-2-1", [](Fixture& f) { f.record.responsible.clear(); }},
      {"BC-2-2",
       [](Fixture& f) {
         f.subject.missing_sequence_numbers = std::vector<int>{3, 4};
       }},
      {"BC-2-3", [](Fixture& f) { f.record.steps.clear(); }},
      {"BC-2-4", [](Fixture& f) { f.record.files[0].role = "access"; }},
      {"BC-2-5",
       [](Fixture& f) {
         f.subject.package_findings =
             std::vector<PackageFinding>{{"manifest-sha256.txt", "changed"}};
       }},
      {"BC-3-1", [](Fixture& f) { f.subject.metadata_problem = "not well-formed XML"; }},
      {"BC-3-2", [](Fixture& f) { f.record.files[0].format = "RAR"; }},
      {"BC-3-3", [](Fixture& f) { f.File().tail = "trailer << /Encrypt 5 0 R >>\n%%EOF"; }},
      {"BC-4-1", [](Fixture& f) { f.File().tail = "/OpenAction << /S /JavaScript >>"; }},
      {"BC-4-2",
       [](Fixture& f) {
         f.subject.package_findings = std::vector<PackageFinding>{{"data/files/x.exe", "extra"}};
       }},
      {"BC-4-3", [](Fixture& f) { f.subject.filed_package_sha256 = std::string(64, 'e'); }},
  };
  std::set<std::string> covered;
  for (const auto& c : cases) {
    Fixture f;
    c.spoil(f);
    BOOST_TEST_INFO(c.code << ": " << f.Run().ToJson());
    BOOST_TEST(f.Failed() == Codes{c.code});
    covered.insert(c.code);
  }
  {  // Filing only: what the malware scanner found.
    Fixture f;
    f.File().malware = "Dangan.Test.Signature.UNOFFICIAL";
    BOOST_TEST(f.Failed(CheckStage::kFiling) == Codes{"GD-4-4"});
    covered.insert("GD-4-4");
    // No scanner configured: the item says so and does not run, rather than pass.
    Fixture unscanned;
    unscanned.File().malware.reset();
    CheckReport r = unscanned.Run(CheckStage::kFiling);
    BOOST_TEST(r.passed());
    BOOST_TEST((r.findings.back().outcome == CheckOutcome::kNotRun));
    BOOST_TEST(r.findings.back().detail.find("archive.malware_scanner") != std::string::npos);
  }
  // Every item of the rules is covered above.
  Fixture f;
  for (const auto& item : f.checks.items())
    BOOST_TEST(covered.count("BC-" + item.id) + covered.count("GD-" + item.id) == 1u, item.id);
}

BOOST_AUTO_TEST_CASE(content_checks_read_the_bytes_not_the_name) {
  Fixture f;
  f.File().head = std::string("MZ\x90\x00\x03\x00 This program cannot be run in DOS mode", 44);
  BOOST_TEST(f.Failed(CheckStage::kFiling) == (Codes{"GD-1-7", "GD-3-3", "GD-4-1"}));

  Fixture elf;
  elf.record.files[0] = {"run.txt", "original", "TXT", 20, std::string(64, 'a'), "", {}};
  elf.File().head = std::string(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  BOOST_TEST(elf.Failed(CheckStage::kFiling) == (Codes{"GD-1-7", "GD-3-3", "GD-4-1"}));

  Fixture eicar;
  eicar.record.files[0] = {"eicar.txt", "original", "TXT", 68, std::string(64, 'a'), "", {}};
  eicar.File().size = 68;
  eicar.File().head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  BOOST_TEST(eicar.Failed(CheckStage::kFiling) == Codes{"GD-4-1"});

  Fixture empty;
  empty.File().size = 0;
  empty.record.files[0].size = 0;
  empty.File().head.clear();
  BOOST_TEST(empty.Failed(CheckStage::kFiling) == (Codes{"GD-1-7", "GD-3-3"}));
}

BOOST_AUTO_TEST_CASE(sniffing_tells_formats_apart) {
  BOOST_TEST(SniffFormat("%PDF-1.7") == "PDF");
  BOOST_TEST(SniffFormat(std::string("II*\0", 4)) == "TIFF");
  BOOST_TEST(SniffFormat(std::string("MM\0*", 4)) == "TIFF");
  BOOST_TEST(SniffFormat("\xff\xd8\xff\xe0") == "JPEG");
  BOOST_TEST(SniffFormat("\x89PNG\r\n\x1a\n") == "PNG");
  BOOST_TEST(SniffFormat("PK\x03\x04") == "ZIP");
  BOOST_TEST(SniffFormat("\xef\xbb\xbf<?xml version=\"1.0\"?>") == "XML");
  BOOST_TEST(SniffFormat("申请表 第一页") == "TXT");
  // A sample cut inside a multi-byte character is still text.
  BOOST_TEST(SniffFormat(std::string("申请表").substr(0, 7)) == "TXT");
  BOOST_TEST(SniffFormat(std::string("ab\0cd", 5)) == "");
  BOOST_TEST(SniffFormat("\xc3\x28 broken") == "");
}

BOOST_AUTO_TEST_CASE(an_item_without_its_fact_is_not_run_and_does_not_pass) {
  Fixture f;
  f.subject.package_sha256.reset();
  f.subject.records_with_reference.reset();
  CheckReport r = f.Run();
  BOOST_TEST(r.passed());
  int not_run = 0;
  for (const auto& item : r.findings) not_run += item.outcome == CheckOutcome::kNotRun;
  BOOST_TEST(not_run == 2);
  BOOST_TEST(r.ToEventJson().find("\"not_run\":[\"BC-1-6\",\"BC-1-9\"]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(captured_scans_need_no_handling_steps) {
  Fixture f;
  f.record.steps.clear();
  f.record.channel = "capture";
  BOOST_TEST(f.Failed().empty());
  f.record.channel = "manual";
  BOOST_TEST(f.Failed() == Codes{"BC-2-3"});
}

BOOST_AUTO_TEST_CASE(failures_become_field_errors_named_by_item_code) {
  Fixture f;
  f.record.files[0].format = "EXE";
  auto errors = f.Run(CheckStage::kFiling).AsFieldErrors();
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].field == "GD-3-2");
  BOOST_TEST(errors[0].message.find("文件格式检测") == 0u);
}

BOOST_AUTO_TEST_CASE(rules_are_data_with_a_validated_local_override) {
  auto local = PropertyChecks::LoadBuiltin(
      R"({"version":"local-1","allowed_formats":["PDF","OFD"],
          "items":[{"id":"2-3","property":"integrity","name":"业务过程记录完整性检测",
                    "test":"handling_steps","stages":["filing"]},
                   {"id":"4-9","property":"security","name":"再次检查摘要",
                    "test":"package_digest","stages":["preservation"]}]})",
      "checks.local.json");
  BOOST_REQUIRE_MESSAGE(local.ok(), local.status().ToString());
  BOOST_TEST(local->items().size() == 22u);
  BOOST_TEST(local->version().find("local-1") != std::string::npos);
  Fixture f;
  f.record.files[0] = {"图.tif", "original", "TIFF", 20, std::string(64, 'a'), "", {}};
  f.File().head = std::string("II*\0", 4);
  f.checks = *local;
  f.record.steps.clear();  // 2-3 now runs at filing only
  BOOST_TEST(f.Failed() == Codes{"BC-3-2"});

  for (
      const char* bad :
      {R"({"allowed_formats":["PDF"],"items":[{"id":"1-1","property":"beauty","name":"x","test":"file_digests","stages":["filing"]}]})",
       R"({"allowed_formats":["PDF"],"items":[{"id":"1-1","property":"integrity","name":"x","test":"guess","stages":["filing"]}]})",
       R"({"allowed_formats":["PDF"],"items":[{"id":"1-1","property":"integrity","name":"x","test":"file_digests","stages":["someday"]}]})",
       R"({"allowed_formats":[],"items":[]})",
       R"({"allowed_formats":["PDF"],"required":["shoe_size"]})",
       R"({"allowed_formats":["PDF"],"max_lengths":{"title":0}})",
       R"({"allowed_formats":["PDF"],"items":[{"id":"1","property":"integrity","name":"x","test":"file_digests","stages":["filing"]},{"id":"1","property":"integrity","name":"y","test":"file_digests","stages":["filing"]}]})",
       "not json"}) {
    BOOST_TEST_INFO(bad);
    BOOST_TEST(!PropertyChecks::Parse(bad).ok());
  }
}
