// The audit chain's anchor: the signed audit-head file round-trips, an edit or another secret
// shows, a failed write leaves the previous anchor whole, and a chain cut at its end or rewritten
// whole no longer matches its anchor (and is never re-anchored over the evidence).
#define BOOST_TEST_MODULE audit_anchor
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "storage/audit_anchor.h"
#include "storage/secret_key.h"
#include "tests/support/case_factory.h"
#include "tests/support/fault_env.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

const std::string kSecret(32, 'k');

AuditAnchor Anchor(int64_t seq, char hash_digit = 'a') {
  return AuditAnchor{seq, std::string(64, hash_digit), "2026-11-23T10:00:00+08:00",
                     "2026-11-23T10:00:05+08:00"};
}

// A chain of `n` events, linked as the catalogue links them.
std::vector<AuditEvent> Chain(int n, const std::string& detail = "{}") {
  std::vector<AuditEvent> events;
  for (int i = 0; i < n; ++i) {
    AuditEvent d;
    d.at = "2026-11-23T10:00:0" + std::to_string(i % 10) + "+08:00";
    d.actor = "test";
    d.action = "verify";
    d.detail = i == 1 ? detail : "{}";
    events.push_back(ChainEvent(d, events.empty() ? nullptr : &events.back()));
  }
  return events;
}

AnchorFile Valid(const AuditEvent& e, const std::string& path = "/r/audit-head") {
  AnchorFile f;
  f.path = path;
  f.state = AnchorFile::State::kValid;
  f.anchor = AuditAnchor{e.seq, e.hash, e.at, "2026-11-23T11:00:00+08:00"};
  return f;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_anchor_written_reads_back_the_same) {
  TempDir dir;
  BOOST_TEST((ReadAnchor(dir.path(), kSecret).state == AnchorFile::State::kMissing));
  BOOST_REQUIRE(WriteAnchor(Env::Default(), dir.path(), Anchor(42), kSecret).ok());
  AnchorFile f = ReadAnchor(dir.path(), kSecret);
  BOOST_TEST_REQUIRE((f.state == AnchorFile::State::kValid), f.problem);
  BOOST_TEST(f.path == dir / kAuditAnchorFile);
  BOOST_TEST(f.anchor.seq == 42);
  BOOST_TEST(f.anchor.hash == std::string(64, 'a'));
  BOOST_TEST(f.anchor.event_at == "2026-11-23T10:00:00+08:00");
  BOOST_TEST(f.anchor.anchored_at == "2026-11-23T10:00:05+08:00");
  BOOST_TEST(Entries(dir.path()) == std::vector<std::string>{kAuditAnchorFile});  // no temporary
  // Replacing it keeps one file, holding the new anchor.
  BOOST_REQUIRE(WriteAnchor(Env::Default(), dir.path(), Anchor(43, 'b'), kSecret).ok());
  BOOST_TEST(ReadAnchor(dir.path(), kSecret).anchor.seq == 43);
  BOOST_TEST(Entries(dir.path()).size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_edited_or_forged_anchor_is_not_trusted) {
  TempDir dir;
  BOOST_REQUIRE(WriteAnchor(Env::Default(), dir.path(), Anchor(42), kSecret).ok());
  const std::string path = dir / kAuditAnchorFile;
  const std::string text = ReadFile(path);

  // The head moved back by hand, signature kept: the edit shows.
  std::string edited = text;
  edited.replace(edited.find("seq: 42"), 7, "seq: 40");
  AnchorFile f = ParseAnchor(path, edited, kSecret);
  BOOST_TEST((f.state == AnchorFile::State::kInvalid));
  BOOST_TEST(f.problem.find("signature does not match") != std::string::npos, f.problem);

  // Signed with a key that is not the archive's (a forger without secret.key).
  f = ParseAnchor(path, FormatAnchor(Anchor(40), std::string(32, 'x')), kSecret);
  BOOST_TEST((f.state == AnchorFile::State::kInvalid));
  // Read with another archive's secret, the genuine file does not pass either.
  BOOST_TEST((ParseAnchor(path, text, std::string(32, 'x')).state == AnchorFile::State::kInvalid));
  // Not an anchor at all; cut short; empty.
  for (const std::string& junk : {std::string("hello\n"), text.substr(0, text.size() / 2),
                                  std::string(), std::string(10000, 'z')}) {
    WriteFile(path, junk);
    BOOST_TEST((ReadAnchor(dir.path(), kSecret).state == AnchorFile::State::kInvalid), junk.size());
  }
  WriteFile(path, text);
  BOOST_TEST((ReadAnchor(dir.path(), kSecret).state == AnchorFile::State::kValid));
}

// Every write-side call of the anchor write fails in turn, each way a disk can fail: the write
// reports it, no temporary file is left, and the previous anchor is still there, whole.
BOOST_AUTO_TEST_CASE(a_failed_write_leaves_the_previous_anchor_readable) {
  TempDir dir;
  BOOST_REQUIRE(WriteAnchor(Env::Default(), dir.path(), Anchor(7), kSecret).ok());
  FaultInjectionEnv env;
  env.FailAt(0, Fault::kNone);
  BOOST_REQUIRE(WriteAnchor(&env, dir.path(), Anchor(7), kSecret).ok());
  const int calls = env.calls();  // create, append, sync, close, rename, sync dir
  BOOST_TEST(calls == 6);
  for (Fault fault : {Fault::kNoSpace, Fault::kIOError, Fault::kShortWrite, Fault::kSyncFails}) {
    for (int n = 1; n <= calls; ++n) {
      BOOST_TEST_CONTEXT("fault " << static_cast<int>(fault) << " at call " << n) {
        env.FailAt(n, fault);
        Status st = WriteAnchor(&env, dir.path(), Anchor(8, 'b'), kSecret);
        BOOST_TEST(!st.ok());
        BOOST_TEST(st.message().find("anchoring the audit chain") != std::string::npos,
                   st.message());
        AnchorFile f = ReadAnchor(dir.path(), kSecret);
        BOOST_TEST_REQUIRE((f.state == AnchorFile::State::kValid), f.problem);
        // Only the directory sync comes after the rename: the new anchor is in place, unsynced.
        BOOST_TEST(f.anchor.seq == (n == calls ? 8 : 7));
        BOOST_TEST(Entries(dir.path()).size() == 1u);
        BOOST_REQUIRE(WriteAnchor(Env::Default(), dir.path(), Anchor(7), kSecret).ok());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(anchors_find_a_chain_cut_at_its_end_or_rewritten) {
  const std::vector<AuditEvent> chain = Chain(10);

  // Anchored at the head, or earlier: all is well; the newest valid anchor is named.
  AnchorVerdict v = CheckAnchors(chain, {Valid(chain[9]), Valid(chain[6], "/replica/audit-head")});
  BOOST_TEST(v.problems.empty());
  BOOST_TEST_REQUIRE(v.newest.has_value());
  BOOST_TEST(v.newest->seq == 10);
  BOOST_TEST(v.newest_path == "/r/audit-head");

  // No anchor anywhere (an archive from before anchoring): not a break.
  AnchorFile missing;
  v = CheckAnchors(chain, {missing, missing});
  BOOST_TEST(v.problems.empty());
  BOOST_TEST(!v.newest.has_value());

  // The last three events deleted: the chain still links, but the anchor names event 10.
  std::vector<AuditEvent> cut(chain.begin(), chain.begin() + 7);
  BOOST_TEST(!FindBrokenLink(cut, kGenesisHash, 1, nullptr).has_value());
  v = CheckAnchors(cut, {Valid(chain[9])});
  BOOST_TEST_REQUIRE(v.problems.size() == 1u);
  BOOST_TEST(v.problems[0].find("events were removed from the end: the chain ends at event 7 but "
                                "event 10 (hash " +
                                chain[9].hash + ") was anchored at") != std::string::npos,
             v.problems[0]);
  // An older anchor in a lagging replica still matches; the newest one decides.
  v = CheckAnchors(cut, {Valid(chain[5], "/replica/audit-head"), Valid(chain[9])});
  BOOST_TEST(v.problems.size() == 1u);
  // Everything deleted.
  v = CheckAnchors({}, {Valid(chain[9])});
  BOOST_TEST_REQUIRE(v.problems.size() == 1u);
  BOOST_TEST(v.problems[0].find("ends at event 0") != std::string::npos, v.problems[0]);

  // The chain rebuilt from event 2 on with recomputed hashes: it links, but is not the chain
  // that was anchored.
  const std::vector<AuditEvent> rewritten = Chain(10, "{\"edited\":true}");
  BOOST_TEST(!FindBrokenLink(rewritten, kGenesisHash, 1, nullptr).has_value());
  v = CheckAnchors(rewritten, {Valid(chain[9])});
  BOOST_TEST_REQUIRE(v.problems.size() == 1u);
  BOOST_TEST(v.problems[0].find("the chain was rewritten: event 10 now has hash " +
                                rewritten[9].hash) != std::string::npos,
             v.problems[0]);
  // Rewritten and then extended: the anchored event is still found changed.
  BOOST_TEST(CheckAnchors(Chain(12, "{\"edited\":true}"), {Valid(chain[9])}).problems.size() == 1u);

  // A file that fails its signature is reported even beside a good one.
  AnchorFile forged;
  forged.path = "/replica/audit-head";
  forged.state = AnchorFile::State::kInvalid;
  forged.problem = "its signature does not match";
  v = CheckAnchors(chain, {Valid(chain[9]), forged});
  BOOST_TEST_REQUIRE(v.problems.size() == 1u);
  BOOST_TEST(v.problems[0].find("/replica/audit-head") != std::string::npos, v.problems[0]);
}

// Anchoring through the archive: in the root and every replica root, only when the head moved;
// and never over an anchor the chain no longer matches.
BOOST_AUTO_TEST_CASE(the_head_is_anchored_everywhere_and_never_over_the_evidence) {
  TempDir replica;
  TestArchive archive;
  {
    auto added = archive.session().AddReplica(replica.path());
    BOOST_REQUIRE(added.ok());
  }
  archive.Reopen();  // closing anchored the replica-add event
  auto secret = LoadOrCreateSecret(archive.root());
  BOOST_REQUIRE(secret.ok());
  Catalogue& cat = archive.session().catalogue();
  auto head = cat.LastEvent();
  BOOST_REQUIRE(head.ok());
  BOOST_REQUIRE(head->has_value());
  for (const std::string& root : {archive.root(), replica.path()}) {
    AnchorFile f = ReadAnchor(root, *secret);
    BOOST_TEST_REQUIRE((f.state == AnchorFile::State::kValid), root << ": " << f.problem);
    BOOST_TEST(f.anchor.seq == (*head)->seq);
    BOOST_TEST(f.anchor.hash == (*head)->hash);
  }

  // Nothing appended: nothing to anchor.
  auto again = archive.session().AnchorAuditHeadIfMoved();
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(!again->has_value());

  // A filing moves the head; the anchor follows it when asked, and at close.
  auto filed = archive.session().filing().File(archive.MakeCase("c-1"), "business", "test");
  BOOST_REQUIRE(filed.ok());
  auto moved = archive.session().AnchorAuditHeadIfMoved();
  BOOST_REQUIRE(moved.ok());
  BOOST_REQUIRE(moved->has_value());
  BOOST_TEST((*moved)->seq == cat.LastEvent().value().value().seq);
  BOOST_TEST(ReadAnchor(replica.path(), *secret).anchor.seq == (*moved)->seq);

  // An anchor naming an event the chain does not hold (as after a cut at the end) stays: the
  // next anchoring refuses and writes nothing anywhere.
  const std::string evidence = FormatAnchor(Anchor((*moved)->seq + 5), *secret);
  WriteFile(replica / kAuditAnchorFile, evidence);
  const std::string root_anchor = ReadFile(archive.Path(kAuditAnchorFile));
  BOOST_REQUIRE(archive.session().Log("test", "verify", "", "{}").ok());
  auto refused = archive.session().AnchorAuditHead();
  BOOST_TEST(!refused.ok());
  BOOST_TEST((refused.status().code() == ErrorCode::kCorruption));
  BOOST_TEST(refused.status().message().find("no longer holds") != std::string::npos,
             refused.status().message());
  BOOST_TEST(ReadFile(replica / kAuditAnchorFile) == evidence);
  BOOST_TEST(ReadFile(archive.Path(kAuditAnchorFile)) == root_anchor);
  // An edited anchor is kept as evidence too.
  WriteFile(replica / kAuditAnchorFile, "seq: 1\n");
  BOOST_TEST(!archive.session().AnchorAuditHead().ok());
  // Once the file is dealt with, anchoring goes on.
  fs::remove(replica / kAuditAnchorFile);
  auto resumed = archive.session().AnchorAuditHead();
  BOOST_REQUIRE(resumed.ok());
  BOOST_TEST((*resumed)->seq == cat.LastEvent().value().value().seq);
}

// A failing disk under the archive: anchoring reports the error; the anchor in place stays valid.
BOOST_AUTO_TEST_CASE(a_failed_anchoring_is_reported_and_the_old_anchor_stays) {
  FaultInjectionEnv env;
  TestArchive archive(&env);
  BOOST_REQUIRE(archive.session().Log("test", "verify", "", "{}").ok());
  auto first = archive.session().AnchorAuditHead();
  BOOST_REQUIRE(first.ok());
  auto secret = LoadOrCreateSecret(archive.root());
  BOOST_REQUIRE(secret.ok());
  BOOST_REQUIRE(archive.session().Log("test", "verify", "", "{}").ok());
  env.FailAt(3, Fault::kSyncFails);  // the anchor file's fsync
  auto failed = archive.session().AnchorAuditHeadIfMoved();
  BOOST_TEST(!failed.ok());
  BOOST_TEST(env.fired());
  AnchorFile f = ReadAnchor(archive.root(), *secret);
  BOOST_TEST_REQUIRE((f.state == AnchorFile::State::kValid), f.problem);
  BOOST_TEST(f.anchor.seq == (*first)->seq);
  // The head still counts as moved, so the next attempt writes it.
  env.FailAt(0, Fault::kNone);
  auto retried = archive.session().AnchorAuditHeadIfMoved();
  BOOST_REQUIRE(retried.ok());
  BOOST_REQUIRE(retried->has_value());
  BOOST_TEST((*retried)->seq == (*first)->seq + 1);
}
