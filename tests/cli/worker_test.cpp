// Two real `dangan worker` processes on one PostgreSQL catalogue (CTest's `postgresql` fixture),
// one killed with SIGKILL while it holds a job: every fixity job is done once, the killed
// worker's job by the other, damage is found and recorded once, the audit chain holds.
#define BOOST_TEST_MODULE worker
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "archive/cli/archive_session.h"
#include "storage/digest.h"
#include "storage/file_sample.h"
#include "storage/pg_catalogue.h"
#include "tests/support/case_factory.h"
#include "tests/support/child_process.h"
#include "tests/support/pg_server.h"
#include "tests/support/shell.h"
#include "tests/support/worker_cluster.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(a_killed_workers_job_is_finished_by_the_other_and_each_job_lands_once) {
  TestArchive archive;
  PgTestSchema schema;
  auto& s = archive.session();
  auto catalogue = PgCatalogue::Open(schema.url(), &s.reference_template());
  BOOST_REQUIRE_MESSAGE(catalogue.ok(), catalogue.status().ToString());
  FilingSettings settings{s.settings().fonds, s.settings().category, s.settings().organization};
  Filing filing(
      s.scheme(), s.reference_template(), settings, **catalogue, s.packages(),
      [](const std::string& path) -> Result<std::pair<std::string, uint64_t>> {
        uint64_t bytes = 0;
        auto d = Digest::OfFile(path, "sha256", &bytes);
        if (!d.ok()) return d.status();
        return std::make_pair(*d, bytes);
      },
      cli::NowIso8601, s.checks(), [](const std::string& path) { return SampleFile(path); });
  constexpr int kRecords = 10;
  std::vector<std::string> refs;
  for (int i = 0; i < kRecords; ++i) {
    auto r = filing.File(archive.MakeCase("W-" + std::to_string(i)), "business", "test");
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    refs.push_back(r->reference);
  }
  // One package damaged on disk: with no replica to repair from, the worker must report it.
  auto damaged = (*catalogue)->GetRecord(refs[3]).value().value();
  {
    std::fstream f(archive.Path(damaged.package_path),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(700);
    f.put('#');
  }

  const std::string root = archive.root();
  auto enqueue = Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) +
                     " worker enqueue fixity --cycle c1 --catalogue " + Quote(schema.url()));
  BOOST_REQUIRE_MESSAGE(enqueue.code == 0, enqueue);
  BOOST_TEST(Contains(enqueue.out, "10 fixity jobs for cycle c1"));
  // Enqueuing the same cycle again adds nothing.
  auto again = Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) +
                   " worker enqueue fixity --cycle c1 --catalogue " + Quote(schema.url()));
  BOOST_REQUIRE(again.code == 0);

  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM jobs") == std::to_string(kRecords));

  TempDir logs;
  auto worker = [&](const std::string& name) {
    return WorkerCommand(root, schema.url(), name, {"--pace-ms", "400"});
  };
  ChildProcess w1(worker("w1"), logs / "w1.log");
  BOOST_REQUIRE(w1.started());
  // Wait until w1 holds a job, then kill it mid-job.
  const std::string held = JobHeldBy(**db, "w1", false, 4);
  BOOST_REQUIRE_MESSAGE(!held.empty(), Slurp(logs / "w1.log"));
  w1.Kill();
  ChildProcess w2(worker("w2"), logs / "w2.log");
  BOOST_REQUIRE(w2.started());
  int code = w2.Wait(90);
  BOOST_REQUIRE_MESSAGE(code == 0, "w2 exit " << code << "\n" << Slurp(logs / "w2.log"));

  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM jobs WHERE state='done'") ==
             std::to_string(kRecords));
  // The job w1 died holding went to w2 on its second attempt.
  BOOST_TEST(Scalar(**db, "SELECT worker || ' ' || attempts FROM jobs WHERE id=" + held) == "w2 2");
  // One fixity result per record: the killed attempt left nothing.
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM fixity") == std::to_string(kRecords));
  BOOST_TEST(Scalar(**db, "SELECT count(DISTINCT reference) FROM fixity") ==
             std::to_string(kRecords));
  BOOST_TEST(Scalar(**db, "SELECT string_agg(reference, ',') FROM fixity WHERE NOT ok") == refs[3]);
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM events WHERE action='fixity-damage'") == "1");
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM events WHERE action='fixity-unrepairable'") == "1");
  std::string w2log = Slurp(logs / "w2.log");
  BOOST_TEST(Contains(w2log, refs[3] + ": 1 damaged copy, 0 repaired, no good copy left"), w2log);
  auto events = (*catalogue)->Events("", 0, RecordCatalogue::EventKinds::kAll);
  BOOST_REQUIRE(events.ok());
  std::string why;
  BOOST_TEST(!FindBrokenLink(*events, kGenesisHash, 1, &why).has_value(), why);

  auto status = Run(Quote(DANGAN_BINARY) + " worker status --catalogue " + Quote(schema.url()));
  BOOST_TEST(Contains(status.out, "done 10"), status);

  // The root says workers file into PostgreSQL here: opening it alone (recovery) keeps every
  // package the SQLite catalogue does not know.
  BOOST_TEST(fs::exists(fs::path(root) / cli::ArchiveSession::kWorkerMark));
  const auto packages = archive.PackageFiles();
  archive.Reopen();
  BOOST_TEST(archive.PackageFiles().size() == packages.size());
  // ... and lets other processes in while it stays open, as after a recovery.
  auto other = Run("timeout 20 " + Quote(DANGAN_BINARY) + " --root " + Quote(root) + " search 保");
  BOOST_TEST(other.code == 0, other);
}

BOOST_AUTO_TEST_CASE(two_workers_file_and_capture_at_once_each_case_once_without_gaps) {
  TestArchive archive;
  PgTestSchema schema;
  const std::string root = archive.root();
  TempDir shared;
  constexpr int kCases = 24;
  MakeCases(shared / "cases", kCases);
  CopyScans(shared / "scans", {"dev_0001.jpg", "dev_0006.jpg", "dev_0012.jpg"});
  auto dangan = [&](const std::string& args) {
    return Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) + " " + args + " --catalogue " +
               Quote(schema.url()));
  };
  auto ingest = dangan("worker enqueue ingest " + Quote(shared / "cases"));
  BOOST_REQUIRE_MESSAGE(ingest.code == 0, ingest);
  BOOST_TEST(Contains(ingest.out, "24 ingest jobs"), ingest);
  auto capture = dangan("worker enqueue capture " + Quote(shared / "scans"));
  BOOST_REQUIRE_MESSAGE(capture.code == 0, capture);
  BOOST_TEST(Contains(capture.out, "3 capture jobs"), capture);

  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  TempDir logs;
  ChildProcess w1(WorkerCommand(root, schema.url(), "w1"), logs / "w1.log");
  ChildProcess w2(WorkerCommand(root, schema.url(), "w2"), logs / "w2.log");
  BOOST_REQUIRE(w1.started() && w2.started());
  // w1 is killed once it has finished a job and holds another: its job goes to w2.
  const std::string held = JobHeldBy(**db, "w1", true, 6);
  BOOST_REQUIRE_MESSAGE(!held.empty(), Slurp(logs / "w1.log"));
  w1.Kill();
  BOOST_TEST_MESSAGE("killed w1 holding job " << held);
  int code = w2.Wait(240);
  BOOST_REQUIRE_MESSAGE(code == 0, "w2 exit " << code << "\n" << Slurp(logs / "w2.log"));

  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM jobs WHERE state<>'done'") == "0",
             Slurp(logs / "w2.log") << Scalar(**db, "SELECT string_agg(error, '; ') FROM jobs"));
  // Both workers did jobs, and every case was filed once.
  BOOST_TEST(Scalar(**db, "SELECT count(DISTINCT worker) FROM jobs") == "2");
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE channel='business'") ==
             std::to_string(kCases));
  CheckFiledOnceWithoutGaps(**db);
  // Captures: filed with their scan and OCR text, or waiting for review with the reason.
  auto captures =
      Scalar(**db, "SELECT string_agg(result, ' | ' ORDER BY id) FROM jobs WHERE kind='capture'");
  int filed_captures =
      std::stoi(Scalar(**db, "SELECT count(*) FROM records WHERE channel='capture'"));
  BOOST_TEST(filed_captures >= 1, captures);
  BOOST_TEST(Scalar(**db,
                    "SELECT count(*) FROM jobs WHERE kind='capture' AND (result LIKE 'review: %' OR"
                    " result LIKE 'J012-%')") == "3",
             captures);
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM events WHERE action='classify'") ==
             std::to_string(filed_captures));
  auto catalogue = PgCatalogue::Open(schema.url(), &archive.session().reference_template());
  BOOST_REQUIRE(catalogue.ok());
  auto events = (*catalogue)->Events("", 0, RecordCatalogue::EventKinds::kAll);
  BOOST_REQUIRE(events.ok());
  std::string why;
  BOOST_TEST(!FindBrokenLink(*events, kGenesisHash, 1, &why).has_value(), why);
  // A filed capture is found by its recognised text.
  auto ref = Scalar(**db, "SELECT min(reference) FROM records WHERE channel='capture'");
  auto rec = (*catalogue)->GetRecord(ref).value();
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->files.size() >= 2u);

  // Enqueuing the same scans again adds no job: a scan is one document.
  auto again = dangan("worker enqueue capture " + Quote(shared / "scans"));
  BOOST_REQUIRE(again.code == 0);
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM jobs WHERE kind='capture'") == "3");
}

BOOST_AUTO_TEST_CASE(bad_worker_command_lines_are_refused_clearly) {
  TempDir dir;
  auto no_url = Shell(dir.path(), dir.path(), Quote(DANGAN_BINARY) + " worker run");
  BOOST_TEST(no_url.code != 0);
  BOOST_TEST(Contains(no_url.err, "--catalogue"), no_url);
  auto not_pg = Shell(dir.path(), dir.path(),
                      Quote(DANGAN_BINARY) + " worker status --catalogue sqlite:x.db");
  BOOST_TEST(not_pg.code != 0);
  BOOST_TEST(Contains(not_pg.err, "postgresql://"), not_pg);
  auto unreachable = Shell(dir.path(), dir.path(),
                           Quote(DANGAN_BINARY) +
                               " worker status --catalogue "
                               "'postgresql://dangan@127.0.0.1:1/dangan?connect_timeout=2'");
  BOOST_TEST(unreachable.code == 1);
  BOOST_TEST(Contains(unreachable.err, "cannot connect to PostgreSQL"), unreachable);
  auto lease = Shell(dir.path(), dir.path(),
                     Quote(DANGAN_BINARY) + " worker run --catalogue " + Quote(PgServerUrl()) +
                         " --lease-seconds 0");
  BOOST_TEST(lease.code == 2);
  auto unknown = Shell(dir.path(), dir.path(), Quote(DANGAN_BINARY) + " worker fly");
  BOOST_TEST(unknown.code == 2);
}
