#define BOOST_TEST_MODULE filing
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include "storage/bag_validator.h"
#include "storage/digest.h"
#include "tests/support/case_factory.h"
#include "tests/support/fault_env.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

int64_t RecordCount(TestArchive& a) { return a.session().catalogue().CountRecords().value(); }

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

// Writes a package of one text file for `reference` (filed in 2025) straight into the store, as a
// filing would between its rename and its commit.
Result<PackageInfo> WritePackage(TestArchive& a, const std::string& reference,
                                 const std::string& name, const std::string& content) {
  Record r;
  r.reference = reference;
  r.parts.year = 2025;
  const std::string payload = a.Path("scratch/" + name);
  WriteFile(payload, content);
  StagedFile f;
  f.meta = RecordFile{name, "original", "TXT", content.size(), Digest::OfString(content), "", {}};
  f.path = payload;
  return a.session().packages().Write(r, {f});
}

}  // namespace

BOOST_AUTO_TEST_CASE(package_round_trip_keeps_chinese_names_and_bytes) {
  TestArchive a;
  std::string binary(300000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 7919) % 251);
  binary.replace(0, 4, "\xff\xd8\xff\xe0");  // a JPEG signature: filing checks the format
  auto c =
      a.MakeCase("RT-1", "0301", "基本养老金待遇核定表",
                 {{"申请表（原件）.pdf", "%PDF-1.4 测试"}, {"身份证复印件 第2页.jpg", binary}});
  auto receipt = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE_MESSAGE(receipt.ok(), receipt.status().ToString());
  BOOST_TEST(receipt->reference == "J012-SB·2025-D100-0301-0001");
  BOOST_TEST(!receipt->already_filed);

  auto rec = a.session().catalogue().GetRecord(receipt->reference).value();
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->files.size() == 2u);
  BOOST_TEST(rec->files[0].name == "申请表（原件）.pdf");
  BOOST_TEST(rec->files[1].sha256 == Digest::OfString(binary));
  BOOST_TEST(rec->files[1].format == "JPEG");
  BOOST_TEST(rec->package_sha256 == Digest::OfFile(a.Path(rec->package_path)).value());

  TempDir out;
  std::string bag = out / "bag";
  Status st = a.session().packages().Extract(rec->package_path, bag);
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  BOOST_TEST(ReadFile(bag + "/data/files/身份证复印件 第2页.jpg") == binary);
  BOOST_TEST(ReadFile(bag + "/data/files/申请表（原件）.pdf") == "%PDF-1.4 测试");
  std::string info = ReadFile(bag + "/bag-info.txt");
  BOOST_TEST(info.find("External-Identifier: J012-SB·2025-D100-0301-0001\n") != std::string::npos);
  BOOST_TEST(info.find("Source-Organization: 测试市社会保险事业管理中心\n") != std::string::npos);
  BOOST_TEST(std::regex_search(info, std::regex("Payload-Oxum: [0-9]+\\.3\n")));
  BOOST_TEST(std::regex_search(info, std::regex("Bagging-Date: [0-9]{4}-[0-9]{2}-[0-9]{2}\n")));
  std::string xml = ReadFile(bag + "/data/metadata.xml");
  BOOST_TEST(xml.find("<题名>基本养老金待遇核定表</题名>") != std::string::npos);
  BOOST_TEST(xml.find("<件号>1</件号>") != std::string::npos);
  BOOST_TEST(xml.find("<公民身份号码>" + ValidIdNumber() + "</公民身份号码>") != std::string::npos);
  BagReport report = BagValidator::Validate(bag);
  BOOST_TEST(report.valid);
  BOOST_TEST(report.errors.empty());
  BOOST_TEST(report.payload_files == 3u);  // metadata.xml and the two files
}

BOOST_AUTO_TEST_CASE(concurrent_filing_numbers_each_series_without_gaps) {
  TestArchive a;
  constexpr int kThreads = 6, kPerThread = 8;
  std::vector<CaseSubmission> cases;
  for (int i = 0; i < kThreads * kPerThread; ++i)
    cases.push_back(a.MakeCase("C-" + std::to_string(i), i % 2 ? "0102" : "0503"));
  std::vector<std::string> refs(cases.size());
  std::vector<std::string> errors;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        size_t i = static_cast<size_t>(t * kPerThread + k);
        auto r = a.session().filing().File(cases[i], "business", "test");
        std::lock_guard<std::mutex> lock(mu);
        if (r.ok())
          refs[i] = r->reference;
        else
          errors.push_back(r.status().ToString());
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()));
  std::set<int> seq_0102, seq_0503;
  std::regex shape("J012-SB·2025-(D100-0102|D10-0503)-([0-9]{4})");
  for (const auto& r : refs) {
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_match(r, m, shape), r);
    (m[1] == "D100-0102" ? seq_0102 : seq_0503).insert(std::stoi(m[2]));
  }
  BOOST_TEST(seq_0102.size() == 24u);
  BOOST_TEST(seq_0503.size() == 24u);
  BOOST_TEST(*seq_0102.begin() == 1);
  BOOST_TEST(*seq_0102.rbegin() == 24);
  BOOST_TEST(*seq_0503.rbegin() == 24);
  BOOST_TEST(RecordCount(a) == 48);
}

BOOST_AUTO_TEST_CASE(same_case_twice_is_idempotent_and_changed_content_conflicts) {
  TestArchive a;
  auto c = a.MakeCase("IDEM-1");
  auto first = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE(first.ok());
  auto again = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->reference == first->reference);
  BOOST_TEST(again->package_sha256 == first->package_sha256);
  BOOST_TEST(again->already_filed);
  c.title = "参保人员增员申报表（更正）";
  auto changed = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE(!changed.ok());
  BOOST_TEST(static_cast<int>(changed.status().code()) == static_cast<int>(ErrorCode::kConflict));
  BOOST_TEST(RecordCount(a) == 1);
  BOOST_TEST(a.PackageFiles().size() == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_declared_digest_stores_nothing) {
  TestArchive a;
  auto c = a.MakeCase("BAD-SHA");
  c.files[0].declared_sha256 = std::string(64, 'a');
  auto r = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE(!r.ok());
  BOOST_REQUIRE(!r.status().fields().empty());
  BOOST_TEST(r.status().fields()[0].field == "files[0].sha256");
  BOOST_TEST(RecordCount(a) == 0);
  BOOST_TEST(a.PackageFiles().empty());
  BOOST_TEST(a.session().catalogue().Events().value().size() == 0u);
}

BOOST_AUTO_TEST_CASE(package_written_but_not_committed_disappears_on_reopen) {
  TestArchive a;
  auto ok = a.session().filing().File(a.MakeCase("KEEP"), "business", "test");
  BOOST_REQUIRE(ok.ok());
  // Simulate a crash after the package was renamed into place but before the row committed.
  auto written = WritePackage(a, "J012-SB·2025-D100-0102-0002", "crash.txt", "x");
  BOOST_REQUIRE(written.ok());
  BOOST_TEST(fs::exists(a.Path(written->path)));
  BOOST_TEST(a.PackageFiles().size() == 2u);
  // ... and a half-written temporary from another filing.
  WriteFile(a.Path("packages/.staging/deadbeef.tar.part"), "partial");
  written->name_hold.reset();  // the crash: the kernel lets go of the dead filer's hold

  a.Reopen();
  BOOST_TEST(a.session().recovered_packages() == 1);
  BOOST_TEST(!fs::exists(a.Path(written->path)));
  BOOST_TEST(a.PackageFiles().size() == 1u);
  BOOST_TEST(DirEntries(a.Path("packages/.staging")).empty());
  BOOST_TEST(DirEntries(a.Path("packages/.pending")).empty());
  // The committed record is untouched and the 件号 the crash used is given out again: no gap.
  BOOST_TEST(a.session().catalogue().GetRecord(ok->reference).value().has_value());
  auto next = a.session().filing().File(a.MakeCase("NEXT"), "business", "test");
  BOOST_REQUIRE(next.ok());
  BOOST_TEST(next->reference == "J012-SB·2025-D100-0102-0002");
}

BOOST_AUTO_TEST_CASE(injected_write_and_fsync_failures_leave_nothing_half_written) {
  FaultInjectionEnv env;
  TestArchive a(&env);
  // Count the write-side calls of one clean filing, then fail each of them in turn.
  // The first filing of a year also creates (and syncs) its directory; count a later one.
  BOOST_REQUIRE(a.session().filing().File(a.MakeCase("FIRST"), "business", "test").ok());
  env.FailAt(0, Fault::kNone);
  auto clean = a.session().filing().File(a.MakeCase("CLEAN"), "business", "test");
  BOOST_REQUIRE(clean.ok());
  const int calls = env.calls();
  BOOST_TEST_MESSAGE("write-side calls per filing: " << calls);
  BOOST_REQUIRE(calls >= 8);
  int expected_seq = 3;
  for (Fault fault : {Fault::kNoSpace, Fault::kIOError, Fault::kShortWrite, Fault::kSyncFails}) {
    for (int n = 1; n <= calls; ++n) {
      std::string id = "F-" + std::to_string(static_cast<int>(fault)) + "-" + std::to_string(n);
      auto c = a.MakeCase(id);
      env.FailAt(n, fault);
      auto r = a.session().filing().File(c, "business", "test");
      BOOST_TEST_CONTEXT("fault " << static_cast<int>(fault) << " at call " << n) {
        BOOST_TEST(env.fired());
        BOOST_REQUIRE(!r.ok());
        BOOST_TEST(!r.status().message().empty());
        if (fault == Fault::kNoSpace)
          BOOST_TEST(static_cast<int>(r.status().code()) == static_cast<int>(ErrorCode::kNoSpace));
        // Nothing half-visible: no row, no package, no temporary, no event.
        BOOST_TEST(RecordCount(a) == expected_seq - 1);
        BOOST_TEST(a.PackageFiles().size() == static_cast<size_t>(expected_seq - 1));
        BOOST_TEST(DirEntries(a.Path("packages/.staging")).empty());
        BOOST_TEST(DirEntries(a.Path("packages/.pending")).empty());
        BOOST_TEST(!a.session().catalogue().FindCase("sbxt", id).value().has_value());
      }
      // The archive keeps working and the failed filing left no gap.
      env.FailAt(0, Fault::kNone);
      auto retry = a.session().filing().File(c, "business", "test");
      BOOST_REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d", expected_seq);
      BOOST_TEST(retry->reference == std::string("J012-SB·2025-D100-0102-") + buf);
      ++expected_seq;
    }
  }
  a.Reopen();
  BOOST_TEST(a.session().recovered_packages() == 0);
}

BOOST_AUTO_TEST_CASE(a_second_opener_never_cleans_up_a_filing_in_flight) {
  TestArchive a;
  // A filing of this session is between rename and commit ...
  auto written = WritePackage(a, "J012-SB·2025-D100-0102-0001", "inflight.txt", "y");
  BOOST_REQUIRE(written.ok());
  // ... when another process (here: another session) opens the archive, e.g. for a search.
  auto other = cli::ArchiveSession::Open(a.root());
  BOOST_REQUIRE(other.ok());
  BOOST_TEST((*other)->recovered_packages() == 0);
  BOOST_TEST(fs::exists(a.Path(written->path)));
  other->reset();
  // Once nobody else has it open, a crash's leftovers are cleaned up.
  written->name_hold.reset();  // the crash: the kernel lets go of the dead filer's hold
  a.Reopen();
  BOOST_TEST(a.session().recovered_packages() == 1);
  BOOST_TEST(!fs::exists(a.Path(written->path)));
}

BOOST_AUTO_TEST_CASE(identifiers_are_filed_in_canonical_form) {
  TestArchive a;
  auto c = a.MakeCase("CANON");
  std::string id = ValidIdNumber("11010519800101018");
  BOOST_REQUIRE(id.back() == 'X');
  c.person->id_number = "  " + id.substr(0, 17) + "x ";
  auto r = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(a.session().catalogue().GetRecord(r->reference).value()->person->id_number == id);
  SearchSpec by_person;
  by_person.person_id = id.substr(0, 17) + "x";
  BOOST_TEST(a.session().catalogue().Search(by_person).value().total == 1);
}

BOOST_AUTO_TEST_CASE(newest_events_of_a_record_in_chain_order) {
  TestArchive a;
  auto r = a.session().filing().File(a.MakeCase("EV"), "business", "test");
  BOOST_REQUIRE(r.ok());
  for (int i = 0; i < 5; ++i)
    BOOST_REQUIRE(a.session().Log("tester", "view", r->reference, "{}").ok());
  auto all = a.session().catalogue().Events(r->reference).value();
  auto newest = a.session().catalogue().Events(r->reference, 2).value();
  BOOST_TEST(all.size() == 6u);
  BOOST_TEST(a.session().catalogue().CountEvents(r->reference).value() == 6);
  BOOST_REQUIRE(newest.size() == 2u);
  BOOST_TEST(newest[0].seq == all[4].seq);
  BOOST_TEST(newest[1].seq == all[5].seq);
}

namespace {

// A catalogue whose filing transactions die after `alive_queries` look-ups, as a PostgreSQL
// session ended by the server (idle timeout, lost connection) while its filer was slow.
class DyingCatalogue : public CataloguePort {
 public:
  DyingCatalogue(CataloguePort& base, int alive_queries) : base_(base), alive_(alive_queries) {}
  Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                            const std::string& case_id) override {
    return base_.FindCase(source, case_id);
  }
  Result<std::unique_ptr<FilingTransaction>> BeginFiling() override {
    auto txn = base_.BeginFiling();
    if (!txn.ok()) return txn.status();
    return std::unique_ptr<FilingTransaction>(new Txn(std::move(*txn), alive_));
  }

 private:
  class Txn : public FilingTransaction {
   public:
    Txn(std::unique_ptr<FilingTransaction> base, int alive)
        : base_(std::move(base)), left_(alive) {}
    Result<int> NextSequence(const std::string& series) override {
      return base_->NextSequence(series);
    }
    Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                              const std::string& case_id) override {
      if (left_-- <= 0) return Status(ErrorCode::kUnavailable, "connection lost (simulated)");
      return base_->FindCase(source, case_id);
    }
    Status InsertRecord(const Record& record) override { return base_->InsertRecord(record); }
    Result<AuditEvent> AppendEvent(const AuditEvent& draft) override {
      return base_->AppendEvent(draft);
    }
    Status NoteLaggingCopies(const std::string& reference,
                             const std::vector<std::string>& roots) override {
      return base_->NoteLaggingCopies(reference, roots);
    }
    Status Commit() override { return base_->Commit(); }

   private:
    std::unique_ptr<FilingTransaction> base_;
    int left_;
  };
  CataloguePort& base_;
  int alive_;
};

}  // namespace

// The filer whose transaction is gone by the time it holds the package's name must not store:
// the 件号 was handed out again, and the package under the name (here one put there as another
// server's committed filing would be) is someone else's record.
BOOST_AUTO_TEST_CASE(a_filer_whose_transaction_died_never_replaces_the_package_under_its_name) {
  TestArchive a;
  auto& s = a.session();
  // Another server filed the same 档号 and committed: its package is in place, no marker.
  auto stored = WritePackage(a, "J012-SB·2025-D100-0102-0001", "theirs.txt", "committed elsewhere");
  BOOST_REQUIRE(stored.ok());
  s.packages().Committed(*stored);
  stored->name_hold.reset();

  // One look-up (Filing's own, under the lock) succeeds; the next finds the transaction dead.
  DyingCatalogue dying(s.catalogue(), 1);
  auto filing = cli::MakeFiling(s.settings(), s.scheme(), s.reference_template(), s.checks(), dying,
                                s.packages());
  BOOST_REQUIRE(filing.ok());
  auto late = (*filing)->File(a.MakeCase("LATE"), "business", "test");
  BOOST_REQUIRE(!late.ok());
  BOOST_TEST((late.status().code() == ErrorCode::kUnavailable));
  BOOST_TEST(Digest::OfFile(a.Path(stored->path)).value() == stored->sha256);
  BOOST_TEST(DirEntries(a.Path("packages/.pending")).empty());
  BOOST_TEST(DirEntries(a.Path("packages/.staging")).empty());
  BOOST_TEST(RecordCount(a) == 0);
}
