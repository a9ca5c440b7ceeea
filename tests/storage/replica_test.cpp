#define BOOST_TEST_MODULE replica
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "storage/digest.h"
#include "storage/fixity_audit.h"
#include "storage/replica_catch_up.h"
#include "tests/support/case_factory.h"
#include "tests/support/fault_env.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Every regular file under `dir`, relative to it (temporaries and markers included).
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

// An archive with `n` replicas, reopened so that filing writes to all of them.
struct Replicated {
  explicit Replicated(int n, Env* env = Env::Default()) : archive(env) {
    for (int i = 0; i < n; ++i) {
      replicas.push_back(std::make_unique<TempDir>());
      auto added = archive.session().AddReplica(replicas.back()->path());
      if (!added.ok()) throw std::runtime_error(added.status().ToString());
    }
    archive.Reopen(env);
  }
  Record File(const std::string& id) {
    auto r = archive.session().filing().File(archive.MakeCase(id), "business", "test");
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return *archive.session().catalogue().GetRecord(r->reference).value();
  }
  std::string Copy(size_t copy, const Record& r) {
    return archive.session().packages().CopyPath(copy, r.package_path);
  }
  Result<AuditSummary> Audit(int64_t limit = 0) {
    FixityAudit::Options o;
    o.clock = [] { return std::string("2026-11-23T10:00:00+08:00"); };
    FixityAudit audit(archive.session().catalogue(), archive.session().packages(), o);
    return audit.Run(limit);
  }
  int64_t Events(const std::string& ref, const std::string& action) {
    int64_t n = 0;
    auto events = archive.session().catalogue().Events(ref);
    for (const auto& e : events.value())
      if (e.action == action) ++n;
    return n;
  }
  TestArchive archive;
  std::vector<std::unique_ptr<TempDir>> replicas;
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_copy_is_written_before_filing_returns_and_reads_fall_back) {
  Replicated a(2);
  BOOST_TEST(a.archive.session().packages().copy_roots().size() == 3u);
  Record r = a.File("R-1");
  const std::string primary = ReadBytes(a.Copy(0, r));
  BOOST_REQUIRE(!primary.empty());
  BOOST_TEST(ReadBytes(a.Copy(1, r)) == primary);
  BOOST_TEST(ReadBytes(a.Copy(2, r)) == primary);

  // The primary copy gone: reads use a replica.
  fs::remove(a.Copy(0, r));
  auto xml = a.archive.session().packages().ReadMember(r.package_path, "data/metadata.xml");
  BOOST_REQUIRE_MESSAGE(xml.ok(), xml.status().ToString());
  BOOST_TEST(xml->find(r.reference) != std::string::npos);
  TempDir out;
  Status st = a.archive.session().packages().Extract(r.package_path, out / "bag");
  BOOST_TEST(st.ok(), st.ToString());
}

BOOST_AUTO_TEST_CASE(adding_a_replica_copies_what_exists_and_refuses_bad_places) {
  TestArchive a;
  auto first = a.session().filing().File(a.MakeCase("OLD-1"), "business", "test");
  BOOST_REQUIRE(first.ok());
  TempDir rep;
  auto copied = a.session().AddReplica(rep.path());
  BOOST_REQUIRE_MESSAGE(copied.ok(), copied.status().ToString());
  BOOST_TEST(*copied == 1);
  auto rec = *a.session().catalogue().GetRecord(first->reference).value();
  BOOST_TEST(ReadBytes(rep / rec.package_path) == ReadBytes(a.Path(rec.package_path)));

  BOOST_TEST(!a.session().AddReplica(a.Path("packages")).ok());  // inside the archive root
  BOOST_TEST(!a.session().AddReplica(rep.path()).ok());          // already a replica
  BOOST_TEST(!a.session().AddReplica(rep / "no-such-dir").ok());
  // A damaged primary copy is not spread to a new replica.
  std::string bytes = ReadBytes(a.Path(rec.package_path));
  bytes[bytes.size() / 3] ^= 0x20;
  WriteBytes(a.Path(rec.package_path), bytes);
  TempDir rep2;
  auto refused = a.session().AddReplica(rep2.path());
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().message().find(first->reference) != std::string::npos);
  BOOST_TEST(FilesUnder(rep2 / "packages").empty());
}

BOOST_AUTO_TEST_CASE(a_replica_write_failure_leaves_nothing_in_any_copy) {
  FaultInjectionEnv env;
  Replicated a(1, &env);
  a.File("WARM-1");  // creates the year's directories
  env.FailAt(0, Fault::kNone);
  a.File("CLEAN");
  const int calls = env.calls();
  BOOST_REQUIRE(calls >= 12);  // the primary's steps and the replica's
  const auto before_primary = FilesUnder(a.archive.Path("packages"));
  const auto before_replica = FilesUnder(a.replicas[0]->path() + "/packages");
  for (Fault fault : {Fault::kNoSpace, Fault::kIOError, Fault::kShortWrite, Fault::kSyncFails}) {
    for (int n = 1; n <= calls; ++n) {
      BOOST_TEST_CONTEXT("fault " << static_cast<int>(fault) << " at call " << n) {
        env.FailAt(n, fault);
        std::string id = "F-" + std::to_string(static_cast<int>(fault)) + "-" + std::to_string(n);
        auto r = a.archive.session().filing().File(a.archive.MakeCase(id), "business", "test");
        BOOST_TEST(env.fired());
        BOOST_REQUIRE(!r.ok());
        BOOST_TEST(FilesUnder(a.archive.Path("packages")) == before_primary);
        BOOST_TEST(FilesUnder(a.replicas[0]->path() + "/packages") == before_replica);
        BOOST_TEST(!a.archive.session().catalogue().FindCase("sbxt", id).value().has_value());
      }
    }
  }
  env.FailAt(0, Fault::kNone);
  Record r = a.File("AFTER");
  BOOST_TEST(ReadBytes(a.Copy(1, r)) == ReadBytes(a.Copy(0, r)));
}

BOOST_AUTO_TEST_CASE(every_kind_of_damage_in_any_copy_is_detected_and_repaired) {
  Replicated a(2);
  std::vector<Record> recs;
  for (int i = 0; i < 24; ++i) recs.push_back(a.File("D-" + std::to_string(i)));
  std::vector<std::string> good;
  for (const auto& r : recs) good.push_back(ReadBytes(a.Copy(0, r)));

  // Damage 1 or 2 of the 3 copies of each record, always leaving one good copy.
  std::mt19937 rng(20261123);
  int damaged = 0;
  for (size_t k = 0; k < recs.size(); ++k) {
    std::vector<size_t> copies = {0, 1, 2};
    std::shuffle(copies.begin(), copies.end(), rng);
    size_t how_many = 1 + rng() % 2;
    for (size_t j = 0; j < how_many; ++j) {
      std::string path = a.Copy(copies[j], recs[k]);
      std::string bytes = good[k];
      switch ((k + j) % 5) {
        case 0:  // one flipped bit
          bytes[rng() % bytes.size()] ^= 0x01;
          WriteBytes(path, bytes);
          break;
        case 1:  // truncated
          WriteBytes(path, bytes.substr(0, bytes.size() / 2));
          break;
        case 2:  // gone
          fs::remove(path);
          break;
        case 3:  // bytes appended
          WriteBytes(path, bytes + "extra");
          break;
        case 4:  // emptied
          WriteBytes(path, "");
          break;
      }
      ++damaged;
    }
  }
  auto sum = a.Audit();
  BOOST_REQUIRE_MESSAGE(sum.ok(), sum.status().ToString());
  BOOST_TEST(sum->complete);
  BOOST_TEST(sum->records == static_cast<int64_t>(recs.size()));
  BOOST_TEST(sum->copies_checked == static_cast<int64_t>(3 * recs.size()));
  BOOST_TEST(sum->damaged_copies == damaged);
  BOOST_TEST(sum->repaired_copies == damaged);
  BOOST_TEST(sum->unrepairable_records == 0);
  int64_t damage_events = 0, repair_events = 0;
  for (size_t k = 0; k < recs.size(); ++k) {
    for (size_t c = 0; c < 3; ++c) BOOST_TEST(ReadBytes(a.Copy(c, recs[k])) == good[k]);
    damage_events += a.Events(recs[k].reference, "fixity-damage");
    repair_events += a.Events(recs[k].reference, "fixity-repair");
  }
  BOOST_TEST(damage_events == damaged);
  BOOST_TEST(repair_events == damaged);

  // A second cycle finds everything intact.
  auto again = a.Audit();
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->damaged_copies == 0);
}

// A repair racing a destruction (the checker read the record, the destruction committed and
// removed one copy, the checker restored it from another): the copies written go again, so a
// destroyed record's package never comes back.
BOOST_AUTO_TEST_CASE(a_repair_of_a_record_destroyed_meanwhile_is_withdrawn) {
  Replicated a(1);
  const Record r = a.File("W-1");
  fs::remove(a.Copy(0, r));  // the destruction's removal has reached copy 0 only
  std::vector<AuditEvent> events;
  int asked = 0;
  CopyCheckOptions options{"test", [] { return std::string("2026-11-25T10:00:00+08:00"); }, nullptr,
                           [&]() -> Result<bool> {
                             ++asked;
                             return false;
                           }};
  RecordAudit audit = CheckRecordCopies(a.archive.session().packages(), r, options, &events);
  BOOST_TEST(asked == 1);
  BOOST_TEST(audit.destroyed);
  BOOST_TEST(!fs::exists(a.Copy(0, r)));
  BOOST_TEST(!fs::exists(a.Copy(1, r)));
  BOOST_REQUIRE(!events.empty());
  BOOST_TEST(events.back().action == "fixity-repair-withdrawn");

  // Still filed: the repair stands.
  const Record kept = a.File("W-2");
  fs::remove(a.Copy(0, kept));
  options.still_filed = []() -> Result<bool> { return true; };
  events.clear();
  audit = CheckRecordCopies(a.archive.session().packages(), kept, options, &events);
  BOOST_TEST(!audit.destroyed);
  BOOST_TEST(fs::exists(a.Copy(0, kept)));
  BOOST_TEST(events.back().action == "fixity-repair");
}

BOOST_AUTO_TEST_CASE(damage_in_every_copy_is_reported_and_nothing_is_overwritten) {
  Replicated a(1);
  Record r = a.File("LOST-1");
  Record fine = a.File("FINE-1");
  std::string bad0 = ReadBytes(a.Copy(0, r)), bad1 = bad0;
  bad0[100] ^= 0x01;
  bad1[200] ^= 0x01;
  WriteBytes(a.Copy(0, r), bad0);
  WriteBytes(a.Copy(1, r), bad1);
  auto sum = a.Audit();
  BOOST_REQUIRE(sum.ok());
  BOOST_TEST(sum->unrepairable_records == 1);
  BOOST_TEST(sum->unrepairable == std::vector<std::string>{r.reference});
  BOOST_TEST(sum->repaired_copies == 0);
  // Both damaged copies are left for a person to look at; the catalogue keeps its digest.
  BOOST_TEST(ReadBytes(a.Copy(0, r)) == bad0);
  BOOST_TEST(ReadBytes(a.Copy(1, r)) == bad1);
  auto now = *a.archive.session().catalogue().GetRecord(r.reference).value();
  BOOST_TEST(now.package_sha256 == r.package_sha256);
  BOOST_TEST(a.Events(r.reference, "fixity-unrepairable") == 1);
  auto last = a.archive.session().catalogue().LastFixity(r.reference).value();
  BOOST_REQUIRE(last.has_value());
  BOOST_TEST(!last->ok);
  BOOST_TEST(a.Events(fine.reference, "fixity-damage") == 0);
}

BOOST_AUTO_TEST_CASE(the_audit_resumes_where_it_stopped_and_completes_its_cycle) {
  Replicated a(1);
  std::vector<Record> recs;
  for (int i = 0; i < 7; ++i) recs.push_back(a.File("C-" + std::to_string(i)));
  fs::remove(a.Copy(1, recs[6]));  // the last record: found only if the walk goes on
  auto part = a.Audit(4);
  BOOST_REQUIRE(part.ok());
  BOOST_TEST(part->records == 4);
  BOOST_TEST(!part->complete);
  BOOST_TEST(part->damaged_copies == 0);
  auto rest = a.Audit();  // a new audit object: the cursor lives in the catalogue
  BOOST_REQUIRE(rest.ok());
  BOOST_TEST(rest->complete);
  BOOST_TEST(rest->records == 7);  // the remaining 3, then round to where it began
  BOOST_TEST(rest->repaired_copies == 1);
  BOOST_TEST(fs::exists(a.Copy(1, recs[6])));
  BOOST_TEST(!a.archive.session().catalogue().AuditState("last_cycle_completed").value().empty());
}

// The server audits in slices and rests when a slice reports the end of the cycle. A slice that
// reaches the end reports it, whatever the cursor it began from, and never starts the next cycle.
BOOST_AUTO_TEST_CASE(sliced_audits_report_the_end_of_each_cycle) {
  Replicated a(1);
  for (int i = 0; i < 4; ++i) a.File("S-" + std::to_string(i));
  int64_t checked = 0;
  int slices = 0;
  for (bool complete = false; !complete && slices < 10; ++slices) {
    auto part = a.Audit(2);
    BOOST_REQUIRE(part.ok());
    checked += part->records;
    complete = part->complete;
  }
  BOOST_TEST(slices == 3);   // 2 records, 2 records, then the end
  BOOST_TEST(checked == 4);  // each record once per cycle
  BOOST_TEST(a.archive.session().catalogue().AuditState("cursor").value() == "0");
}

// Files in a packages folder that are no record's package are reported at the end of a cycle,
// in any copy, and left where they are; a filing in flight (its marker written, its row not yet
// committed) is not one of them.
BOOST_AUTO_TEST_CASE(stray_files_in_any_copy_are_reported_and_left_in_place) {
  Replicated a(1);
  Record r = a.File("S-1");
  const std::string year_dir = fs::path(r.package_path).parent_path().string();
  auto& store = a.archive.session().packages();
  const std::string stray0 = year_dir + "/J012-SB.2025-D100-0102-9998.tar";
  const std::string stray1 = "packages/restored-by-hand.tar";
  const std::string inflight = year_dir + "/J012-SB.2025-D100-0102-9999.tar";
  WriteBytes(store.CopyPath(0, stray0), "a package nobody filed");
  WriteBytes(store.CopyPath(1, stray1), "and another");
  WriteBytes(store.CopyPath(0, inflight), "being filed right now");
  WriteBytes(a.archive.Path("packages/.pending/J012-SB.2025-D100-0102-9999.tar.marker"), inflight);

  auto sum = a.Audit();
  BOOST_REQUIRE(sum.ok());
  BOOST_TEST(sum->complete);
  BOOST_TEST(sum->damaged_copies == 0);
  BOOST_REQUIRE(sum->strays.size() == 2u);
  BOOST_TEST(sum->strays[0].copy == 0u);
  BOOST_TEST(sum->strays[0].path == stray0);
  BOOST_TEST(sum->strays[0].bytes == 22u);
  BOOST_TEST(sum->strays[1].copy == 1u);
  BOOST_TEST(sum->strays[1].path == stray1);
  for (const auto& p :
       {store.CopyPath(0, stray0), store.CopyPath(1, stray1), store.CopyPath(0, inflight)})
    BOOST_TEST(fs::exists(p), p);
  int64_t events = 0;
  BOOST_REQUIRE(a.archive.session()
                    .catalogue()
                    .WithConnection([&](SqliteDb& db) {
                      auto st =
                          db.Prepare("SELECT count(*) FROM events WHERE action='fixity-stray'");
                      if (!st.ok()) return st.status();
                      Status err;
                      st->Step(&err);
                      events = st->Int(0);
                      return err;
                    })
                    .ok());
  BOOST_TEST(events == 2);
  // An audit stopped before the end of its cycle does not look.
  auto part = a.Audit(1);
  BOOST_REQUIRE(part.ok());
  BOOST_TEST(part->strays.empty());
}

// With a quorum of one copy, a replica that fails at any step does not stop a filing: the
// filing is acknowledged from the primary, the missing copy is listed with the record, and the
// catch-up writes it later (re-hashed, with an event). A fault in the primary's own steps still
// refuses the filing, and with the quorum back at "all" a replica fault refuses it too.
BOOST_AUTO_TEST_CASE(a_quorum_filing_survives_a_failed_replica_and_catches_up_later) {
  FaultInjectionEnv env;
  Replicated a(1, &env);
  auto& store = a.archive.session().packages();
  auto& catalogue = a.archive.session().catalogue();
  store.SetQuorum(1);
  a.File("WARM-1");
  env.FailAt(0, Fault::kNone);
  a.File("CLEAN");
  const int calls = env.calls();
  int acknowledged_with_lag = 0, refused = 0;
  std::vector<Record> lagging;
  for (Fault fault : {Fault::kNoSpace, Fault::kIOError, Fault::kShortWrite, Fault::kSyncFails}) {
    for (int n = 1; n <= calls; ++n) {
      BOOST_TEST_CONTEXT("fault " << static_cast<int>(fault) << " at call " << n) {
        env.FailAt(n, fault);
        std::string id = "Q-" + std::to_string(static_cast<int>(fault)) + "-" + std::to_string(n);
        auto r = a.archive.session().filing().File(a.archive.MakeCase(id), "business", "test");
        BOOST_TEST(env.fired());
        env.FailAt(0, Fault::kNone);
        if (!r.ok()) {
          ++refused;
          BOOST_TEST(!catalogue.FindCase("sbxt", id).value().has_value());
          continue;
        }
        ++acknowledged_with_lag;
        Record rec = *catalogue.GetRecord(r->reference).value();
        BOOST_TEST(store.VerifyCopy(0, rec.package_path, rec.package_sha256, rec.files).ok);
        BOOST_TEST(!fs::exists(a.Copy(1, rec)));
        lagging.push_back(rec);
      }
    }
  }
  // Six replica steps (create, write, fsync, close, rename, directory fsync) per fault.
  BOOST_TEST(acknowledged_with_lag == 4 * 6);
  BOOST_TEST(refused == 4 * (calls - 6));
  BOOST_TEST(CountLaggingCopies(catalogue).value() == static_cast<int64_t>(lagging.size()));
  BOOST_TEST(FilesUnder(a.replicas[0]->path() + "/packages/.staging").empty());

  FixityAudit::Options o;
  o.clock = [] { return std::string("2026-11-23T10:00:00+08:00"); };
  FixityAudit audit(catalogue, store, o);
  auto caught = audit.CatchUp();
  BOOST_REQUIRE(caught.ok());
  BOOST_TEST(caught->caught_up == static_cast<int64_t>(lagging.size()));
  BOOST_TEST(caught->failed.empty());
  BOOST_TEST(CountLaggingCopies(catalogue).value() == 0);
  for (const Record& rec : lagging) {
    BOOST_TEST(ReadBytes(a.Copy(1, rec)) == ReadBytes(a.Copy(0, rec)));
    BOOST_TEST(a.Events(rec.reference, "replica-catch-up") == 1);
  }
  auto sum = a.Audit();
  BOOST_REQUIRE(sum.ok());
  BOOST_TEST(sum->damaged_copies == 0);

  // Every copy required again: the same replica fault refuses the filing.
  store.SetQuorum(0);
  env.FailAt(calls, Fault::kSyncFails);  // the replica's directory fsync, the last step
  auto refused_now =
      a.archive.session().filing().File(a.archive.MakeCase("ALL-1"), "business", "test");
  BOOST_TEST(env.fired());
  BOOST_TEST(!refused_now.ok());
}

namespace {

// Files packages for one 档号 over and over, as filers given the same 件号 would be (the first
// one's transaction was aborted by the catalogue server while it stored its package, so the
// counter handed the number out again).
struct SameNumberFilers {
  SameNumberFilers() : a(1), store(a.archive.session().packages()) {
    again = a.File("S-1");
    again.parts.seq = 9000;
    again.reference = a.archive.session().reference_template().Format(again.parts);
    marker = a.archive.Path("packages/.pending/" + PackageStore::FileNameFor(again.reference) +
                            ".marker");
  }
  Result<PackageInfo> Write(const std::string& content) {
    const std::string path = a.archive.Path("intake-" + content + ".txt");
    WriteBytes(path, content);
    StagedFile f;
    f.meta.name = "scan.txt";
    f.meta.role = "content";
    f.meta.format = "text/plain";
    f.meta.size = content.size();
    f.meta.sha256 = Digest::OfFile(path).value();
    f.path = path;
    return store.Write(again, {f});
  }
  // Every copy of the package holds the bytes `info` stored.
  bool EveryCopyIs(const PackageInfo& info) {
    for (size_t copy = 0; copy < store.copy_roots().size(); ++copy) {
      const std::string path = store.CopyPath(copy, info.path);
      if (!fs::exists(path) || Digest::OfFile(path).value() != info.sha256) return false;
    }
    return true;
  }
  Replicated a;
  PackageStore& store;
  Record again;
  std::string marker;
};

}  // namespace

// The second filer cannot store while the first still holds the name, so neither the first
// one's late rename nor its clean-up can land on the package the second one commits.
BOOST_AUTO_TEST_CASE(a_filer_given_a_held_number_waits_for_the_earlier_filing_to_end) {
  SameNumberFilers f;
  auto first = f.Write("first filer");
  BOOST_REQUIRE(first.ok());
  auto second_future = std::async(std::launch::async, [&] { return f.Write("second filer"); });
  BOOST_TEST(
      (second_future.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout));
  BOOST_TEST(f.EveryCopyIs(*first));

  // The first filer learns its transaction is gone, cleans up and lets go of the name.
  BOOST_TEST(f.store.Discard(*first).ok());
  PackageInfo stale = *first;
  stale.name_hold.reset();
  first = Status::Internal("released");
  auto second = second_future.get();
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second->path == stale.path);
  BOOST_TEST(second->sha256 != stale.sha256);
  BOOST_TEST(f.EveryCopyIs(*second));

  // A late clean-up by the first filer still leaves the second's package (the claim guards).
  BOOST_TEST(f.store.Discard(stale).ok());
  f.store.Committed(stale);
  BOOST_TEST(f.EveryCopyIs(*second));
  BOOST_TEST(fs::exists(f.marker));
  f.store.Committed(*second);
  BOOST_TEST(!fs::exists(f.marker));
  BOOST_TEST(f.EveryCopyIs(*second));
}

BOOST_AUTO_TEST_CASE(a_filer_that_cannot_get_the_name_in_time_fails_as_unavailable) {
  SameNumberFilers f;
  f.store.SetNameWait(std::chrono::milliseconds(100));
  auto first = f.Write("first filer");
  BOOST_REQUIRE(first.ok());
  auto refused = f.Write("second filer");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST((refused.status().code() == ErrorCode::kUnavailable));
  BOOST_TEST(f.EveryCopyIs(*first));
  for (const auto& root : f.store.copy_roots())
    BOOST_TEST(FilesUnder(root + "/packages/.staging").empty());

  BOOST_TEST(f.store.Discard(*first).ok());
  first = Status::Internal("released");
  auto retried = f.Write("second filer");
  BOOST_REQUIRE(retried.ok());
  BOOST_TEST(f.EveryCopyIs(*retried));
}

// flock, not a lock file: the kernel lets go of a dead process's hold, so a filer killed
// between its package and its commit never blocks the number.
BOOST_AUTO_TEST_CASE(a_filer_that_died_holding_the_name_does_not_keep_it) {
  SameNumberFilers f;
  pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    auto held = f.Write("dead filer");
    _exit(held.ok() ? 0 : 1);  // dies with the name held and its marker left
  }
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_REQUIRE(WIFEXITED(status));
  BOOST_REQUIRE(WEXITSTATUS(status) == 0);
  BOOST_TEST(fs::exists(f.marker));
  f.store.SetNameWait(std::chrono::milliseconds(0));  // free at once, or refused
  auto live = f.Write("live filer");
  BOOST_REQUIRE(live.ok());
  BOOST_TEST(f.EveryCopyIs(*live));
}

// Recovery at open must not take a package whose filing is running in another process that
// shares the root: its rename is done, its commit may be a moment away.
BOOST_AUTO_TEST_CASE(recovery_leaves_a_package_whose_filing_still_holds_its_name) {
  SameNumberFilers f;
  auto running = f.Write("filing in progress");
  BOOST_REQUIRE(running.ok());
  auto removed = f.store.Recover([](const std::string&) { return false; });
  BOOST_REQUIRE(removed.ok());
  BOOST_TEST(*removed == 0);
  BOOST_TEST(f.EveryCopyIs(*running));
  BOOST_TEST(fs::exists(f.marker));

  // Once the filing is gone (here: ended without committing), recovery does its job.
  running = Status::Internal("process gone");
  removed = f.store.Recover([](const std::string&) { return false; });
  BOOST_REQUIRE(removed.ok());
  BOOST_TEST(*removed == 1);
  BOOST_TEST(!fs::exists(f.marker));
}
